import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCycle, type CycleResult } from '../../src/agent';
import { healthyGroups, testConfig, warmState, windowOf, type Group } from './helpers';

function cycleWith(change: (g: Group) => Group, windows = 1): CycleResult {
  let state = warmState();
  let result: CycleResult | undefined;
  for (let i = 0; i < windows; i++) {
    result = runCycle(state, windowOf(50 + i, healthyGroups(change)), testConfig);
    state = result.state;
  }
  if (!result) throw new Error('no cycle ran');
  return result;
}

const top = (r: CycleResult) => r.hypotheses[0];

test('a hard outage with technical failures is an issuer outage, with confidence from evidence', () => {
  const r = cycleWith((g) => (g.issuer === 'ICICI' ? { ...g, failures: 97, errorCode: 'ISSUER_UNAVAILABLE' } : g));
  assert.equal(top(r)?.cause, 'ISSUER_OUTAGE');
  assert.equal(top(r)?.target, 'issuer:ICICI');
  const confidence = top(r)?.confidence ?? 0;
  assert.ok(confidence > 0.5 && confidence < 1, `confidence ${confidence}`);
  assert.ok((top(r)?.evidence.length ?? 0) > 0);
});

test('a partial drop is a partial degradation, not an outage', () => {
  const r = cycleWith((g) => (g.issuer === 'SBI' ? { ...g, failures: 25, errorCode: 'TIMEOUT' } : g), 2);
  assert.equal(top(r)?.cause, 'ISSUER_PARTIAL_DEGRADATION');
  assert.equal(top(r)?.target, 'issuer:SBI');
});

test('retries rising with the failures name the failing bank in the first window, before its success finding is confirmed', () => {
  const r = cycleWith((g) => (g.issuer === 'SBI' ? { ...g, failures: 25, errorCode: 'TIMEOUT', retries: 60 } : g));
  assert.deepEqual(
    r.patterns.filter((p) => p.target === 'issuer:SBI').map((p) => p.type),
    ['RETRY_STORM'],
    'the success drop is not confirmed yet',
  );
  assert.deepEqual([top(r)?.cause, top(r)?.target], ['ISSUER_PARTIAL_DEGRADATION', 'issuer:SBI']);
});

test('customer declines are not an outage and never lead to suppression', () => {
  const r = cycleWith((g) => (g.issuer === 'AXIS' ? { ...g, failures: 90, errorCode: 'INSUFFICIENT_FUNDS' } : g));
  assert.equal(top(r)?.cause, 'CUSTOMER_DECLINES');
  assert.ok(!r.options.some((o) => o.action === 'SUPPRESS_ISSUER'));
});

test('one method failing across issuers is a method/provider problem, not five issuer problems', () => {
  const r = cycleWith((g) => (g.method === 'card' ? { ...g, failures: 80, errorCode: 'GATEWAY_ERROR' } : g));
  assert.equal(top(r)?.cause, 'METHOD_PROVIDER_PROBLEM');
  assert.equal(top(r)?.target, 'method:card');
  assert.ok(!r.hypotheses.some((h) => h.cause === 'ISSUER_PARTIAL_DEGRADATION' || h.cause === 'ISSUER_OUTAGE'));
});

test('everything down at once is one system-wide problem', () => {
  const r = cycleWith((g) => ({ ...g, failures: 90, errorCode: 'TIMEOUT' }));
  assert.equal(r.hypotheses.length, 1);
  assert.equal(top(r)?.cause, 'SYSTEM_WIDE');
  assert.equal(top(r)?.target, 'system');
});

test('latency and retry findings become upstream latency and retry amplification on their issuer', () => {
  const slow = cycleWith((g) => (g.issuer === 'KOTAK' ? { ...g, latencyMs: 1500 } : g));
  assert.deepEqual([top(slow)?.cause, top(slow)?.target], ['UPSTREAM_LATENCY', 'issuer:KOTAK']);
  const storm = cycleWith((g) => (g.issuer === 'HDFC' ? { ...g, retries: 70 } : g));
  assert.deepEqual([top(storm)?.cause, top(storm)?.target], ['RETRY_AMPLIFICATION', 'issuer:HDFC']);
});
