// Stage 1: fold a window's transactions into the same aggregates the SQL path produces.
import { emptyMetrics } from './metrics';
import type { DimensionMetrics, Transaction, WindowMetrics } from './types';

const P95 = 0.95;

/** Postgres percentile_cont: linear interpolation between the two closest ranks. */
export function percentileCont(sortedAscending: readonly number[], fraction: number): number {
  const n = sortedAscending.length;
  if (n === 0) return 0;
  const position = fraction * (n - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sortedAscending[lower] ?? 0;
  const high = sortedAscending[upper] ?? low;
  return low + (high - low) * (position - lower);
}

/** The window (epoch ms, [start, end)) an event-time instant falls in. */
export function windowStartFor(epochMs: number, intervalMs: number): number {
  return Math.floor(epochMs / intervalMs) * intervalMs;
}

interface Accumulator {
  metrics: DimensionMetrics;
  latencies: number[];
}

function accumulator(): Accumulator {
  return { metrics: emptyMetrics(), latencies: [] };
}

function add(acc: Accumulator, tx: Transaction): void {
  const m = acc.metrics;
  m.volume += 1;
  if (tx.status === 'success') m.successes += 1;
  else if (tx.errorCode != null) {
    m.errorCodeCounts[tx.errorCode] = (m.errorCodeCounts[tx.errorCode] ?? 0) + 1;
  }
  if (tx.retryCount > 0) m.retries += 1;
  m.amountMinorSum += tx.amountMinor;
  acc.latencies.push(tx.latencyMs);
}

function finish(acc: Accumulator): DimensionMetrics {
  const m = acc.metrics;
  const sorted = acc.latencies.sort((a, b) => a - b);
  let sum = 0;
  for (const latency of sorted) sum += latency;
  m.latencyMeanMs = m.volume > 0 ? sum / m.volume : 0;
  m.latencyP95Ms = percentileCont(sorted, P95);
  return m;
}

function slot(map: Map<string, Accumulator>, key: string): Accumulator {
  let acc = map.get(key);
  if (!acc) {
    acc = accumulator();
    map.set(key, acc);
  }
  return acc;
}

function finishAll(map: Map<string, Accumulator>): Record<string, DimensionMetrics> {
  const out: Record<string, DimensionMetrics> = {};
  for (const key of [...map.keys()].sort()) out[key] = finish(map.get(key) ?? accumulator());
  return out;
}

/** Folds the attempts whose event time lies in [start, end); others are ignored. */
export function observe(
  window: { start: number; end: number },
  transactions: Iterable<Transaction>,
): WindowMetrics {
  const system = accumulator();
  const issuers = new Map<string, Accumulator>();
  const methods = new Map<string, Accumulator>();
  const cells = new Map<string, Map<string, Accumulator>>();
  for (const tx of transactions) {
    const at = Date.parse(tx.timestamp);
    if (!(at >= window.start && at < window.end)) continue;
    add(system, tx);
    add(slot(issuers, tx.issuer), tx);
    add(slot(methods, tx.method), tx);
    let row = cells.get(tx.issuer);
    if (!row) {
      row = new Map();
      cells.set(tx.issuer, row);
    }
    add(slot(row, tx.method), tx);
  }
  const issuerMethods: Record<string, Record<string, DimensionMetrics>> = {};
  for (const issuer of [...cells.keys()].sort()) {
    issuerMethods[issuer] = finishAll(cells.get(issuer) ?? new Map());
  }
  return {
    start: window.start,
    end: window.end,
    system: finish(system),
    issuers: finishAll(issuers),
    methods: finishAll(methods),
    issuerMethods,
  };
}
