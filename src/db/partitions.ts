// Time partitions of transactions and window_rollups (migration 0006_partitioned_transactions):
// created ahead, dropped whole once expired (never a bulk DELETE of rows), and rows that landed in
// a table's default partition (a window with no partition yet) moved into a partition of their own.
import type pg from 'pg';
import { MS_PER_HOUR, MS_PER_SECOND, type Transaction } from '../agent';
import { inTransaction, withPostgres, type Database, type Queryable } from './client';
import { periodicStep, type PeriodicStep } from './periodic';
import type { RetentionSettings } from './retention';

/** Tables partitioned alike by window_time, whose partitions are created and dropped together. */
export const partitionedTables = ['transactions', 'window_rollups'] as const;
export type PartitionedTable = (typeof partitionedTables)[number];

/** Where a table's rows go while their window has no partition. */
export const defaultPartitionOf = (table: PartitionedTable): string => `${table}_default`;

// Every change to partitions holds this transaction-level advisory lock, so two processes never
// create or drop the same partition at once; each re-reads the partitions once it holds it.
const partitionLockKey = 7_310_426;
// DDL waits behind a long statement at most this long, rather than queueing every insert behind it.
const lockTimeout = '10s';

/** [from, to) in epoch ms. */
interface Range {
  from: number;
  to: number;
}

interface Partition extends Range {
  name: string;
}

/** The range partitions of a table (the default one has no range, and is not listed). */
export async function partitionsOf(client: Queryable, table: PartitionedTable): Promise<Partition[]> {
  const { rows } = await client.query<{ name: string; from: Date; to: Date }>(
    `SELECT c.relname AS name, b[1]::timestamptz AS "from", b[2]::timestamptz AS "to"
     FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''(.+)''\\) TO \\(''(.+)''\\)') AS b
     WHERE i.inhparent = $1::regclass AND b IS NOT NULL
     ORDER BY 2`,
    [table],
  );
  return rows.map((row) => ({ name: row.name, from: row.from.getTime(), to: row.to.getTime() }));
}

/** The grid ranges of `hours` (aligned to UTC midnight, as hours divides 24) that meet [from, to). */
function gridRanges(from: number, to: number, hours: number): Range[] {
  const size = hours * MS_PER_HOUR;
  const ranges: Range[] = [];
  for (let start = Math.floor(from / size) * size; start < to; start += size) ranges.push({ from: start, to: start + size });
  return ranges;
}

/** The parts of `wanted` no existing partition covers (partitions made under another partition_hours may overlap it). */
function gaps(wanted: Range, existing: readonly Range[]): Range[] {
  const out: Range[] = [];
  let from = wanted.from;
  for (const range of existing) {
    if (range.to <= from || range.from >= wanted.to) continue;
    if (range.from > from) out.push({ from, to: range.from });
    from = Math.max(from, range.to);
  }
  if (from < wanted.to) out.push({ from, to: wanted.to });
  return out;
}

function partitionName(table: PartitionedTable, from: number): string {
  const iso = new Date(from).toISOString();
  return `${table}_p${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

const literal = (at: number) => `'${new Date(at).toISOString()}'`;

async function lockPartitions(client: pg.PoolClient): Promise<void> {
  await client.query(`SET LOCAL lock_timeout = '${lockTimeout}'`);
  await client.query('SELECT pg_advisory_xact_lock($1)', [partitionLockKey]);
}

/**
 * Creates the partition for `range` (under the partition lock). The table is built on its own,
 * given the rows of its range that wait in the default partition, then attached: creating it as a
 * partition directly would fail while the default partition holds such rows. Inserts into the
 * default partition wait meanwhile; one that waited and belongs to the new partition fails with
 * check_violation, which the insert runs again (src/db/transactions.ts).
 */
async function createPartition(client: pg.PoolClient, table: PartitionedTable, range: Range): Promise<string> {
  const name = partitionName(table, range.from);
  const fallback = defaultPartitionOf(table);
  await client.query(`LOCK TABLE "${fallback}" IN EXCLUSIVE MODE`);
  await client.query(`CREATE TABLE "${name}" (LIKE "${table}" INCLUDING DEFAULTS)`);
  await client.query(
    `WITH moved AS (DELETE FROM "${fallback}" WHERE window_time >= $1 AND window_time < $2 RETURNING *)
     INSERT INTO "${name}" SELECT * FROM moved`,
    [new Date(range.from), new Date(range.to)],
  );
  await client.query(`ALTER TABLE "${table}" ATTACH PARTITION "${name}" FOR VALUES FROM (${literal(range.from)}) TO (${literal(range.to)})`);
  return name;
}

/**
 * Creates, under the lock, every part of `wanted` still missing a partition, for every table in
 * one transaction: an insert caught by the change fails once, not once per table. Returns the names.
 */
async function createMissing(db: Database, wanted: readonly Range[]): Promise<string[]> {
  return inTransaction(db, async (client) => {
    await lockPartitions(client);
    const created: string[] = [];
    for (const table of partitionedTables) {
      const existing = await partitionsOf(client, table);
      for (const range of wanted) for (const gap of gaps(range, existing)) created.push(await createPartition(client, table, gap));
    }
    return created;
  });
}

/**
 * Partitions of `partitionHours` for every window time in [from, to), for each partitioned table.
 * Idempotent, and safe when processes race: one creates, the others then find the partitions made.
 * Returns the names of the partitions created.
 */
export async function ensurePartitions(db: Database, from: Date, to: Date, partitionHours: number): Promise<string[]> {
  const wanted = gridRanges(from.getTime(), to.getTime(), partitionHours);
  // Read without the lock first: the usual call finds everything in place and changes nothing.
  for (const table of partitionedTables) {
    const existing = await withPostgres(() => partitionsOf(db.pool, table));
    if (wanted.some((range) => gaps(range, existing).length > 0)) return createMissing(db, wanted);
  }
  return [];
}

/** Checks the partitions of a batch's windows before it is inserted; see createPartitionGuard. */
export type PartitionGuard = (rows: readonly Transaction[]) => Promise<void>;

/** Partition starts remembered per process before the set is forgotten and read again. */
const maxRememberedPartitions = 10_000;

/**
 * Creates the partitions a batch's windows need and the scheduler has not made (it makes a day
 * ahead; event times may be further ahead when ingest.max_clock_skew_seconds allows), so rows
 * never wait in a default partition to be moved. A row's window time is taken as the insert takes
 * it, by this process's clock (a row placed a moment off lands in the default partition, drained
 * later). Partitions known to exist are remembered, so the usual batch costs no query.
 */
export function createPartitionGuard(db: Database, partitionHours: number, lateAfterSeconds: number): PartitionGuard {
  const size = partitionHours * MS_PER_HOUR;
  const known = new Set<number>();
  return async (rows) => {
    const earliest = Date.now() - lateAfterSeconds * MS_PER_SECOND;
    const missing = new Set<number>();
    for (const row of rows) {
      const start = Math.floor(Math.max(Date.parse(row.timestamp), earliest) / size) * size;
      if (!known.has(start)) missing.add(start);
    }
    if (known.size + missing.size > maxRememberedPartitions) known.clear();
    for (const start of missing) {
      await ensurePartitions(db, new Date(start), new Date(start + 1), partitionHours);
      known.add(start);
    }
  };
}

/** Most partitions one drain creates per table, so a scheduler step stays short; the next one goes on. */
const maxDrainPartitions = 24;

/**
 * Moves rows that landed in a default partition into partitions of their own (created for their
 * window times), oldest first. Returns the partitions created and whether rows are left.
 */
export async function drainDefaultPartition(db: Database, partitionHours: number): Promise<{ created: string[]; more: boolean }> {
  const created: string[] = [];
  let more = false;
  for (const table of partitionedTables) {
    for (let n = 0; ; n += 1) {
      const { rows } = await withPostgres(() =>
        db.pool.query<{ oldest: Date | null }>(`SELECT min(window_time) AS oldest FROM "${defaultPartitionOf(table)}"`),
      );
      const oldest = rows[0]?.oldest;
      if (!oldest) break;
      if (n === maxDrainPartitions) {
        more = true;
        break;
      }
      created.push(...(await createMissing(db, gridRanges(oldest.getTime(), oldest.getTime() + 1, partitionHours))));
    }
  }
  return { created, more };
}

/**
 * Drops every partition whose windows all ended `retentionHours` or more before `now`: a whole
 * table at a time, never a DELETE of rows. Returns the names dropped.
 */
export async function dropExpiredPartitions(db: Database, now: Date, retentionHours: number): Promise<string[]> {
  const cutoff = now.getTime() - retentionHours * MS_PER_HOUR;
  const dropped: string[] = [];
  for (const table of partitionedTables) {
    const expired = (await withPostgres(() => partitionsOf(db.pool, table))).filter((partition) => partition.to <= cutoff);
    if (expired.length === 0) continue;
    await inTransaction(db, async (client) => {
      await lockPartitions(client);
      for (const partition of await partitionsOf(client, table)) {
        if (partition.to > cutoff) continue;
        await client.query(`DROP TABLE "${partition.name}"`);
        dropped.push(partition.name);
      }
    });
  }
  return dropped;
}

/**
 * Deletes idempotency keys older than the dedup horizon, `batchRows` at a time, for at most
 * `budgetMs`. Only garbage collection: the insert already treats such a key as absent.
 */
export async function pruneTransactionIds(
  db: Database,
  now: Date,
  horizonHours: number,
  batchRows: number,
  budgetMs: number,
): Promise<{ deleted: number; more: boolean }> {
  const cutoff = new Date(now.getTime() - horizonHours * MS_PER_HOUR);
  const started = Date.now();
  let deleted = 0;
  for (;;) {
    const { rowCount } = await withPostgres(() =>
      db.pool.query(`DELETE FROM transaction_ids WHERE ctid = ANY(ARRAY(SELECT ctid FROM transaction_ids WHERE window_time < $1 LIMIT $2))`, [
        cutoff,
        batchRows,
      ]),
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batchRows) return { deleted, more: false };
    if (Date.now() - started >= budgetMs) return { deleted, more: true };
  }
}

export interface PartitionReport {
  created: string[];
  dropped: string[];
  keysDeleted: number;
}

/** A partition keeper run may be called again at once while work is left, as a pruner is. */
export type PartitionKeeper = PeriodicStep<PartitionReport>;

/** Partitions stand ready this far ahead of the clock. */
const aheadMs = 24 * MS_PER_HOUR;
/** Well inside a scheduler step's 5 s. */
const keyPruneBudgetMs = 2_000;

/**
 * The scheduler's partition step, every `prune_interval_seconds` (at once while work is left):
 * partitions a day ahead, the default partitions drained, expired partitions dropped, expired
 * idempotency keys deleted.
 */
export function createPartitionKeeper(db: Database, settings: RetentionSettings): PartitionKeeper {
  return periodicStep(async (now) => {
    const created = await ensurePartitions(db, now, new Date(now.getTime() + aheadMs), settings.partition_hours);
    const drained = await drainDefaultPartition(db, settings.partition_hours);
    const dropped = await dropExpiredPartitions(db, now, settings.transactions_hours);
    const keys = await pruneTransactionIds(db, now, settings.dedup_horizon_hours, settings.prune_batch_rows, keyPruneBudgetMs);
    return {
      report: { created: [...created, ...drained.created], dropped, keysDeleted: keys.deleted },
      nextDue: drained.more || keys.more ? 0 : now.getTime() + settings.prune_interval_seconds * MS_PER_SECOND,
    };
  });
}
