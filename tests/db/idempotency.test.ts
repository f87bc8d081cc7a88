import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Transaction } from '../../src/agent';
import { createDatabase, type Database, type DatabaseOptions } from '../../src/db/client';
import { openMigratedDatabase } from '../../src/db/migrate';
import { ensurePartitions } from '../../src/db/partitions';
import { insertTransactionBatch, insertTransactions, type Placement } from '../../src/db/transactions';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
let options: DatabaseOptions;
let db: Database;
before(async () => {
  database = await createTestDatabase('idempotency');
  options = { url: database.url, pool_size: 4, connect_timeout_ms: 2_000, statement_timeout_ms: 10_000 };
  db = await openMigratedDatabase(options);
});
after(async () => {
  await db.close();
  await database.drop();
});

const HOUR = 3_600_000;
// Rows keep their event time as window time, and their keys stay, however old: but where a test
// narrows the horizon, placement is under test, not lateness or expiry.
const placement: Placement = { lateAfterSeconds: 100 * 365 * 86_400, windowSeconds: 60, dedupHorizonHours: 100 * 365 * 24 };

async function stored(id: string): Promise<{ copies: number; partitions: string[] }> {
  const { rows } = await db.pool.query<{ partition: string }>('SELECT tableoid::regclass::text AS partition FROM transactions WHERE id = $1', [id]);
  return { copies: rows.length, partitions: rows.map((row) => row.partition) };
}

/** Attempts the rollups count in [from, to): each stored row once, a skipped resend never. */
async function rolledUp(from: number, to: number): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    'SELECT coalesce(sum(volume), 0)::int AS n FROM window_rollups WHERE window_time >= $1 AND window_time < $2',
    [new Date(from), new Date(to)],
  );
  return rows[0]!.n;
}

it('keeps the first of an id resent within the horizon, even with an event time in the next partition', async () => {
  const boundary = Date.parse('2026-06-01T10:00:00Z');
  await ensurePartitions(db, new Date(boundary - HOUR), new Date(boundary + HOUR), 1);
  const first = makeTransaction({ timestamp: new Date(boundary - 100).toISOString(), issuer: 'HDFC' });
  const resent = { ...first, timestamp: new Date(boundary + 100).toISOString(), issuer: 'SBI' };
  assert.deepEqual(await insertTransactions(db, [first], placement), [first.id]);
  assert.deepEqual(await insertTransactions(db, [resent], placement), [], 'the resend is a duplicate');
  assert.equal(await insertTransactionBatch(db, [resent, resent], placement), 0, 'in a batch too');
  assert.deepEqual(await stored(first.id), { copies: 1, partitions: ['transactions_p20260601_0900'] });
  assert.equal(await rolledUp(boundary - HOUR, boundary + HOUR), 1, 'and counted once in the rollups');
  const { rows } = await db.pool.query<{ issuer: string }>('SELECT issuer FROM transactions WHERE id = $1', [first.id]);
  assert.equal(rows[0]!.issuer, 'HDFC', 'first write wins');
});

it('keeps an id resent a day later, within the horizon, a duplicate', async () => {
  const week: Placement = { ...placement, dedupHorizonHours: 168 };
  const first = makeTransaction({ timestamp: new Date(Date.now() - 30 * HOUR).toISOString() });
  assert.equal(await insertTransactionBatch(db, [first], week), 1);
  // Arriving now, late: it would count in the window of its arrival, were it new.
  assert.equal(await insertTransactionBatch(db, [first], { ...week, lateAfterSeconds: 1 }), 0);
  assert.equal((await stored(first.id)).copies, 1);
});

it('stores a resend as new once the first copy is older than the dedup horizon, as an expired idempotency key', async () => {
  const old = Date.now() - 3 * HOUR;
  const first = makeTransaction({ timestamp: new Date(old).toISOString() });
  const horizon: Placement = { ...placement, dedupHorizonHours: 2 };
  assert.equal(await insertTransactionBatch(db, [first], horizon), 1);
  const fresh = makeTransaction();
  // The key is still stored (nothing pruned it yet): the statement replaces it rather than skip the row.
  assert.deepEqual((await insertTransactions(db, [first, fresh], horizon)).sort(), [first.id, fresh.id].sort());
  assert.equal((await stored(first.id)).copies, 2, 'the first copy is still in its partition until that is dropped');
  const { rows } = await db.pool.query<{ window_time: Date }>('SELECT window_time FROM transaction_ids WHERE id = $1', [first.id]);
  assert.equal(rows[0]!.window_time.getTime(), old, 'the key now dates from the new copy (same event time, on time here)');
  assert.equal(await insertTransactionBatch(db, [first], { ...horizon, dedupHorizonHours: 4 }), 0, 'but within a longer horizon it is a duplicate');
});

it('stores each id exactly once when several connections resend the same ids at once', async () => {
  const at = Date.parse('2026-07-01T12:00:00Z');
  const ids: Transaction[] = Array.from({ length: 300 }, (_, i) =>
    makeTransaction({ timestamp: new Date(at + i * 100).toISOString(), issuer: ['HDFC', 'SBI', 'AXIS'][i % 3] }),
  );
  const senders = Array.from({ length: 6 }, () => createDatabase(options));
  try {
    // Each sender posts the ids in its own order and grouping: batches and single-row groups mixed.
    const rounds = await Promise.all(
      senders.map(async (sender, s) => {
        const order = s % 2 === 0 ? ids : [...ids].reverse();
        let accepted = 0;
        for (let i = 0; i < order.length; i += 50) {
          const chunk = order.slice(i, i + 50);
          accepted += s % 3 === 0 ? (await insertTransactions(sender, chunk, placement)).length : await insertTransactionBatch(sender, chunk, placement);
        }
        return accepted;
      }),
    );
    assert.equal(
      rounds.reduce((sum, n) => sum + n, 0),
      ids.length,
      'the senders together were told each id was new once',
    );
  } finally {
    await Promise.all(senders.map((sender) => sender.close()));
  }
  const { rows } = await db.pool.query<{ rows: number; distinct: number }>(
    'SELECT count(*)::int AS rows, count(DISTINCT id)::int AS distinct FROM transactions WHERE id = ANY($1)',
    [ids.map((tx) => tx.id)],
  );
  assert.deepEqual(rows, [{ rows: ids.length, distinct: ids.length }]);
  assert.equal(await rolledUp(at - HOUR, at + HOUR), ids.length, 'the rollups count each once too');
});
