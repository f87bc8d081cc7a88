import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { defaultAgentConfig, observe, windowStartFor, type DimensionMetrics, type Transaction, type WindowMetrics } from '../../src/agent';
import type { Database } from '../../src/db/client';
import { insertTransactions, type Placement } from '../../src/db/transactions';
import { aggregateWindow } from '../../src/db/windows';
import { openTestDatabase } from '../support/database';
import { drawnTransaction, makeTransaction, type DrawnPayment } from '../support/transactions';

let db: Database;
let close: () => Promise<void>;
before(async () => ({ db, close } = await openTestDatabase('windows', 4)));
after(() => close());

const start = Date.parse('2026-11-24T06:00:00Z');
const end = start + 60_000;

function assertClose(actual: DimensionMetrics, expected: DimensionMetrics, where: string): void {
  const { latencyMeanMs, latencyP95Ms, ...exact } = actual;
  const { latencyMeanMs: mean, latencyP95Ms: p95, ...expectedExact } = expected;
  assert.deepEqual(exact, expectedExact, where);
  assert.ok(Math.abs(latencyMeanMs - mean) < 1e-6, `${where} mean ${latencyMeanMs} vs ${mean}`);
  assert.ok(Math.abs(latencyP95Ms - p95) < 1e-6, `${where} p95 ${latencyP95Ms} vs ${p95}`);
}

/** Every entry of a window by its path (`issuers/HDFC`, `gatewayCells/pg_a/HDFC/upi`, ...). */
function entries(node: object, path: string, out = new Map<string, DimensionMetrics>()): Map<string, DimensionMetrics> {
  if ('volume' in node) return out.set(path, node as DimensionMetrics);
  for (const [key, child] of Object.entries(node)) if (typeof child === 'object') entries(child, path ? `${path}/${key}` : key, out);
  return out;
}

function assertSameWindow(sql: WindowMetrics, folded: WindowMetrics): void {
  assert.equal(sql.start, folded.start);
  assert.equal(sql.end, folded.end);
  const [got, expected] = [entries(sql, ''), entries(folded, '')];
  assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
  for (const [path, metrics] of expected) assertClose(got.get(path)!, metrics, path);
}

const transactionArb = fc.record({
  offsetMs: fc.integer({ min: -5_000, max: 65_000 }),
  issuer: fc.constantFrom('HDFC', 'ICICI', 'AXIS', 'SBI', 'KOTAK'),
  method: fc.constantFrom('card', 'upi', 'netbanking'),
  gateway: fc.constantFrom(undefined, 'pg_a', 'pg_b', 'pg_c'),
  failed: fc.boolean(),
  errorCode: fc.constantFrom(null, 'TIMEOUT', 'INSUFFICIENT_FUNDS'),
  latencyMs: fc.integer({ min: 0, max: 5_000 }),
  retryCount: fc.integer({ min: 0, max: 3 }),
  amountMinor: fc.integer({ min: 0, max: 10_000_000 }),
  currency: fc.constantFrom('INR', 'USD'),
});

// Rows within 100 years of their event time keep it as their window time: these are all on time.
const onTime: Placement = { lateAfterSeconds: 100 * 365 * 86_400, windowSeconds: (end - start) / 1000, dedupHorizonHours: 168 };

let batch = 0;
async function storeWindow(drawn: readonly DrawnPayment[]): Promise<{ start: number; end: number; transactions: Transaction[] }> {
  batch += 1;
  const transactions: Transaction[] = drawn.map((d, i) => drawnTransaction(`w${batch}-${i}`, start + batch * 3_600_000, d));
  if (transactions.length) await insertTransactions(db, transactions, onTime);
  return { start: start + batch * 3_600_000, end: end + batch * 3_600_000, transactions };
}

it('gives the same window metrics by SQL as the core folds in memory, gateways, folding and edges of the window included', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(transactionArb, { minLength: 0, maxLength: 80 }), fc.constantFrom(1, 2, 3, 50), async (drawn, maxDimensionValues) => {
      const { transactions, ...window } = await storeWindow(drawn);
      assertSameWindow(await aggregateWindow(db, window.start, window.end, maxDimensionValues), observe(window, transactions, maxDimensionValues));
    }),
    { numRuns: 40 },
  );
});

it('folds all but the busiest names into other, and keeps attempts without a gateway out of the gateway dimensions', async () => {
  const at = (k: number) => ({ offsetMs: k * 1_000, failed: false, errorCode: null, latencyMs: 100, retryCount: 0, amountMinor: 10_000, currency: 'INR' });
  const { transactions, ...window } = await storeWindow([
    { ...at(1), issuer: 'HDFC', method: 'upi', gateway: 'pg_a' },
    { ...at(2), issuer: 'HDFC', method: 'upi', gateway: 'pg_a', retryCount: 1 },
    { ...at(3), issuer: 'HDFC', method: 'card', gateway: 'pg_b', retryCount: 2, failed: true, errorCode: 'TIMEOUT' },
    { ...at(4), issuer: 'ICICI', method: 'upi', gateway: 'pg_b', currency: 'USD', amountMinor: 500 },
    { ...at(5), issuer: 'ICICI', method: 'upi', gateway: 'pg_c' },
    { ...at(6), issuer: 'AXIS', method: 'upi', gateway: undefined },
  ]);
  const metrics = await aggregateWindow(db, window.start, window.end, 2);
  assert.deepEqual(Object.keys(metrics.issuers).sort(), ['HDFC', 'ICICI', 'other']);
  assert.deepEqual(Object.keys(metrics.gateways).sort(), ['other', 'pg_a', 'pg_b'], 'pg_c, the least busy gateway, is folded');
  assert.equal(metrics.system.volume, 6);
  assert.equal(metrics.issuers.other!.volume, 1, 'AXIS still counts among issuers');
  assert.equal(metrics.gatewayIssuers.other?.other, undefined, 'but an attempt without a gateway is in no gateway dimension');
  assert.equal(
    Object.values(metrics.gateways).reduce((sum, m) => sum + m.volume, 0),
    5,
  );
  assert.deepEqual([metrics.gatewayCells.pg_a!.HDFC!.upi!.retries, metrics.gatewayCells.pg_a!.HDFC!.upi!.retrySuccesses], [1, 1]);
  assert.deepEqual([metrics.issuers.HDFC!.retries, metrics.issuers.HDFC!.retrySuccesses], [2, 1], 'a failed retry is no retry success');
  assert.deepEqual(metrics.gatewayMethods.pg_b!.upi!.amountMinorByCurrency, { USD: 500 });
  assert.deepEqual(metrics.system.amountMinorByCurrency, { INR: 50_000, USD: 500 });
  assert.deepEqual(metrics.gatewayIssuers.pg_b!.HDFC!.errorCodeCounts, { TIMEOUT: 1 });
  assertSameWindow(metrics, observe(window, transactions, 2));
});

it('counts a row that arrives after its window may have been judged in the window of its arrival, once', async () => {
  const old = makeTransaction({ id: 'late-arrival', timestamp: new Date(Date.now() - 3_600_000).toISOString() });
  const before = Date.now();
  await insertTransactions(db, [old], { ...onTime, lateAfterSeconds: 1 });
  const after = Date.now();
  const { rows } = await db.pool.query<{ event_time: Date; window_time: Date }>('SELECT event_time, window_time FROM transactions WHERE id = $1', [old.id]);
  assert.equal(rows[0]!.event_time.toISOString(), old.timestamp);
  const windowTime = rows[0]!.window_time.getTime();
  assert.ok(windowTime >= before - 1_000 - 50 && windowTime <= after - 1_000 + 50, 'placed at its arrival less the lateness allowance');
  const windowMs = end - start;
  const windowOf = (at: number) => windowStartFor(at, windowMs);
  const arrivalWindow = await aggregateWindow(db, windowOf(windowTime), windowOf(windowTime) + windowMs, defaultAgentConfig.maxDimensionValues);
  assert.equal(arrivalWindow.system.volume, 1, 'in the rollup of its arrival window');
  const eventWindow = await aggregateWindow(
    db,
    windowOf(Date.parse(old.timestamp)),
    windowOf(Date.parse(old.timestamp)) + windowMs,
    defaultAgentConfig.maxDimensionValues,
  );
  assert.equal(eventWindow.system.volume, 0, 'not also counted in the window of its event time');
});
