import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { observe } from '../../src/agent/observe';
import type { DimensionMetrics, Transaction, WindowMetrics } from '../../src/agent/types';
import type { Database } from '../../src/db/client';
import { openMigratedDatabase } from '../../src/db/migrate';
import { insertTransactions } from '../../src/db/transactions';
import { aggregateWindow } from '../../src/db/windows';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
let db: Database;
before(async () => {
  database = await createTestDatabase('windows');
  db = await openMigratedDatabase({ url: database.url, pool_size: 4, connect_timeout_ms: 2_000, statement_timeout_ms: 10_000 });
});
after(async () => {
  await db.close();
  await database.drop();
});

const start = Date.parse('2026-11-24T06:00:00Z');
const end = start + 60_000;

function assertClose(actual: DimensionMetrics, expected: DimensionMetrics, where: string): void {
  const { latencyMeanMs, latencyP95Ms, ...exact } = actual;
  const { latencyMeanMs: mean, latencyP95Ms: p95, ...expectedExact } = expected;
  assert.deepEqual(exact, expectedExact, where);
  assert.ok(Math.abs(latencyMeanMs - mean) < 1e-6, `${where} mean ${latencyMeanMs} vs ${mean}`);
  assert.ok(Math.abs(latencyP95Ms - p95) < 1e-6, `${where} p95 ${latencyP95Ms} vs ${p95}`);
}

function assertSameWindow(sql: WindowMetrics, folded: WindowMetrics): void {
  assert.equal(sql.start, folded.start);
  assert.equal(sql.end, folded.end);
  assertClose(sql.system, folded.system, 'system');
  for (const dimension of ['issuers', 'methods'] as const) {
    assert.deepEqual(Object.keys(sql[dimension]).sort(), Object.keys(folded[dimension]).sort());
    for (const key of Object.keys(folded[dimension])) assertClose(sql[dimension][key]!, folded[dimension][key]!, `${dimension} ${key}`);
  }
  assert.deepEqual(Object.keys(sql.issuerMethods).sort(), Object.keys(folded.issuerMethods).sort());
  for (const [issuer, row] of Object.entries(folded.issuerMethods)) {
    for (const [method, cell] of Object.entries(row)) assertClose(sql.issuerMethods[issuer]![method]!, cell, `${issuer}/${method}`);
  }
}

const transactionArb = fc.record({
  offsetMs: fc.integer({ min: -5_000, max: 65_000 }),
  issuer: fc.constantFrom('HDFC', 'ICICI', 'AXIS'),
  method: fc.constantFrom('card', 'upi'),
  failed: fc.boolean(),
  errorCode: fc.constantFrom(null, 'TIMEOUT', 'INSUFFICIENT_FUNDS'),
  latencyMs: fc.integer({ min: 0, max: 5_000 }),
  retryCount: fc.integer({ min: 0, max: 3 }),
  amountMinor: fc.integer({ min: 0, max: 10_000_000 }),
});

// Rows within this much of their event time keep it as their window time; these are all on time.
const onTime = 100 * 365 * 86_400;

let batch = 0;
it('gives the same window metrics by SQL as the core folds in memory, edges of the window included', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(transactionArb, { minLength: 0, maxLength: 60 }), async (drawn) => {
      batch += 1;
      const transactions: Transaction[] = drawn.map((d, i) =>
        makeTransaction({
          id: `w${batch}-${i}`,
          timestamp: new Date(start + d.offsetMs + batch * 3_600_000).toISOString(),
          issuer: d.issuer,
          method: d.method,
          status: d.failed ? 'failed' : 'success',
          errorCode: d.failed ? d.errorCode : null,
          latencyMs: d.latencyMs,
          retryCount: d.retryCount,
          amountMinor: d.amountMinor,
        }),
      );
      if (transactions.length) await insertTransactions(db, transactions, onTime);
      const window = { start: start + batch * 3_600_000, end: end + batch * 3_600_000 };
      assertSameWindow(await aggregateWindow(db, window.start, window.end), observe(window, transactions));
    }),
    { numRuns: 40 },
  );
});

it('counts a row that arrives after its window may have been judged in the window of its arrival, once', async () => {
  const old = makeTransaction({ id: 'late-arrival', timestamp: new Date(Date.now() - 3_600_000).toISOString() });
  const before = Date.now();
  await insertTransactions(db, [old], 1);
  const after = Date.now();
  const { rows } = await db.pool.query<{ event_time: Date; window_time: Date }>('SELECT event_time, window_time FROM transactions WHERE id = $1', [old.id]);
  assert.equal(rows[0]!.event_time.toISOString(), old.timestamp);
  const windowTime = rows[0]!.window_time.getTime();
  assert.ok(windowTime >= before - 1_000 - 50 && windowTime <= after - 1_000 + 50, 'placed at its arrival less the lateness allowance');
  const arrivalWindow = await aggregateWindow(db, windowTime - 1, windowTime + 1);
  assert.equal(arrivalWindow.system.volume, 1);
  const eventWindow = await aggregateWindow(db, Date.parse(old.timestamp) - 1, Date.parse(old.timestamp) + 1);
  assert.equal(eventWindow.system.volume, 0, 'not also counted in the window of its event time');
});
