import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createDatabase, type Database } from '../../src/db/client';
import { openMigratedDatabase } from '../../src/db/migrate';
import {
  createPartitionGuard,
  createPartitionKeeper,
  drainDefaultPartition,
  dropExpiredPartitions,
  ensurePartitions,
  partitionsOf,
  pruneTransactionIds,
} from '../../src/db/partitions';
import { insertTransactionBatch, type Placement } from '../../src/db/transactions';
import { loadConfig } from '../../src/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
let db: Database;
let rival: Database;
before(async () => {
  database = await createTestDatabase('partitions');
  const options = { url: database.url, pool_size: 4, connect_timeout_ms: 2_000, statement_timeout_ms: 10_000 };
  db = await openMigratedDatabase(options);
  rival = createDatabase(options);
});
after(async () => {
  await Promise.all([db.close(), rival.close()]);
  await database.drop();
});

const HOUR = 3_600_000;
const day = Date.parse('2026-03-01T00:00:00Z');
// Every row keeps its event time as window time, however old.
const onTime: Placement = { lateAfterSeconds: 100 * 365 * 86_400, windowSeconds: 60, dedupHorizonHours: 100 * 365 * 24 };

const names = async (table: 'transactions' | 'window_rollups') => (await partitionsOf(db.pool, table)).map((p) => p.name);
const rowsIn = async (relation: string) => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${relation}"`)).rows[0]!.n;
const at = (ms: number, extra: Record<string, unknown> = {}) => makeTransaction({ timestamp: new Date(ms).toISOString(), ...extra });

it('creates partitions ahead once, even when two processes race to create them', async () => {
  const [a, b] = await Promise.all([
    ensurePartitions(db, new Date(day), new Date(day + 3 * HOUR), 1),
    ensurePartitions(rival, new Date(day + 30 * 60_000), new Date(day + 3 * HOUR), 1),
  ]);
  assert.deepEqual([...a, ...b].sort(), [
    'transactions_p20260301_0000',
    'transactions_p20260301_0100',
    'transactions_p20260301_0200',
    'window_rollups_p20260301_0000',
    'window_rollups_p20260301_0100',
    'window_rollups_p20260301_0200',
  ]);
  assert.deepEqual(await ensurePartitions(db, new Date(day), new Date(day + 3 * HOUR), 1), [], 'a second call creates nothing');
  const [first] = await partitionsOf(db.pool, 'transactions');
  assert.deepEqual([first!.from, first!.to], [day, day + HOUR]);

  await insertTransactionBatch(db, [at(day + 90 * 60_000)], onTime);
  assert.equal(await rowsIn('transactions_p20260301_0100'), 1, 'a row is routed to the partition of its window time');
  assert.equal(await rowsIn('window_rollups_p20260301_0100'), 1, 'and its rollup to the same hour');
});

it('fills only the gaps when partitions of another size already cover part of a range', async () => {
  const created = await ensurePartitions(db, new Date(day), new Date(day + 24 * HOUR), 24);
  assert.deepEqual(created, ['transactions_p20260301_0300', 'window_rollups_p20260301_0300']);
  const transactions = await partitionsOf(db.pool, 'transactions');
  assert.deepEqual(
    transactions.map((p) => [p.from - day, p.to - day]),
    [
      [0, HOUR],
      [HOUR, 2 * HOUR],
      [2 * HOUR, 3 * HOUR],
      [3 * HOUR, 24 * HOUR],
    ],
  );
});

it('drains rows of windows without a partition from the default partitions into partitions of their own', async () => {
  const later = Date.parse('2026-04-10T05:20:00Z');
  const rows = [at(later), at(later + 10 * 60_000, { issuer: 'SBI' }), at(later + 2 * HOUR)];
  assert.equal(await insertTransactionBatch(db, rows, onTime), 3);
  assert.equal(await rowsIn('transactions_default'), 3, 'no partition yet: the default one holds them');
  assert.ok((await rowsIn('window_rollups_default')) >= 2);
  const before = await db.pool.query('SELECT * FROM transactions WHERE window_time >= $1 ORDER BY id', [new Date(later)]);

  const { created, more } = await drainDefaultPartition(db, 1);
  assert.equal(more, false);
  assert.deepEqual(created.sort(), [
    'transactions_p20260410_0500',
    'transactions_p20260410_0700',
    'window_rollups_p20260410_0500',
    'window_rollups_p20260410_0700',
  ]);
  assert.equal(await rowsIn('transactions_default'), 0);
  assert.equal(await rowsIn('window_rollups_default'), 0);
  assert.equal(await rowsIn('transactions_p20260410_0500'), 2);
  const afterDrain = await db.pool.query('SELECT * FROM transactions WHERE window_time >= $1 ORDER BY id', [new Date(later)]);
  assert.deepEqual(afterDrain.rows, before.rows, 'every row moved whole, none lost or doubled');
  assert.deepEqual(await drainDefaultPartition(db, 1), { created: [], more: false });
});

it('drops expired partitions whole (rows and rollups) and keeps the rest', async () => {
  const now = new Date(day + 2 * HOUR + 168 * HOUR);
  await insertTransactionBatch(db, [at(day + 10 * 60_000), at(day + 2 * HOUR + 1)], onTime);
  const dropped = await dropExpiredPartitions(db, now, 168);
  assert.deepEqual(dropped.sort(), [
    'transactions_p20260301_0000',
    'transactions_p20260301_0100',
    'window_rollups_p20260301_0000',
    'window_rollups_p20260301_0100',
  ]);
  assert.ok(!(await names('transactions')).includes('transactions_p20260301_0000'));
  assert.ok((await names('transactions')).includes('transactions_p20260301_0200'), 'a partition with a window inside the retention stays');
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM transactions WHERE window_time < $1', [new Date(day + 2 * HOUR)]);
  assert.equal(rows[0]!.n, 0);
  const gone = await db.pool.query(`SELECT to_regclass('transactions_p20260301_0000') AS t, to_regclass('window_rollups_p20260301_0100') AS r`);
  assert.deepEqual(gone.rows, [{ t: null, r: null }], 'the tables themselves are gone: dropped, not emptied');
  assert.deepEqual(await dropExpiredPartitions(db, now, 168), [], 'nothing left to drop');
});

it('prunes idempotency keys past the dedup horizon in batches', async () => {
  const old = Date.parse('2025-01-01T00:00:00Z');
  await insertTransactionBatch(
    db,
    Array.from({ length: 25 }, (_, i) => at(old + i)),
    onTime,
  );
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM transaction_ids');
  const result = await pruneTransactionIds(db, new Date(old + 24 * HOUR), 12, 10, 60_000);
  assert.deepEqual(result, { deleted: 25, more: false });
  const left = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM transaction_ids');
  assert.equal(left.rows[0]!.n, rows[0]!.n - 25);
});

it('the scheduler step creates a day of partitions ahead and drops what the retention expired', async () => {
  const settings = { ...loadConfig({}).retention, partition_hours: 6, transactions_hours: 48 };
  const keep = createPartitionKeeper(db, settings);
  const now = new Date(Date.parse('2026-05-01T13:00:00Z'));
  const report = await keep(now);
  assert.ok(report);
  assert.ok(report.created.includes('transactions_p20260501_1200') && report.created.includes('transactions_p20260502_1200'), report.created.join());
  assert.ok(report.dropped.includes('transactions_p20260410_0500'), 'April is past 48 hours');
  assert.equal(await keep(new Date(now.getTime() + 1_000)), null, 'then waits prune_interval_seconds');
});

it('creates on demand the partitions of windows ahead of those the scheduler made, before the rows are inserted', async () => {
  const guard = createPartitionGuard(db, 1, 1);
  const ahead = Date.parse('2030-01-01T05:30:00Z');
  const rows = [at(ahead), at(ahead + 1_000), at(ahead + HOUR)];
  await guard(rows);
  assert.ok((await names('transactions')).includes('transactions_p20300101_0500'));
  assert.ok((await names('window_rollups')).includes('window_rollups_p20300101_0600'));
  await insertTransactionBatch(db, rows, { ...onTime, lateAfterSeconds: 1 });
  assert.equal(await rowsIn('transactions_default'), 0, 'nothing waits in the default partition');
  assert.equal(await rowsIn('transactions_p20300101_0500'), 2);

  // A late row counts in the window of its arrival: the partition made is the current one, not its event time's.
  const late = at(Date.parse('2026-02-01T00:00:00Z'));
  await guard([late]);
  assert.ok(!(await names('transactions')).includes('transactions_p20260201_0000'));
  await insertTransactionBatch(db, [late], { ...onTime, lateAfterSeconds: 1 });
  const { rows: placed } = await db.pool.query<{ partition: string }>('SELECT tableoid::regclass::text AS partition FROM transactions WHERE id = $1', [
    late.id,
  ]);
  assert.notEqual(placed[0]!.partition, 'transactions_default');
});
