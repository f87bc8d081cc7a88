import { bucketOf, type Transaction } from '../agent';
import { withPostgres, type Database } from './client';

interface Field {
  column: string;
  /** Postgres type of the column, and of the array that carries it into the insert. */
  type: string;
  value(row: Transaction): string | number | null;
}

/**
 * A transaction's fields as stored, in one order: the insert's arrays and columns and any COPY's
 * column list derive from it. window_time (derived, see insertTransactions) and received_at
 * (the commit's) are not sent.
 */
const fieldsByKey: { [K in keyof Transaction]-?: Field } = {
  id: { column: 'id', type: 'text', value: (row) => row.id },
  timestamp: { column: 'event_time', type: 'timestamptz', value: (row) => row.timestamp },
  issuer: { column: 'issuer', type: 'text', value: (row) => row.issuer },
  method: { column: 'method', type: 'text', value: (row) => row.method },
  status: { column: 'status', type: 'text', value: (row) => row.status },
  amountMinor: { column: 'amount_minor', type: 'bigint', value: (row) => row.amountMinor },
  currency: { column: 'currency', type: 'text', value: (row) => row.currency },
  latencyMs: { column: 'latency_ms', type: 'float8', value: (row) => row.latencyMs },
  retryCount: { column: 'retry_count', type: 'int', value: (row) => row.retryCount },
  errorCode: { column: 'error_code', type: 'text', value: (row) => row.errorCode ?? null },
  merchantId: { column: 'merchant_id', type: 'text', value: (row) => row.merchantId ?? null },
  gateway: { column: 'gateway', type: 'text', value: (row) => row.gateway ?? null },
};

/** The fields in the core type's order; a field added to `Transaction` does not compile until it has a column here. */
export const transactionFields: readonly Field[] = Object.values(fieldsByKey);

/** The columns a COPY of whole rows into transactions names: the fields, then window_time. */
export const transactionCopyColumns: readonly string[] = [...transactionFields.map((field) => field.column), 'window_time'];

export interface Placement {
  /** A row arriving this long after its event time counts in the window of its arrival. */
  lateAfterSeconds: number;
  /** Length of an observation window (the cycle interval): the grain of window_rollups. */
  windowSeconds: number;
  /** A resent id first stored longer ago than this is stored as new. */
  dedupHorizonHours: number;
}

const columns = transactionFields.map((field) => field.column).join(', ');
const n = transactionFields.length;
// Parameters after the field arrays: latency buckets, then the Placement.
const [bucketsParam, lateParam, windowParam, horizonParam] = [n + 1, n + 2, n + 3, n + 4].map((i) => `$${i}`);
const horizonCutoff = `statement_timestamp() - ${horizonParam}::float8 * interval '1 hour'`;

// GROUPING(currency, error_code, latency_bucket) of each grouping set: a bit is 1 where the
// column is not grouped.
const wholeCell = 7;
const byCurrency = 3;
const byErrorCode = 5;
const byBucket = 6;

// One statement whatever the batch size: columns travel as arrays, so 10,000 rows are still 16
// parameters, and the ids, the rows and their rollups commit together.
// window_time: a row arriving more than lateAfterSeconds after its event time may find its window
// already judged, so it counts in the window of its arrival instead: every committed row is in
// exactly one window's rollups, however late a retry delivers it.
// Idempotency: an id whose key is younger than the dedup horizon is a no-op (first write wins).
// The usual case, no such key, takes an anti-join: on PostgreSQL 15 it inserts about a quarter
// faster than ON CONFLICT, whose speculative insertion costs a second index pass per row. A writer
// committing the same id at the same moment (or a key older than the horizon, still unpruned)
// defeats the anti-join; the statement then fails whole and is run again with ON CONFLICT, which
// settles the race and replaces an expired key. OFFSET 0 keeps the check a per-row primary-key
// probe: as a join, the planner hashes the whole table for a batch of 1,000.
// Rollups: one row per window, issuer, method and gateway the statement touched, appended (no
// upsert, so concurrent statements never wait on one hot row), merged when the cycle reads them.
// Each pair of arrays is aggregated in one order (any: merging adds counts), so keys and values align.
const insertSql = (onConflict: boolean, answer: 'ids' | 'count') => `
  WITH input AS (
    SELECT t.*, GREATEST(t.event_time, statement_timestamp() - make_interval(secs => ${lateParam})) AS window_time
    FROM unnest(${transactionFields.map((field, i) => `$${i + 1}::${field.type}[]`).join(', ')}, ${bucketsParam}::int[])
      AS t(${columns}, latency_bucket)
  ),
  fresh AS (
    INSERT INTO transaction_ids AS stored (id, window_time)
    SELECT id, window_time FROM input
    ${
      onConflict
        ? `ON CONFLICT (id) DO UPDATE SET window_time = excluded.window_time WHERE stored.window_time < ${horizonCutoff}`
        : `WHERE NOT EXISTS (SELECT 1 FROM transaction_ids stored WHERE stored.id = input.id AND stored.window_time >= ${horizonCutoff} OFFSET 0)`
    }
    RETURNING id
  ),
  accepted AS MATERIALIZED (
    SELECT input.*, date_bin(make_interval(secs => ${windowParam}), input.window_time, timestamptz '1970-01-01 00:00:00Z') AS window_start
    FROM input JOIN fresh USING (id)
  ),
  stored_rows AS (
    INSERT INTO transactions (${columns}, window_time) SELECT ${columns}, window_time FROM accepted
  ),
  parts AS (
    SELECT window_start, issuer, method, gateway, currency, error_code, latency_bucket,
      GROUPING(currency, error_code, latency_bucket) AS grouped,
      count(*)::int AS n,
      count(*) FILTER (WHERE status = 'success')::int AS successes,
      count(*) FILTER (WHERE status = 'failed')::int AS failures,
      count(*) FILTER (WHERE retry_count > 0)::int AS retries,
      count(*) FILTER (WHERE retry_count > 0 AND status = 'success')::int AS retry_successes,
      sum(latency_ms) AS latency_sum,
      sum(amount_minor)::float8 AS amount
    FROM accepted
    GROUP BY window_start, issuer, method, gateway, GROUPING SETS ((), (currency), (error_code), (latency_bucket))
  ),
  rollups AS (
    INSERT INTO window_rollups (window_time, issuer, method, gateway, volume, successes, retries, retry_successes,
      latency_sum_ms, amount_minor_sum, currencies, currency_amounts, error_codes, error_code_counts, latency_buckets, latency_counts)
    SELECT window_start, issuer, method, gateway,
      max(n) FILTER (WHERE grouped = ${wholeCell}),
      max(successes) FILTER (WHERE grouped = ${wholeCell}),
      max(retries) FILTER (WHERE grouped = ${wholeCell}),
      max(retry_successes) FILTER (WHERE grouped = ${wholeCell}),
      max(latency_sum) FILTER (WHERE grouped = ${wholeCell}),
      max(amount) FILTER (WHERE grouped = ${wholeCell}),
      array_agg(currency) FILTER (WHERE grouped = ${byCurrency}),
      array_agg(amount) FILTER (WHERE grouped = ${byCurrency}),
      coalesce(array_agg(error_code) FILTER (WHERE grouped = ${byErrorCode} AND error_code IS NOT NULL AND failures > 0), '{}'),
      coalesce(array_agg(failures) FILTER (WHERE grouped = ${byErrorCode} AND error_code IS NOT NULL AND failures > 0), '{}'),
      array_agg(latency_bucket) FILTER (WHERE grouped = ${byBucket}),
      array_agg(n) FILTER (WHERE grouped = ${byBucket})
    FROM parts
    GROUP BY window_start, issuer, method, gateway
  )
  ${answer === 'ids' ? 'SELECT id FROM fresh' : 'SELECT count(*)::int AS n FROM fresh'}`;

// [anti-join, ON CONFLICT], answering the new ids or (a batch only needs its count) how many.
// Named, so each connection parses and plans them once rather than for every group commit.
const statement = (onConflict: boolean, answer: 'ids' | 'count') => ({
  name: `insert-transactions-${answer}${onConflict ? '-on-conflict' : ''}`,
  text: insertSql(onConflict, answer),
});
const statements = { ids: [statement(false, 'ids'), statement(true, 'ids')], count: [statement(false, 'count'), statement(true, 'count')] } as const;
type Statement = ReturnType<typeof statement>;

// unique_violation and deadlock_detected: another transaction was writing the same ids.
// check_violation: a row routed to the default partition while the scheduler attached the
// partition for its window (src/db/partitions.ts); run again, it is routed to that partition.
const raceCodes = new Set(['23505', '40P01', '23514']);
// ON CONFLICT settles a race with writers; a second partition change meeting the same statement is
// all a third attempt could still meet.
const maxAttempts = 3;

async function insert<Row extends object>(
  db: Database,
  rows: readonly Transaction[],
  placement: Placement,
  [antiJoin, onConflict]: readonly [Statement, Statement],
) {
  // A repeated id would defeat the anti-join within its own statement; the first one is kept.
  const seen = new Set<string>();
  const unique = rows.filter((row) => !seen.has(row.id) && seen.add(row.id));
  const valuesOf = (ordered: readonly Transaction[]) => [
    ...transactionFields.map((field) => ordered.map((row) => field.value(row))),
    ordered.map((row) => bucketOf(row.latencyMs)),
    placement.lateAfterSeconds,
    placement.windowSeconds,
    placement.dedupHorizonHours,
  ];
  return withPostgres(async () => {
    let values = valuesOf(unique);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await db.pool.query<Row>({ ...(attempt === 1 ? antiJoin : onConflict), values });
      } catch (err) {
        if (attempt === maxAttempts || !raceCodes.has((err as { code?: string }).code ?? '')) throw err;
        // Retried in id order, so statements resending the same ids take their key locks in one
        // order and cannot deadlock again. Not at first: concurrent batches of sorted ids would
        // all insert into the same index pages at once.
        if (attempt === 1) values = valuesOf([...unique].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
      }
    }
  });
}

/**
 * Stores the rows, their ids and their window rollups in one committed statement and returns the
 * ids that were new. An id already stored within the dedup horizon, or repeated within the rows,
 * is returned at most once.
 */
export async function insertTransactions(db: Database, rows: readonly Transaction[], placement: Placement): Promise<string[]> {
  return (await insert<{ id: string }>(db, rows, placement, statements.ids)).rows.map((row) => row.id);
}

/** As insertTransactions, returning only how many rows were new: sending the ids back cost a batch 8% of its speed. */
export async function insertTransactionBatch(db: Database, rows: readonly Transaction[], placement: Placement): Promise<number> {
  return (await insert<{ n: number }>(db, rows, placement, statements.count)).rows[0]?.n ?? 0;
}

export async function countTransactions(db: Database): Promise<number> {
  const result = await withPostgres(() => db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transactions'));
  return Number(result.rows[0]?.n ?? 0);
}

export async function pingPostgres(db: Database): Promise<void> {
  await withPostgres(() => db.pool.query('SELECT 1'));
}
