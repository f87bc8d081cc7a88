import assert from 'node:assert/strict';
import { it } from 'node:test';
import { authenticate, createAuthenticator } from '../../src/api/auth';

const authenticator = createAuthenticator('on', [
  { key: 'ingest-key-123', role: 'ingest' },
  { key: 'operator-key-456', role: 'operator', name: 'alice' },
]);

it('knows a key again without hashing it again, and never lets a near miss of it in', () => {
  const first = authenticate(authenticator, 'Bearer operator-key-456');
  assert.equal(first.name, 'alice');
  assert.deepEqual([...first.roles].sort(), ['operator', 'viewer']);
  assert.equal(authenticate(authenticator, 'Bearer operator-key-456'), first, 'the proven identity is remembered');
  for (const miss of ['operator-key-45', 'operator-key-4567', 'OPERATOR-KEY-456', 'ingest-key-456']) {
    assert.equal(authenticator.identify(miss), null, miss);
  }
  assert.throws(() => authenticate(authenticator, 'Bearer operator-key-4567'), /unknown key/);
  assert.equal(authenticate(authenticator, 'Bearer ingest-key-123').roles.has('ingest'), true);
});
