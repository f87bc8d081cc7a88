import { emptyMetrics, emptyWindow } from '../agent/metrics';
import { keptValues, OTHER } from '../agent/observe';
import type { DimensionMetrics, WindowMetrics } from '../agent/types';
import { withPostgres, type Database } from './client';

// Attempts per issuer, method and gateway: what the folding rule ranks. The gateway set's NULL
// group (attempts without a gateway) is dropped in code, as observe() skips them.
const volumeSql = `
  SELECT issuer, method, gateway, GROUPING(issuer) = 0 AS by_issuer, GROUPING(method) = 0 AS by_method, count(*)::int AS n
  FROM transactions
  WHERE window_time >= $1 AND window_time < $2
  GROUP BY GROUPING SETS ((issuer), (method), (gateway))`;

// The window with rare names folded into 'other' ($3..$5: the kept issuers, methods, gateways).
const foldedWindow = `
  WITH w AS MATERIALIZED (
    SELECT CASE WHEN issuer = ANY($3) THEN issuer ELSE '${OTHER}' END AS issuer,
           CASE WHEN method = ANY($4) THEN method ELSE '${OTHER}' END AS method,
           CASE WHEN gateway IS NULL OR gateway = ANY($5) THEN gateway ELSE '${OTHER}' END AS gateway,
           status, latency_ms, retry_count, amount_minor, currency, error_code
    FROM transactions
    WHERE window_time >= $1 AND window_time < $2)`;

/**
 * One scan of the folded window per query gives every dimension at once: the four payer-side
 * sets over every attempt, the four gateway sets only over attempts that name their gateway.
 * `extra` is grouped in every set too (error code, currency); GROUPING() tells the sets apart.
 */
function byDimensions(measures: string, where: string, extra: string[] = []): string {
  const sets = (columns: string[][]) => columns.map((c) => `(${[...c, ...extra].join(', ')})`).join(', ');
  const levels = 'GROUPING(issuer) = 1 AS no_issuer, GROUPING(method) = 1 AS no_method';
  return `${foldedWindow}
  SELECT NULL::text AS gateway, issuer, method, ${levels}, ${measures}
  FROM w WHERE ${where}
  GROUP BY GROUPING SETS (${sets([['issuer', 'method'], ['issuer'], ['method'], []])})
  UNION ALL
  SELECT gateway, issuer, method, ${levels}, ${measures}
  FROM w WHERE gateway IS NOT NULL AND ${where}
  GROUP BY GROUPING SETS (${sets([['gateway', 'issuer', 'method'], ['gateway', 'issuer'], ['gateway', 'method'], ['gateway']])})`;
}

const aggregateSql = byDimensions(
  `count(*)::int AS volume,
   count(*) FILTER (WHERE status = 'success')::int AS successes,
   avg(latency_ms) AS latency_mean_ms,
   percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS latency_p95_ms,
   count(*) FILTER (WHERE retry_count > 0)::int AS retries,
   count(*) FILTER (WHERE retry_count > 0 AND status = 'success')::int AS retry_successes,
   sum(amount_minor)::float8 AS amount_minor_sum`,
  'true',
);

const errorCodeSql = byDimensions('error_code, count(*)::int AS n', "status = 'failed' AND error_code IS NOT NULL", ['error_code']);

const currencySql = byDimensions('currency, sum(amount_minor)::float8 AS amount', 'true', ['currency']);

interface VolumeRow {
  issuer: string | null;
  method: string | null;
  gateway: string | null;
  by_issuer: boolean;
  by_method: boolean;
  n: number;
}

interface GroupKey {
  gateway: string | null;
  issuer: string | null;
  method: string | null;
  no_issuer: boolean;
  no_method: boolean;
}

interface AggregateRow extends GroupKey {
  volume: number;
  successes: number;
  latency_mean_ms: number | null;
  latency_p95_ms: number | null;
  retries: number;
  retry_successes: number;
  amount_minor_sum: number | null;
}

/** The names each dimension keeps this window, by the core's one folding rule. */
function keptNames(rows: readonly VolumeRow[], maxDimensionValues: number): [string[], string[], string[]] {
  const volumes = { issuer: new Map<string, number>(), method: new Map<string, number>(), gateway: new Map<string, number>() };
  for (const row of rows) {
    if (row.by_issuer) volumes.issuer.set(row.issuer!, row.n);
    else if (row.by_method) volumes.method.set(row.method!, row.n);
    else if (row.gateway !== null) volumes.gateway.set(row.gateway, row.n);
  }
  const kept = (m: Map<string, number>) => [...keptValues(m, maxDimensionValues)];
  return [kept(volumes.issuer), kept(volumes.method), kept(volumes.gateway)];
}

/** The entry of the window a grouped row belongs to, created on first use. */
function slot(window: WindowMetrics, key: GroupKey): DimensionMetrics {
  const { gateway: g, issuer: i, method: m } = key;
  if (g === null) {
    if (key.no_issuer && key.no_method) return window.system;
    if (key.no_method) return (window.issuers[i!] ??= emptyMetrics());
    if (key.no_issuer) return (window.methods[m!] ??= emptyMetrics());
    return ((window.issuerMethods[i!] ??= {})[m!] ??= emptyMetrics());
  }
  if (key.no_issuer && key.no_method) return (window.gateways[g] ??= emptyMetrics());
  if (key.no_method) return ((window.gatewayIssuers[g] ??= {})[i!] ??= emptyMetrics());
  if (key.no_issuer) return ((window.gatewayMethods[g] ??= {})[m!] ??= emptyMetrics());
  return (((window.gatewayCells[g] ??= {})[i!] ??= {})[m!] ??= emptyMetrics());
}

/**
 * The window's aggregates by window time (event time, or arrival for late rows), in exactly the
 * shape the core's `observe` folds, with the same folding of rare names into 'other', so the
 * live service and a replay judge the same figures.
 */
export async function aggregateWindow(db: Database, start: number, end: number, maxDimensionValues: number): Promise<WindowMetrics> {
  const range = [new Date(start), new Date(end)];
  const [aggregates, errorCodes, currencies] = await withPostgres(async () => {
    const volumes = await db.pool.query<VolumeRow>(volumeSql, range);
    const params = [...range, ...keptNames(volumes.rows, maxDimensionValues)];
    return Promise.all([
      db.pool.query<AggregateRow>(aggregateSql, params),
      db.pool.query<GroupKey & { error_code: string; n: number }>(errorCodeSql, params),
      db.pool.query<GroupKey & { currency: string; amount: number }>(currencySql, params),
    ]);
  });
  const window = emptyWindow(start, end);
  for (const row of aggregates.rows) {
    Object.assign(slot(window, row), {
      volume: row.volume,
      successes: row.successes,
      latencyMeanMs: Number(row.latency_mean_ms ?? 0),
      latencyP95Ms: Number(row.latency_p95_ms ?? 0),
      retries: row.retries,
      retrySuccesses: row.retry_successes,
      amountMinorSum: Number(row.amount_minor_sum ?? 0),
    });
  }
  for (const row of errorCodes.rows) slot(window, row).errorCodeCounts[row.error_code] = row.n;
  for (const row of currencies.rows) slot(window, row).amountMinorByCurrency[row.currency] = row.amount;
  return window;
}
