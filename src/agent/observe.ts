// Stage 1: fold a window's transactions into the same aggregates the SQL path produces.
import { histogramOf, quantile } from './histogram';
import { emptyMetrics, emptyWindow } from './metrics';
import type { DimensionMetrics, Transaction, WindowMetrics } from './types';

/** The latency quantile a window reports, read from its latency histogram (./histogram). */
export const P95 = 0.95;

/** The name rare values of a dimension are folded into. */
export const OTHER = 'other';

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

/**
 * The one folding rule for bounded cardinality, used by this fold and by the SQL aggregate: the
 * `limit` values with the most attempts keep their names (ties by name), the rest become `other`.
 */
export function keptValues(volumes: ReadonlyMap<string, number>, limit: number): Set<string> {
  const ranked = [...volumes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return new Set(ranked.slice(0, limit).map(([name]) => name));
}

export const foldName = (kept: ReadonlySet<string>, name: string): string => (kept.has(name) ? name : OTHER);

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
  if (tx.retryCount > 0) {
    m.retries += 1;
    if (tx.status === 'success') m.retrySuccesses += 1;
  }
  m.amountMinorSum += tx.amountMinor;
  m.amountMinorByCurrency[tx.currency] = (m.amountMinorByCurrency[tx.currency] ?? 0) + tx.amountMinor;
  acc.latencies.push(tx.latencyMs);
}

function finish(acc: Accumulator): DimensionMetrics {
  const m = acc.metrics;
  let sum = 0;
  for (const latency of acc.latencies) sum += latency;
  m.latencyMeanMs = m.volume > 0 ? sum / m.volume : 0;
  // From the histogram the service merges from its rollups, so both give the same p95.
  m.latencyP95Ms = quantile(histogramOf(acc.latencies), P95);
  return m;
}

/** Accumulators keyed by a path of names (issuer; issuer, method; gateway, issuer, method; ...). */
class Grouping {
  private readonly slots = new Map<string, { path: string[]; acc: Accumulator }>();

  add(path: string[], tx: Transaction): void {
    const key = path.join('\u0000');
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { path, acc: accumulator() };
      this.slots.set(key, slot);
    }
    add(slot.acc, tx);
  }

  /** Nested records in sorted key order, each leaf finished. */
  finish(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const { path, acc } of [...this.slots.values()].sort((a, b) => (a.path.join('\u0000') < b.path.join('\u0000') ? -1 : 1))) {
      let node = out;
      for (const name of path.slice(0, -1)) node = (node[name] ??= {}) as Record<string, unknown>;
      node[path[path.length - 1] as string] = finish(acc);
    }
    return out;
  }
}

function volumesBy(transactions: readonly Transaction[], name: (tx: Transaction) => string | null | undefined): Map<string, number> {
  const volumes = new Map<string, number>();
  for (const tx of transactions) {
    const value = name(tx);
    if (value != null) volumes.set(value, (volumes.get(value) ?? 0) + 1);
  }
  return volumes;
}

/**
 * Folds the attempts whose event time lies in [start, end); others are ignored. At most
 * `maxDimensionValues` issuers, methods and gateways keep their names; the rest are `other`.
 */
export function observe(window: { start: number; end: number }, transactions: Iterable<Transaction>, maxDimensionValues = Infinity): WindowMetrics {
  const inWindow: Transaction[] = [];
  for (const tx of transactions) {
    const at = Date.parse(tx.timestamp);
    if (at >= window.start && at < window.end) inWindow.push(tx);
  }
  const issuers = keptValues(
    volumesBy(inWindow, (tx) => tx.issuer),
    maxDimensionValues,
  );
  const methods = keptValues(
    volumesBy(inWindow, (tx) => tx.method),
    maxDimensionValues,
  );
  const gateways = keptValues(
    volumesBy(inWindow, (tx) => tx.gateway),
    maxDimensionValues,
  );
  const system = accumulator();
  const groups = {
    issuers: new Grouping(),
    methods: new Grouping(),
    issuerMethods: new Grouping(),
    gateways: new Grouping(),
    gatewayIssuers: new Grouping(),
    gatewayMethods: new Grouping(),
    gatewayCells: new Grouping(),
  };
  for (const tx of inWindow) {
    const issuer = foldName(issuers, tx.issuer);
    const method = foldName(methods, tx.method);
    add(system, tx);
    groups.issuers.add([issuer], tx);
    groups.methods.add([method], tx);
    groups.issuerMethods.add([issuer, method], tx);
    if (tx.gateway == null) continue;
    const gateway = foldName(gateways, tx.gateway);
    groups.gateways.add([gateway], tx);
    groups.gatewayIssuers.add([gateway, issuer], tx);
    groups.gatewayMethods.add([gateway, method], tx);
    groups.gatewayCells.add([gateway, issuer, method], tx);
  }
  const out = emptyWindow(window.start, window.end);
  out.system = finish(system);
  for (const [name, grouping] of Object.entries(groups)) Object.assign(out, { [name]: grouping.finish() });
  return out;
}
