import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { observe, type DimensionMetrics, type Transaction, type WindowMetrics } from '../../src/agent';
import { createDatabase, type Database } from '../../src/db/client';
import { compactableWindows, compactRecentRollups, compactRollups, createRollupCompactor } from '../../src/db/rollup-compaction';
import { insertTransactionBatch, type Placement } from '../../src/db/transactions';
import { aggregateWindow } from '../../src/db/windows';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { drawnLatencyMs, drawnTransaction, makeTransaction } from '../support/transactions';

let database: TestDatabase;
let db: Database;
let close: () => Promise<void>;
before(async () => ({ database, db, close } = await openTestDatabase('rollup_compaction', 4)));
after(() => close());

const windowSeconds = 30;
const windowMs = windowSeconds * 1_000;
// Every row counts in the window of its event time, however old.
const placement: Placement = { lateAfterSeconds: 100 * 365 * 86_400, windowSeconds, dedupHorizonHours: 100 * 365 * 24 };
const epoch = Date.parse('2026-10-01T00:00:00Z');

const drawn = fc.record({
  offsetMs: fc.integer({ min: 0, max: windowMs - 1 }),
  issuer: fc.constantFrom('HDFC', 'ICICI', 'AXIS'),
  method: fc.constantFrom('card', 'upi'),
  gateway: fc.constantFrom(undefined, 'pg_a', 'pg_b'),
  failed: fc.boolean(),
  errorCode: fc.constantFrom(null, 'TIMEOUT', 'U30', 'U69'),
  latencyMs: drawnLatencyMs,
  retryCount: fc.integer({ min: 0, max: 2 }),
  amountMinor: fc.integer({ min: 0, max: 2 ** 40 }),
  currency: fc.constantFrom('INR', 'USD', 'EUR'),
});
type Drawn = typeof drawn extends fc.Arbitrary<infer T> ? T : never;

/** Every entry of a window by its path (`issuers/HDFC`, `gatewayCells/pg_a/HDFC/upi`, ...). */
function entries(node: object, path = '', out = new Map<string, DimensionMetrics>()): Map<string, DimensionMetrics> {
  if ('volume' in node) return out.set(path, node as DimensionMetrics);
  for (const [key, child] of Object.entries(node)) if (typeof child === 'object') entries(child, path ? `${path}/${key}` : key, out);
  return out;
}

/**
 * Equal entry for entry: counts, sums, amounts per currency, error codes and p95 (from the same
 * histogram) exactly; the latency mean to rounding, as latency sums of fractional milliseconds
 * added in another grouping may differ in their last bit.
 */
function assertSameWindow(actual: WindowMetrics, expected: WindowMetrics, what: string): void {
  const [got, want] = [entries(actual), entries(expected)];
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: entries`);
  for (const [path, metrics] of want) {
    const { latencyMeanMs, ...exact } = got.get(path)!;
    const { latencyMeanMs: mean, ...expectedExact } = metrics;
    assert.deepEqual(exact, expectedExact, `${what}: ${path}`);
    assert.ok(Math.abs(latencyMeanMs - mean) <= 1e-9 * Math.max(1, mean), `${what}: ${path} mean ${latencyMeanMs} vs ${mean}`);
  }
}

async function rollupRows(start: number): Promise<{ rows: number; cells: number }> {
  const { rows } = await db.pool.query<{ rows: number; cells: number }>(
    'SELECT count(*)::int AS rows, count(DISTINCT (issuer, method, gateway))::int AS cells FROM window_rollups WHERE window_time = $1',
    [new Date(start)],
  );
  return rows[0]!;
}

/** The window's transactions as stored, read back by a scan of the table. */
async function storedTransactions(start: number): Promise<Transaction[]> {
  const { rows } = await db.pool.query<{
    id: string;
    event_time: Date;
    issuer: string;
    method: string;
    status: 'success' | 'failed';
    amount_minor: string;
    currency: string;
    latency_ms: number;
    retry_count: number;
    error_code: string | null;
    gateway: string | null;
  }>('SELECT * FROM transactions WHERE window_time >= $1 AND window_time < $2', [new Date(start), new Date(start + windowMs)]);
  return rows.map((row) =>
    makeTransaction({
      id: row.id,
      timestamp: row.event_time.toISOString(),
      issuer: row.issuer,
      method: row.method,
      status: row.status,
      amountMinor: Number(row.amount_minor),
      currency: row.currency,
      latencyMs: row.latency_ms,
      retryCount: row.retry_count,
      errorCode: row.error_code,
      gateway: row.gateway ?? undefined,
    }),
  );
}

let run = 0;
it('a window compacted to one rollup row per cell aggregates exactly as its uncompacted rows did', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(drawn, { minLength: 1, maxLength: 200 }),
      fc.integer({ min: 1, max: 25 }),
      fc.integer({ min: 2, max: 60 }),
      async (draws, batchSize, maxRows) => {
        run += 1;
        const start = epoch + run * 10 * windowMs;
        const rows = draws.map((d, i) => drawnTransaction(`c${run}-${i}`, start, d));
        for (let i = 0; i < rows.length; i += batchSize) await insertTransactionBatch(db, rows.slice(i, i + batchSize), placement);
        const uncompacted = await aggregateWindow(db, start, start + windowMs, Infinity);
        const { cells } = await rollupRows(start);
        // maxRows below the window's rows merges it a part at a time, as a scheduler step bounded by it does.
        for (let calls = 0; (await rollupRows(start)).rows > cells; calls += 1) {
          assert.ok(calls < 1_000, 'compaction makes progress');
          assert.ok(await compactRollups(db, new Date(start), maxRows));
        }
        assert.deepEqual(await rollupRows(start), { rows: cells, cells });
        assertSameWindow(await aggregateWindow(db, start, start + windowMs, Infinity), uncompacted, 'compacted');
        assertSameWindow(uncompacted, observe({ start, end: start + windowMs }, rows), 'against the rows');
      },
    ),
    { numRuns: 30 },
  );
});

it('a window with attempts without a gateway keeps them in cells of their own', async () => {
  const start = epoch - 10 * windowMs;
  const base: Drawn = {
    offsetMs: 0,
    issuer: 'HDFC',
    method: 'upi',
    gateway: undefined,
    failed: false,
    errorCode: null,
    latencyMs: 120,
    retryCount: 0,
    amountMinor: 1_000,
    currency: 'INR',
  };
  const rows = Array.from({ length: 60 }, (_, i) =>
    drawnTransaction(`null-gw-${i}`, start, {
      ...base,
      offsetMs: i * 100,
      gateway: i % 3 === 0 ? 'pg_a' : undefined,
      method: i % 2 ? 'upi' : 'card',
      failed: i % 5 === 0,
      errorCode: 'U30',
      latencyMs: 100 + i,
    }),
  );
  for (let i = 0; i < rows.length; i += 7) await insertTransactionBatch(db, rows.slice(i, i + 7), placement);
  const uncompacted = await aggregateWindow(db, start, start + windowMs, Infinity);
  assert.deepEqual(await compactableWindows(db, new Date(start), windowSeconds), [{ windowTime: new Date(start), rows: (await rollupRows(start)).rows }]);
  await compactRollups(db, new Date(start));
  const { rows: stored } = await db.pool.query<{ method: string; gateway: string | null; volume: number }>(
    'SELECT method, gateway, volume FROM window_rollups WHERE window_time = $1 ORDER BY method, gateway NULLS FIRST',
    [new Date(start)],
  );
  assert.deepEqual(stored, [
    { method: 'card', gateway: null, volume: 20 },
    { method: 'card', gateway: 'pg_a', volume: 10 },
    { method: 'upi', gateway: null, volume: 20 },
    { method: 'upi', gateway: 'pg_a', volume: 10 },
  ]);
  assert.deepEqual(await compactableWindows(db, new Date(start), windowSeconds), [], 'nothing left to compact');
  assertSameWindow(await aggregateWindow(db, start, start + windowMs, Infinity), uncompacted, 'compacted');
});

it('compaction running while several connections ingest into the same windows loses and doubles nothing', async () => {
  const start = epoch - 100 * windowMs;
  const windows = [start, start + windowMs, start + 2 * windowMs];
  const writers = 4;
  const statementsEach = 40;
  const rng = fc.sample(fc.array(drawn, { minLength: 1, maxLength: 30 }), { numRuns: writers * statementsEach, seed: 14 });
  // Each writer its own pool, so statements really run side by side; ids shared between writers
  // (every fifth statement resends the previous writer's) are stored once.
  const pools = Array.from({ length: writers }, () =>
    createDatabase({ url: database.url, pool_size: 1, connect_timeout_ms: 2_000, statement_timeout_ms: 10_000 }),
  );
  let ingesting = true;
  let compacted = 0;
  try {
    const batchOf = (w: number, s: number) =>
      rng[w * statementsEach + s]!.map((d, i) => drawnTransaction(`cc-${w}-${s}-${i}`, windows[(s + i) % windows.length]!, d));
    const ingest = Promise.all(
      pools.map(async (pool, w) => {
        for (let s = 0; s < statementsEach; s += 1) {
          const resent = s % 5 === 0 ? batchOf((w + 1) % writers, s) : [];
          await insertTransactionBatch(pool, [...batchOf(w, s), ...resent], placement);
        }
      }),
    ).finally(() => {
      ingesting = false;
    });
    // Two compactors, as two schedulers would run, over the windows as they fill.
    const compactors = [0, 1].map(async () => {
      while (ingesting) compacted += (await compactRecentRollups(db, new Date(windows[1]!), windowSeconds)).merged;
    });
    await Promise.all([ingest, ...compactors]);
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
  assert.ok(compacted > 0, 'compaction ran while rows arrived');
  await compactRecentRollups(db, new Date(windows[1]!), windowSeconds);
  for (const at of windows) {
    const { rows, cells } = await rollupRows(at);
    assert.equal(rows, cells, 'one row per cell once ingest stops');
    const stored = await storedTransactions(at);
    assert.equal(new Set(stored.map((tx) => tx.id)).size, stored.length);
    assertSameWindow(await aggregateWindow(db, at, at + windowMs, Infinity), observe({ start: at, end: at + windowMs }, stored), `window ${at}`);
  }
  const expected = new Set(rng.flatMap((batch, k) => batch.map((_, i) => `cc-${Math.floor(k / statementsEach)}-${k % statementsEach}-${i}`)));
  const total = (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM transactions WHERE id LIKE 'cc-%'")).rows[0]!.n;
  assert.equal(total, expected.size, 'every transaction stored once');
});

it('the scheduler step runs every interval and once as each window settles, and not in between', async () => {
  const start = epoch + 5_000 * windowMs;
  const compact = createRollupCompactor(db, { windowSeconds, intervalSeconds: 10, settleSeconds: 1 });
  const feed = async (tag: string) => {
    for (let i = 0; i < 3; i += 1)
      await insertTransactionBatch(db, [makeTransaction({ id: `step-${tag}-${i}`, timestamp: new Date(start + 1_000).toISOString() })], placement);
  };
  await feed('a');
  assert.equal((await compact(new Date(start + 2_000)))?.merged, 3);
  await feed('b');
  assert.equal(await compact(new Date(start + 11_000)), null, 'not due before its interval');
  assert.equal((await compact(new Date(start + 12_000)))?.merged, 4);
  await feed('c');
  assert.equal((await compact(new Date(start + 22_000)))?.merged, 4);
  assert.deepEqual(await rollupRows(start), { rows: 1, cells: 1 });
  await feed('d');
  // Due at start + 32 s by its interval; the window's end plus the settling second comes first.
  assert.equal(await compact(new Date(start + windowMs + 500)), null, 'not due before the window has settled');
  assert.equal((await compact(new Date(start + windowMs + 1_000)))?.merged, 4);
});
