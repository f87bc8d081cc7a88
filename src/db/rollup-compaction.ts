// Compaction of window rollups: every ingest statement appends one rollup row per cell (issuer x
// method x gateway) it touched (src/db/transactions.ts), so a window fed by many small statements
// holds a row per cell for each of them and its cycle would merge them all. The scheduler merges a
// filling window's rows into one per cell as they accumulate, so the cycle reads about one row per
// cell whatever fed the window.
import { MS_PER_SECOND, windowStartFor } from '../agent';
import { inTransaction, withPostgres, type Database } from './client';
import { periodicStep, type PeriodicStep } from './periodic';
import { mergedCellsSql, mergedPairSql, rollupPairs, type RollupPair } from './windows';

// Held per window (pg_try_advisory_xact_lock(key, window)) by the compaction merging it: a second
// scheduler skips the window instead of waiting on the rows the first is deleting.
const compactionLockKey = 7_310_427;

/** Most rollup rows one compaction statement merges, so a step stays short after a scheduler outage; the rest go on the next call. */
const maxCompactedRows = 20_000;
/** Most windows one call compacts. */
const maxWindowsPerCall = 4;

const cell = 'issuer, method, gateway';
const summed = ['volume', 'successes', 'retries', 'retry_successes', 'latency_sum_ms', 'amount_minor_sum'];

/** A pair merged per cell, packed back into its two arrays in key order. */
const packedPairSql = (pair: RollupPair) => `
  SELECT ${cell}, array_agg(key ORDER BY key) AS pair_keys, array_agg(value ORDER BY key) AS pair_values
  FROM (${mergedPairSql('old', cell, pair)}) merged
  GROUP BY ${cell}`;

const packed = (name: string, pair: RollupPair) => `${name} AS MATERIALIZED (${packedPairSql(pair)})`;
const joined = (name: string) => `LEFT JOIN ${name} ON (${name}.issuer, ${name}.method, ${name}.gateway) IS NOT DISTINCT FROM (c.issuer, c.method, c.gateway)`;

// One statement, so one snapshot: the DELETE takes exactly the rows committed when it starts (rows
// an ingest commits meanwhile stay, merged by the next call) and the merged rows replace them in
// the same commit, so a reader sees the old rows or the merged ones, never both. Merging any subset
// of a window's rows is exact, hence the LIMIT: it takes rows of cells holding more than one, cell
// by cell, so every call with a limit of two or more merges some. A gateway may be NULL: GROUP BY
// and PARTITION BY keep NULLs together, and the joins match cells with IS NOT DISTINCT FROM.
const compactSql = `
  WITH old AS (
    DELETE FROM window_rollups
    WHERE window_time = $1 AND ctid = ANY(ARRAY(
      SELECT ctid FROM (SELECT ctid, ${cell}, count(*) OVER (PARTITION BY ${cell}) AS n FROM window_rollups WHERE window_time = $1) r
      WHERE n > 1 ORDER BY ${cell} LIMIT $2))
    RETURNING *
  ),
  cells AS (${mergedCellsSql('old', cell)}),
  ${packed('currencies', rollupPairs.currencies)},
  ${packed('error_codes', rollupPairs.errorCodes)},
  ${packed('buckets', rollupPairs.buckets)},
  merged AS (
    INSERT INTO window_rollups (window_time, ${cell}, ${summed.join(', ')}, currencies, currency_amounts, error_codes, error_code_counts, latency_buckets, latency_counts)
    SELECT $1, c.issuer, c.method, c.gateway, ${summed.map((column) => `c.${column}`).join(', ')},
      coalesce(currencies.pair_keys, '{}'), coalesce(currencies.pair_values, '{}'),
      coalesce(error_codes.pair_keys, '{}'), coalesce(error_codes.pair_values, '{}'),
      coalesce(buckets.pair_keys, '{}'), coalesce(buckets.pair_values, '{}')
    FROM cells c ${joined('currencies')} ${joined('error_codes')} ${joined('buckets')}
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM old)::int AS merged, (SELECT count(*) FROM merged)::int AS written`;

export interface Compaction {
  /** Rollup rows merged (deleted). */
  merged: number;
  /** Rows written in their place: one per cell among them. */
  written: number;
}

/**
 * Merges the rollup rows of the window starting at `windowTime`, at most `maxRows` (two or more) of
 * them, into one row per cell, in one transaction. Null when another process is compacting the window.
 */
export async function compactRollups(db: Database, windowTime: Date, maxRows = maxCompactedRows): Promise<Compaction | null> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', [
      compactionLockKey,
      Math.floor(windowTime.getTime() / MS_PER_SECOND) % 2 ** 31,
    ]);
    if (!rows[0]?.locked) return null;
    // The planner cannot know how many rows the DELETE returns, so it sorts the unnested latency
    // buckets (ten or so per row); with the default 4 MB a full window's sort spills to disk.
    await client.query(`SET LOCAL work_mem = '64MB'`);
    return (await client.query<Compaction>(compactSql, [windowTime, maxRows])).rows[0]!;
  });
}

export interface CompactableWindow {
  windowTime: Date;
  rows: number;
}

/**
 * Windows from the one before `now`'s onwards (the window awaiting its cycle, the filling one, and
 * any ahead, from clock skew) holding more than one rollup row for some cell, the fullest first.
 */
export async function compactableWindows(db: Database, now: Date, windowSeconds: number, limit = maxWindowsPerCall): Promise<CompactableWindow[]> {
  const windowMs = windowSeconds * MS_PER_SECOND;
  const from = new Date(windowStartFor(now.getTime(), windowMs) - windowMs);
  const { rows } = await withPostgres(() =>
    db.pool.query<{ window_time: Date; rows: number }>(
      `SELECT window_time, count(*)::int AS rows FROM window_rollups WHERE window_time >= $1
       GROUP BY window_time HAVING count(*) > count(DISTINCT (${cell}))
       ORDER BY rows DESC LIMIT $2`,
      [from, limit],
    ),
  );
  return rows.map((row) => ({ windowTime: row.window_time, rows: row.rows }));
}

export interface CompactionReport {
  windows: number;
  merged: number;
  written: number;
  /** Work is left: a window had more rows than one statement merges, or more windows were waiting. */
  more: boolean;
}

/** Compacts the windows compactableWindows picks, each once (at most maxCompactedRows rows). */
export async function compactRecentRollups(db: Database, now: Date, windowSeconds: number): Promise<CompactionReport> {
  const windows = await compactableWindows(db, now, windowSeconds, maxWindowsPerCall + 1);
  const report: CompactionReport = { windows: 0, merged: 0, written: 0, more: windows.length > maxWindowsPerCall };
  for (const window of windows.slice(0, maxWindowsPerCall)) {
    const done = await compactRollups(db, window.windowTime);
    if (!done) continue;
    report.windows += 1;
    report.merged += done.merged;
    report.written += done.written;
    if (window.rows > maxCompactedRows) report.more = true;
  }
  return report;
}

/** A compactor run: null when not due. */
export type RollupCompactor = PeriodicStep<CompactionReport>;

export interface CompactorSettings {
  /** Length of an observation window (the cycle interval): the grain of window_rollups. */
  windowSeconds: number;
  /** How often the scheduler compacts a filling window. */
  intervalSeconds: number;
  /** After a window's end, how long rows may still land in it (the ingest's late-after, half the grace). */
  settleSeconds: number;
}

/**
 * The scheduler's compaction step: every `intervalSeconds`, and once as soon as each window has
 * settled (its end plus `settleSeconds`), so the rows a window received since the last run are
 * merged before its cycle reads them, a grace's other half later. At once while work is left.
 */
export function createRollupCompactor(db: Database, settings: CompactorSettings): RollupCompactor {
  const windowMs = settings.windowSeconds * MS_PER_SECOND;
  const settleMs = settings.settleSeconds * MS_PER_SECOND;
  return periodicStep(async (now) => {
    const report = await compactRecentRollups(db, now, settings.windowSeconds);
    const nextSettled = windowStartFor(now.getTime() - settleMs, windowMs) + windowMs + settleMs;
    return { report, nextDue: report.more ? 0 : Math.min(now.getTime() + settings.intervalSeconds * MS_PER_SECOND, nextSettled) };
  });
}
