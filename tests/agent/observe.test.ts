import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observe, percentileCont, windowStartFor } from '../../src/agent';
import { bucketOf, bucketValue, histogramOf, MAX_RELATIVE_ERROR, quantile } from '../../src/agent/histogram';
import { T0, WINDOW_MS, assertClose, transactions, windowOf } from './helpers';

test('percentileCont interpolates like Postgres percentile_cont', () => {
  assertClose(percentileCont([1, 2, 3, 4], 0.95), 3.85);
  assert.equal(percentileCont([10], 0.95), 10);
  assert.equal(percentileCont([], 0.95), 0);
  assert.equal(percentileCont([0, 100], 0.5), 50);
});

test('observe folds every dimension with SQL-computable aggregates', () => {
  const m = windowOf(0, [
    { issuer: 'HDFC', method: 'upi', volume: 4, failures: 1, errorCode: 'INSUFFICIENT_FUNDS', latencyMs: 100, retries: 2 },
    { issuer: 'HDFC', method: 'card', volume: 2, failures: 2, errorCode: null, latencyMs: 300 },
    { issuer: 'SBI', method: 'upi', volume: 4, failures: 0, latencyMs: 200 },
  ]);
  assert.equal(m.system.volume, 10);
  assert.equal(m.system.successes, 7);
  assert.equal(m.system.retries, 2);
  assert.equal(m.system.amountMinorSum, 100_000);
  assert.deepEqual(m.system.errorCodeCounts, { INSUFFICIENT_FUNDS: 1 }, 'failures without a code are not keyed');
  assert.equal(m.issuers.HDFC?.volume, 6);
  assert.equal(m.issuers.HDFC?.latencyMeanMs, (4 * 100 + 2 * 300) / 6);
  assert.equal(m.methods.upi?.volume, 8);
  assert.equal(m.issuerMethods.HDFC?.card?.successes, 0);
  assert.equal(m.issuerMethods.SBI?.upi?.latencyP95Ms, bucketValue(bucketOf(200)), 'p95 is read from the latency histogram');
  const latencies = [100, 100, 100, 100, 200, 200, 200, 200, 300, 300];
  assert.equal(m.system.latencyP95Ms, quantile(histogramOf(latencies), 0.95));
  assert.ok(Math.abs(m.system.latencyP95Ms / percentileCont(latencies, 0.95) - 1) <= MAX_RELATIVE_ERROR, 'within the histogram error of percentile_cont');
});

test('observe ignores attempts outside [start, end)', () => {
  const inside = transactions(0, [{ issuer: 'A', method: 'upi', volume: 3 }]);
  const after = transactions(1, [{ issuer: 'A', method: 'upi', volume: 2 }]);
  const m = observe({ start: T0, end: T0 + WINDOW_MS }, [...inside, ...after]);
  assert.equal(m.system.volume, 3);
  assert.equal(m.start, T0);
});

test('windowStartFor aligns event time to the window grid', () => {
  assert.equal(windowStartFor(T0 + 61_000, WINDOW_MS), T0 + WINDOW_MS);
});
