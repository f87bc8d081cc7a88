import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canMove, expiryReason, isDue, runScope } from '../../src/agent';

test('one expiry rule: the approval window ends what waits, the TTL what runs, nothing ends what is over', () => {
  const deadlines = { approvalEndsAt: 100, expiresAt: 200 };
  for (const status of ['PROPOSED', 'AWAITING_APPROVAL', 'APPROVED'] as const) {
    assert.equal(isDue(status, deadlines, 100), true, status);
    assert.equal(isDue(status, deadlines, 99), false, status);
    assert.match(expiryReason(status), /approval window ran out/);
  }
  for (const status of ['EXECUTED', 'EVALUATED', 'SHADOW'] as const) {
    assert.equal(isDue(status, deadlines, 150), false, status);
    assert.equal(isDue(status, deadlines, 200), true, status);
    assert.equal(expiryReason(status), 'TTL ran out');
  }
  for (const status of ['REJECTED', 'EXPIRED', 'ROLLED_BACK'] as const) assert.equal(isDue(status, deadlines, 1e12), false, status);
  assert.equal(isDue('AWAITING_APPROVAL', { approvalEndsAt: null, expiresAt: null }, 1e12), false, 'no clock, no expiry');
});

test('transitions only go forward, and a finished intervention never moves again', () => {
  assert.equal(canMove('AWAITING_APPROVAL', 'APPROVED'), true);
  assert.equal(canMove('AWAITING_APPROVAL', 'EXECUTED'), false, 'an approval comes first');
  assert.equal(canMove('EVALUATED', 'ROLLED_BACK'), true);
  assert.equal(canMove('EXPIRED', 'EXECUTED'), false);
  assert.equal(canMove('SHADOW', 'EXECUTED'), false, 'a shadow decision never runs');
});

test('what runs is the proposal narrowed by the approval, never widened', () => {
  const proposal = { params: { issuer: 'HDFC', trafficShare: 0.4 }, ttlSeconds: 600 };
  assert.deepEqual(runScope(proposal, null), { ttlSeconds: 600, trafficShare: 0.4 });
  assert.deepEqual(runScope(proposal, { ttlSeconds: 60, trafficShare: 0.25 }), { ttlSeconds: 60, trafficShare: 0.25 });
  assert.deepEqual(runScope(proposal, { trafficShare: 0.9 }), { ttlSeconds: 600, trafficShare: 0.4 });
  assert.deepEqual(runScope({ params: {}, ttlSeconds: 600 }, {}), { ttlSeconds: 600, trafficShare: 1 });
});
