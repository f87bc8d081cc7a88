import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { MAX_RELATIVE_ERROR, windowStartFor, type DimensionMetrics, type Transaction } from '../../src/agent';
import type { Database } from '../../src/db/client';
import { insertTransactionBatch, insertTransactions, type Placement } from '../../src/db/transactions';
import { aggregateWindow } from '../../src/db/windows';
import { openTestDatabase } from '../support/database';
import { drawnLatencyMs, drawnTransaction, makeTransaction } from '../support/transactions';

let db: Database;
let close: () => Promise<void>;
before(async () => ({ db, close } = await openTestDatabase('rollups', 4)));
after(() => close());

const windowMs = 30_000;
const placement: Placement = { lateAfterSeconds: 100 * 365 * 86_400, windowSeconds: windowMs / 1000, dedupHorizonHours: 100 * 365 * 24 };

interface Scanned {
  gateway: string | null;
  issuer: string | null;
  method: string | null;
  volume: number;
  successes: number;
  retries: number;
  retry_successes: number;
  amount: number;
  latency_mean: number;
  p95: number;
  currencies: Record<string, number>;
  codes: Record<string, number> | null;
}

// The window scanned row by row, as the cycle did before rollups: the whole window, each issuer x
// method, and each gateway x issuer x method, with percentile_cont's exact p95.
const scanSql = `
  WITH w AS (SELECT * FROM transactions WHERE window_time >= $1 AND window_time < $2)
  SELECT g.*, (SELECT jsonb_object_agg(currency, s) FROM (SELECT currency, sum(amount_minor)::float8 AS s FROM w
                 WHERE (g.issuer IS NULL OR (w.issuer = g.issuer AND w.method = g.method AND w.gateway IS NOT DISTINCT FROM g.gateway)) GROUP BY currency) c) AS currencies,
              (SELECT jsonb_object_agg(error_code, n) FROM (SELECT error_code, count(*)::int AS n FROM w
                 WHERE status = 'failed' AND error_code IS NOT NULL
                   AND (g.issuer IS NULL OR (w.issuer = g.issuer AND w.method = g.method AND w.gateway IS NOT DISTINCT FROM g.gateway)) GROUP BY error_code) e) AS codes
  FROM (
    SELECT gateway, issuer, method, count(*)::int AS volume, count(*) FILTER (WHERE status = 'success')::int AS successes,
      count(*) FILTER (WHERE retry_count > 0)::int AS retries, count(*) FILTER (WHERE retry_count > 0 AND status = 'success')::int AS retry_successes,
      sum(amount_minor)::float8 AS amount, avg(latency_ms) AS latency_mean, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
    FROM w GROUP BY GROUPING SETS ((), (gateway, issuer, method))
  ) g`;

function assertMatches(rolled: DimensionMetrics | undefined, scan: Scanned, where: string): void {
  assert.ok(rolled, where);
  assert.deepEqual(
    [rolled.volume, rolled.successes, rolled.retries, rolled.retrySuccesses, rolled.amountMinorSum],
    [scan.volume, scan.successes, scan.retries, scan.retry_successes, scan.amount],
    `${where}: counts and sums`,
  );
  assert.deepEqual(rolled.amountMinorByCurrency, scan.currencies, `${where}: amounts per currency`);
  assert.deepEqual(rolled.errorCodeCounts, scan.codes ?? {}, `${where}: error codes`);
  assert.ok(
    Math.abs(rolled.latencyMeanMs - scan.latency_mean) <= 1e-9 * Math.max(1, scan.latency_mean),
    `${where}: mean ${rolled.latencyMeanMs} vs ${scan.latency_mean}`,
  );
  assert.ok(
    Math.abs(rolled.latencyP95Ms - scan.p95) <= MAX_RELATIVE_ERROR * scan.p95 * (1 + 1e-9),
    `${where}: p95 ${rolled.latencyP95Ms} vs exact ${scan.p95}`,
  );
}

const drawn = fc.record({
  offsetMs: fc.integer({ min: -2_000, max: windowMs + 2_000 }),
  issuer: fc.constantFrom('HDFC', 'ICICI', 'AXIS', 'SBI'),
  method: fc.constantFrom('card', 'upi'),
  gateway: fc.constantFrom(undefined, 'pg_a', 'pg_b'),
  failed: fc.boolean(),
  errorCode: fc.constantFrom(null, 'TIMEOUT', 'U30'),
  latencyMs: drawnLatencyMs,
  retryCount: fc.integer({ min: 0, max: 2 }),
  amountMinor: fc.integer({ min: 0, max: 2 ** 40 }),
  currency: fc.constantFrom('INR', 'USD'),
  resend: fc.boolean(),
});

let run = 0;
it('rollups merged per window equal a scan of its rows: counts and sums exactly, p95 within 1%', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(drawn, { minLength: 1, maxLength: 150 }), fc.integer({ min: 1, max: 40 }), async (draws, batchSize) => {
      run += 1;
      const start = Date.parse('2026-09-01T00:00:00Z') + run * 10 * windowMs;
      const rows: Transaction[] = draws.map((d, i) => drawnTransaction(`r${run}-${i}`, start, d));
      // Several statements per window, some resending rows an earlier one stored (never counted twice).
      for (let i = 0; i < rows.length; i += batchSize) {
        const resent = rows.slice(0, i).filter((_, k) => draws[k]!.resend);
        await insertTransactionBatch(db, [...rows.slice(i, i + batchSize), ...resent], placement);
      }
      const metrics = await aggregateWindow(db, start, start + windowMs, Infinity);
      const { rows: scanned } = await db.pool.query<Scanned>(scanSql, [new Date(start), new Date(start + windowMs)]);
      const whole = scanned.find((s) => s.issuer === null);
      if (!whole || whole.volume === 0) {
        assert.equal(metrics.system.volume, 0);
        return;
      }
      assertMatches(metrics.system, whole, 'system');
      for (const cell of scanned.filter((s) => s.issuer !== null)) {
        if (cell.gateway === null) continue;
        assertMatches(metrics.gatewayCells[cell.gateway]?.[cell.issuer!]?.[cell.method!], cell, `${cell.gateway}/${cell.issuer}/${cell.method}`);
      }
      const cells = scanned.filter((s) => s.issuer !== null);
      assert.equal(
        Object.values(metrics.issuerMethods)
          .flatMap((m) => Object.values(m))
          .reduce((sum, m) => sum + m.volume, 0),
        whole.volume,
      );
      assert.equal(
        cells.reduce((sum, c) => sum + c.volume, 0),
        whole.volume,
      );
    }),
    { numRuns: 40 },
  );
});

it('a late row lands in the rollup of the window it counts in, its arrival, and only there', async () => {
  const late = makeTransaction({ timestamp: new Date(Date.now() - 2 * 3_600_000).toISOString(), latencyMs: 321 });
  const before = Date.now();
  await insertTransactions(db, [late], { ...placement, lateAfterSeconds: 5 });
  const after = Date.now();
  const { rows } = await db.pool.query<{ window_time: Date }>('SELECT window_time FROM transactions WHERE id = $1', [late.id]);
  const windowTime = rows[0]!.window_time.getTime();
  assert.ok(windowTime >= before - 5_000 - 50 && windowTime <= after - 5_000 + 50);
  const arrival = windowStartFor(windowTime, windowMs);
  const { rows: rollups } = await db.pool.query<{ window_time: Date; volume: number; latency_sum_ms: number }>(
    'SELECT window_time, volume, latency_sum_ms FROM window_rollups WHERE window_time >= $1',
    [new Date(Date.parse(late.timestamp) - windowMs)],
  );
  assert.deepEqual(rollups, [{ window_time: new Date(arrival), volume: 1, latency_sum_ms: 321 }]);
  assert.equal((await aggregateWindow(db, arrival, arrival + windowMs, Infinity)).system.volume, 1);
  const eventWindow = windowStartFor(Date.parse(late.timestamp), windowMs);
  assert.equal((await aggregateWindow(db, eventWindow, eventWindow + windowMs, Infinity)).system.volume, 0);
});
