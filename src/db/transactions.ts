import type { Transaction } from '../agent/types';
import { withPostgres, type Database } from './client';

// One statement whatever the batch size: columns travel as arrays, so 10,000 rows are still
// 13 parameters.
// window_time: a row arriving more than $13 seconds after its event time may find its window
// already judged, so it counts in the window of its arrival instead: every committed row is
// in exactly one window's aggregates, however late a retry delivers it.
// A resent id is a no-op (first write wins). The usual case, no id stored yet, takes an
// anti-join: on PostgreSQL 15 it inserts about a quarter faster than ON CONFLICT, whose
// speculative insertion costs a second index pass per row. Only a writer committing the same id
// at the same moment can defeat the anti-join, and then the statement fails whole and is run
// again with ON CONFLICT, which settles the race. OFFSET 0 keeps the check a per-row primary-key
// probe: as a join, the planner hashes the whole table for a batch of 1,000.
const insertSql = (onConflict: boolean, returnIds: boolean) => `
  INSERT INTO transactions
    (id, event_time, window_time, issuer, method, status, amount_minor, currency, latency_ms,
     retry_count, error_code, merchant_id, gateway)
  SELECT t.id, t.event_time, GREATEST(t.event_time, statement_timestamp() - make_interval(secs => $13)),
    t.issuer, t.method, t.status, t.amount_minor, t.currency, t.latency_ms, t.retry_count,
    t.error_code, t.merchant_id, t.gateway
  FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::bigint[],
    $7::text[], $8::float8[], $9::int[], $10::text[], $11::text[], $12::text[])
    AS t(id, event_time, issuer, method, status, amount_minor, currency, latency_ms, retry_count,
         error_code, merchant_id, gateway)
  ${onConflict ? 'ON CONFLICT (id) DO NOTHING' : 'WHERE NOT EXISTS (SELECT 1 FROM transactions stored WHERE stored.id = t.id OFFSET 0)'}
  ${returnIds ? 'RETURNING id' : ''}`;
// [anti-join, ON CONFLICT], with the new ids returned or (a batch only needs its count) not. Named,
// so each connection parses and plans them once rather than for every group commit.
const statement = (onConflict: boolean, returnIds: boolean) => ({
  name: `insert-transactions${onConflict ? '-on-conflict' : ''}${returnIds ? '-ids' : ''}`,
  text: insertSql(onConflict, returnIds),
});
const statements = { ids: [statement(false, true), statement(true, true)], count: [statement(false, false), statement(true, false)] } as const;
type Statement = ReturnType<typeof statement>;

// unique_violation and deadlock_detected: another transaction was writing the same ids.
const raceCodes = new Set(['23505', '40P01']);

async function insert(db: Database, rows: readonly Transaction[], lateAfterSeconds: number, [antiJoin, onConflict]: readonly [Statement, Statement]) {
  // A repeated id would defeat the anti-join within its own statement; the first one is kept.
  const seen = new Set<string>();
  const unique = rows.filter((row) => !seen.has(row.id) && seen.add(row.id));
  const columns: unknown[][] = Array.from({ length: 12 }, () => new Array(unique.length));
  unique.forEach((row, i) => {
    columns[0]![i] = row.id;
    columns[1]![i] = row.timestamp;
    columns[2]![i] = row.issuer;
    columns[3]![i] = row.method;
    columns[4]![i] = row.status;
    columns[5]![i] = row.amountMinor;
    columns[6]![i] = row.currency;
    columns[7]![i] = row.latencyMs;
    columns[8]![i] = row.retryCount;
    columns[9]![i] = row.errorCode ?? null;
    columns[10]![i] = row.merchantId ?? null;
    columns[11]![i] = row.gateway ?? null;
  });
  const values = [...columns, lateAfterSeconds];
  return withPostgres(() =>
    db.pool.query<{ id: string }>({ ...antiJoin, values }).catch((err: { code?: string }) => {
      if (!raceCodes.has(err.code ?? '')) throw err;
      return db.pool.query<{ id: string }>({ ...onConflict, values });
    }),
  );
}

/**
 * Stores the rows in one committed statement and returns the ids that were new.
 * An id already stored, or repeated within the rows, is returned at most once.
 */
export async function insertTransactions(db: Database, rows: readonly Transaction[], lateAfterSeconds: number): Promise<string[]> {
  return (await insert(db, rows, lateAfterSeconds, statements.ids)).rows.map((row) => row.id);
}

/** As insertTransactions, returning only how many rows were new: sending the ids back cost a batch 8% of its speed. */
export async function insertTransactionBatch(db: Database, rows: readonly Transaction[], lateAfterSeconds: number): Promise<number> {
  return (await insert(db, rows, lateAfterSeconds, statements.count)).rowCount ?? 0;
}

export async function countTransactions(db: Database): Promise<number> {
  const result = await withPostgres(() => db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transactions'));
  return Number(result.rows[0]?.n ?? 0);
}

export async function pingPostgres(db: Database): Promise<void> {
  await withPostgres(() => db.pool.query('SELECT 1'));
}
