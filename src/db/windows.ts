import { emptyMetrics } from '../agent/metrics';
import type { DimensionMetrics, WindowMetrics } from '../agent/types';
import { withPostgres, type Database } from './client';

// One scan of the window gives every dimension at once; GROUPING() tells which set a row is.
const aggregateSql = `
  SELECT issuer, method, GROUPING(issuer) AS no_issuer, GROUPING(method) AS no_method,
         count(*)::int AS volume,
         count(*) FILTER (WHERE status = 'success')::int AS successes,
         avg(latency_ms) AS latency_mean_ms,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS latency_p95_ms,
         count(*) FILTER (WHERE retry_count > 0)::int AS retries,
         sum(amount_minor)::float8 AS amount_minor_sum
  FROM transactions
  WHERE window_time >= $1 AND window_time < $2
  GROUP BY GROUPING SETS ((issuer, method), (issuer), (method), ())`;

const errorCodeSql = `
  SELECT issuer, method, GROUPING(issuer) AS no_issuer, GROUPING(method) AS no_method,
         error_code, count(*)::int AS n
  FROM transactions
  WHERE window_time >= $1 AND window_time < $2 AND status = 'failed' AND error_code IS NOT NULL
  GROUP BY GROUPING SETS ((issuer, method, error_code), (issuer, error_code), (method, error_code), (error_code))`;

interface GroupKey {
  issuer: string | null;
  method: string | null;
  no_issuer: number;
  no_method: number;
}

interface AggregateRow extends GroupKey {
  volume: number;
  successes: number;
  latency_mean_ms: number | null;
  latency_p95_ms: number | null;
  retries: number;
  amount_minor_sum: number | null;
}

/**
 * The window's aggregates by window time (event time, or arrival for late rows), in exactly the
 * shape the core's `observe` folds, so the live service and a replay judge the same figures.
 */
export async function aggregateWindow(db: Database, start: number, end: number): Promise<WindowMetrics> {
  const range = [new Date(start), new Date(end)];
  const [aggregates, errorCodes] = await withPostgres(() =>
    Promise.all([db.pool.query<AggregateRow>(aggregateSql, range), db.pool.query<GroupKey & { error_code: string; n: number }>(errorCodeSql, range)]),
  );
  const window: WindowMetrics = { start, end, system: emptyMetrics(), issuers: {}, methods: {}, issuerMethods: {} };
  const slot = (key: GroupKey): DimensionMetrics => {
    if (key.no_issuer && key.no_method) return window.system;
    if (key.no_method) return (window.issuers[key.issuer!] ??= emptyMetrics());
    if (key.no_issuer) return (window.methods[key.method!] ??= emptyMetrics());
    const row = (window.issuerMethods[key.issuer!] ??= {});
    return (row[key.method!] ??= emptyMetrics());
  };
  for (const row of aggregates.rows) {
    Object.assign(slot(row), {
      volume: row.volume,
      successes: row.successes,
      latencyMeanMs: Number(row.latency_mean_ms ?? 0),
      latencyP95Ms: Number(row.latency_p95_ms ?? 0),
      retries: row.retries,
      amountMinorSum: Number(row.amount_minor_sum ?? 0),
    });
  }
  for (const row of errorCodes.rows) slot(row).errorCodeCounts[row.error_code] = row.n;
  return window;
}
