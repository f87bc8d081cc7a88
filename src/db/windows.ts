import {
  addToHistogram,
  emptyMetrics,
  emptyWindow,
  foldName,
  keptValues,
  mergeHistogram,
  P95,
  quantile,
  type DimensionMetrics,
  type Histogram,
  type WindowMetrics,
} from '../agent';
import { withPostgres, type Database } from './client';

// How rollup rows of one cell merge, shared by the cycle's read (below) and the compaction that
// merges a filling window's rows ahead of it (src/db/rollup-compaction.ts), so both add up alike.
// `from` is a relation of rollup rows; `cell` names the columns a merged row is kept per.

/** Counts and sums, added per cell. */
export const mergedCellsSql = (from: string, cell: string) => `
  SELECT ${cell}, sum(volume)::int AS volume, sum(successes)::int AS successes, sum(retries)::int AS retries,
    sum(retry_successes)::int AS retry_successes, sum(latency_sum_ms) AS latency_sum_ms, sum(amount_minor_sum) AS amount_minor_sum
  FROM ${from} AS r
  GROUP BY ${cell}`;

/** The rollups' array pairs: keys[i] has values[i]. */
export const rollupPairs = {
  currencies: { keys: 'currencies', values: 'currency_amounts', sum: 'sum(p.value)' },
  errorCodes: { keys: 'error_codes', values: 'error_code_counts', sum: 'sum(p.value)::int' },
  buckets: { keys: 'latency_buckets', values: 'latency_counts', sum: 'sum(p.value)::int' },
} as const;
export type RollupPair = (typeof rollupPairs)[keyof typeof rollupPairs];

/** One array pair merged per cell and key, one row each: currency amounts, error-code counts, latency buckets. */
export const mergedPairSql = (from: string, cell: string, pair: RollupPair) => `
  SELECT ${cell}, p.key, ${pair.sum} AS value
  FROM ${from} AS r, unnest(r.${pair.keys}, r.${pair.values}) AS p(key, value)
  GROUP BY ${cell}, p.key`;

// The window's rollups merged per issuer, method and gateway: the window's finest cells, whose
// number does not grow with traffic. Rollups are keyed by window start, so [$1, $2) takes exactly
// the windows the cycle judges.
const windowRollups = '(SELECT * FROM window_rollups WHERE window_time >= $1 AND window_time < $2)';
const cellColumns = 'issuer, method, gateway';
const cellsSql = mergedCellsSql(windowRollups, cellColumns);
const currenciesSql = mergedPairSql(windowRollups, cellColumns, rollupPairs.currencies);
const errorCodesSql = mergedPairSql(windowRollups, cellColumns, rollupPairs.errorCodes);
const bucketsSql = mergedPairSql(windowRollups, cellColumns, rollupPairs.buckets);

interface CellKey {
  issuer: string;
  method: string;
  gateway: string | null;
}

interface CellRow extends CellKey {
  volume: number;
  successes: number;
  retries: number;
  retry_successes: number;
  latency_sum_ms: number;
  amount_minor_sum: number;
}

interface PairRow<K> extends CellKey {
  key: K;
  value: number;
}

/** A cell's or a dimension entry's figures, with what its mean and p95 are finished from. */
interface Accumulator {
  metrics: DimensionMetrics;
  latencySum: number;
  histogram: Histogram;
}

const cellKey = (row: CellKey) => JSON.stringify([row.issuer, row.method, row.gateway]);

function volumesBy(cells: Iterable<CellKey & { acc: Accumulator }>, name: (cell: CellKey) => string | null): Map<string, number> {
  const volumes = new Map<string, number>();
  for (const cell of cells) {
    const value = name(cell);
    if (value !== null) volumes.set(value, (volumes.get(value) ?? 0) + cell.acc.metrics.volume);
  }
  return volumes;
}

function merge(into: Accumulator, from: Accumulator): void {
  const [m, c] = [into.metrics, from.metrics];
  m.volume += c.volume;
  m.successes += c.successes;
  m.retries += c.retries;
  m.retrySuccesses += c.retrySuccesses;
  m.amountMinorSum += c.amountMinorSum;
  for (const [code, n] of Object.entries(c.errorCodeCounts)) m.errorCodeCounts[code] = (m.errorCodeCounts[code] ?? 0) + n;
  for (const [currency, amount] of Object.entries(c.amountMinorByCurrency))
    m.amountMinorByCurrency[currency] = (m.amountMinorByCurrency[currency] ?? 0) + amount;
  into.latencySum += from.latencySum;
  mergeHistogram(into.histogram, from.histogram);
}

/**
 * The window's aggregates by window time (event time, or arrival for late rows), in exactly the
 * shape the core's `observe` folds, with the same folding of rare names into 'other' and the same
 * latency histogram, so the live service and a replay judge the same figures.
 */
export async function aggregateWindow(db: Database, start: number, end: number, maxDimensionValues: number): Promise<WindowMetrics> {
  const range = [new Date(start), new Date(end)];
  // One snapshot for the four reads, so every pair read belongs to a cell read.
  const [cellRows, currencies, errorCodes, buckets] = await withPostgres(async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const reads = [
        await client.query<CellRow>(cellsSql, range),
        await client.query<PairRow<string>>(currenciesSql, range),
        await client.query<PairRow<string>>(errorCodesSql, range),
        await client.query<PairRow<number>>(bucketsSql, range),
      ] as const;
      await client.query('COMMIT');
      return reads;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  });

  const cells = new Map<string, CellKey & { acc: Accumulator }>();
  for (const row of cellRows.rows) {
    const metrics: DimensionMetrics = {
      ...emptyMetrics(),
      volume: row.volume,
      successes: row.successes,
      retries: row.retries,
      retrySuccesses: row.retry_successes,
      amountMinorSum: row.amount_minor_sum,
    };
    cells.set(cellKey(row), {
      issuer: row.issuer,
      method: row.method,
      gateway: row.gateway,
      acc: { metrics, latencySum: row.latency_sum_ms, histogram: new Map() },
    });
  }
  const cellOf = (row: CellKey) => cells.get(cellKey(row))!.acc;
  for (const row of currencies.rows) cellOf(row).metrics.amountMinorByCurrency[row.key] = row.value;
  for (const row of errorCodes.rows) cellOf(row).metrics.errorCodeCounts[row.key] = row.value;
  for (const row of buckets.rows) addToHistogram(cellOf(row).histogram, row.key, row.value);

  // The core's one folding rule, on the same volumes observe ranks.
  const issuers = keptValues(
    volumesBy(cells.values(), (cell) => cell.issuer),
    maxDimensionValues,
  );
  const methods = keptValues(
    volumesBy(cells.values(), (cell) => cell.method),
    maxDimensionValues,
  );
  const gateways = keptValues(
    volumesBy(cells.values(), (cell) => cell.gateway),
    maxDimensionValues,
  );

  const window = emptyWindow(start, end);
  const accumulators = new Map<DimensionMetrics, Accumulator>();
  const into = (metrics: DimensionMetrics, cell: Accumulator) => {
    let acc = accumulators.get(metrics);
    if (!acc) accumulators.set(metrics, (acc = { metrics, latencySum: 0, histogram: new Map() }));
    merge(acc, cell);
  };
  for (const cell of cells.values()) {
    const issuer = foldName(issuers, cell.issuer);
    const method = foldName(methods, cell.method);
    into(window.system, cell.acc);
    into((window.issuers[issuer] ??= emptyMetrics()), cell.acc);
    into((window.methods[method] ??= emptyMetrics()), cell.acc);
    into(((window.issuerMethods[issuer] ??= {})[method] ??= emptyMetrics()), cell.acc);
    // Attempts without a gateway are in no gateway dimension.
    if (cell.gateway === null) continue;
    const gateway = foldName(gateways, cell.gateway);
    into((window.gateways[gateway] ??= emptyMetrics()), cell.acc);
    into(((window.gatewayIssuers[gateway] ??= {})[issuer] ??= emptyMetrics()), cell.acc);
    into(((window.gatewayMethods[gateway] ??= {})[method] ??= emptyMetrics()), cell.acc);
    into((((window.gatewayCells[gateway] ??= {})[issuer] ??= {})[method] ??= emptyMetrics()), cell.acc);
  }
  for (const { metrics, latencySum, histogram } of accumulators.values()) {
    metrics.latencyMeanMs = metrics.volume > 0 ? latencySum / metrics.volume : 0;
    metrics.latencyP95Ms = quantile(histogram, P95);
  }
  return window;
}
