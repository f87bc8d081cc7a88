// Rates derived from the SQL-computable aggregates, and arithmetic on them.
import { SYSTEM_TARGET, parseTarget, targetOf } from './targets';
import type { DimensionMetrics, DimensionTree, WindowMetrics } from './types';

export function emptyMetrics(): DimensionMetrics {
  return {
    volume: 0,
    successes: 0,
    latencyMeanMs: 0,
    latencyP95Ms: 0,
    retries: 0,
    amountMinorSum: 0,
    errorCodeCounts: {},
    amountMinorByCurrency: {},
    retrySuccesses: 0,
  };
}

/** A window with no attempts: every dimension empty. */
export function emptyWindow(start: number, end: number): WindowMetrics {
  return {
    start,
    end,
    system: emptyMetrics(),
    issuers: {},
    methods: {},
    issuerMethods: {},
    gateways: {},
    gatewayIssuers: {},
    gatewayMethods: {},
    gatewayCells: {},
  };
}

export function successRate(m: DimensionMetrics): number {
  return m.volume > 0 ? m.successes / m.volume : 0;
}

export function retryRate(m: DimensionMetrics): number {
  return m.volume > 0 ? m.retries / m.volume : 0;
}

/**
 * Attempts that are a payment's first try: one per payment. Retries multiply exactly when a
 * target fails, so shares of traffic are measured in first attempts, not in all attempts.
 */
export function firstAttempts(m: DimensionMetrics): number {
  return m.volume - m.retries;
}

/** Success counts of `whole` without `part`: the untouched traffic, used as a control. */
export function remainder(whole: DimensionMetrics, part: DimensionMetrics): { volume: number; successes: number } {
  return { volume: whole.volume - part.volume, successes: whole.successes - part.successes };
}

/** The entry a target string names in a dimension tree (window metrics or baselines), if any. */
export function lookup<T>(tree: DimensionTree<T>, target: string): T | undefined {
  if (target === SYSTEM_TARGET) return tree.system;
  const { gateway, issuer, method } = parseTarget(target);
  if (gateway !== null) {
    if (issuer !== null && method !== null) return tree.gatewayCells[gateway]?.[issuer]?.[method];
    if (issuer !== null) return tree.gatewayIssuers[gateway]?.[issuer];
    if (method !== null) return tree.gatewayMethods[gateway]?.[method];
    return tree.gateways[gateway];
  }
  if (issuer !== null && method !== null) return tree.issuerMethods[issuer]?.[method];
  if (issuer !== null) return tree.issuers[issuer];
  if (method !== null) return tree.methods[method];
  return undefined;
}

export const metricsFor = (window: WindowMetrics, target: string): DimensionMetrics | undefined => lookup(window, target);

/** A copy of a dimension tree with the entry a target names replaced (created where missing). */
export function withEntry<T>(tree: DimensionTree<T>, target: string, value: T): DimensionTree<T> {
  if (target === SYSTEM_TARGET) return { ...tree, system: value };
  const { gateway, issuer, method } = parseTarget(target);
  const set1 = (rows: Record<string, T>, key: string): Record<string, T> => ({ ...rows, [key]: value });
  const set2 = (rows: Record<string, Record<string, T>>, a: string, b: string): Record<string, Record<string, T>> => ({ ...rows, [a]: set1(rows[a] ?? {}, b) });
  if (gateway !== null) {
    if (issuer !== null && method !== null) {
      const cells = tree.gatewayCells[gateway] ?? {};
      return { ...tree, gatewayCells: { ...tree.gatewayCells, [gateway]: set2(cells, issuer, method) } };
    }
    if (issuer !== null) return { ...tree, gatewayIssuers: set2(tree.gatewayIssuers, gateway, issuer) };
    if (method !== null) return { ...tree, gatewayMethods: set2(tree.gatewayMethods, gateway, method) };
    return { ...tree, gateways: set1(tree.gateways, gateway) };
  }
  if (issuer !== null && method !== null) return { ...tree, issuerMethods: set2(tree.issuerMethods, issuer, method) };
  if (issuer !== null) return { ...tree, issuers: set1(tree.issuers, issuer) };
  if (method !== null) return { ...tree, methods: set1(tree.methods, method) };
  return tree;
}

/** Every entry of a dimension tree with the target string that names it. */
export function* entriesOf<T>(tree: DimensionTree<T>): Generator<[string, T]> {
  yield [SYSTEM_TARGET, tree.system];
  for (const [issuer, v] of Object.entries(tree.issuers)) yield [targetOf({ issuer }), v];
  for (const [method, v] of Object.entries(tree.methods)) yield [targetOf({ method }), v];
  for (const [issuer, row] of Object.entries(tree.issuerMethods)) for (const [method, v] of Object.entries(row)) yield [targetOf({ issuer, method }), v];
  for (const [gateway, v] of Object.entries(tree.gateways)) yield [targetOf({ gateway }), v];
  for (const [gateway, row] of Object.entries(tree.gatewayIssuers)) for (const [issuer, v] of Object.entries(row)) yield [targetOf({ gateway, issuer }), v];
  for (const [gateway, row] of Object.entries(tree.gatewayMethods)) for (const [method, v] of Object.entries(row)) yield [targetOf({ gateway, method }), v];
  for (const [gateway, rows] of Object.entries(tree.gatewayCells)) {
    for (const [issuer, row] of Object.entries(rows)) for (const [method, v] of Object.entries(row)) yield [targetOf({ gateway, issuer, method }), v];
  }
}

type Row<T> = Record<string, T>;

/** Every entry but the system's through `entry`: kept as it returns it, dropped when it returns undefined. */
function rebuildRows<T>(tree: DimensionTree<T>, entry: (value: T) => T | undefined): DimensionTree<T> {
  const row = (r: Row<T>): Row<T> => {
    const out: Row<T> = {};
    for (const key in r) {
      const value = entry(r[key] as T);
      if (value !== undefined) out[key] = value;
    }
    return out;
  };
  const rows = (r: Row<Row<T>>): Row<Row<T>> => {
    const out: Row<Row<T>> = {};
    for (const key in r) out[key] = row(r[key] as Row<T>);
    return out;
  };
  const cells: Row<Row<Row<T>>> = {};
  for (const gateway in tree.gatewayCells) cells[gateway] = rows(tree.gatewayCells[gateway] as Row<Row<T>>);
  return {
    system: tree.system,
    issuers: row(tree.issuers),
    methods: row(tree.methods),
    issuerMethods: rows(tree.issuerMethods),
    gateways: row(tree.gateways),
    gatewayIssuers: rows(tree.gatewayIssuers),
    gatewayMethods: rows(tree.gatewayMethods),
    gatewayCells: cells,
  };
}

/** The tree without the entries `keep` refuses (the system's is always kept); the same object when nothing goes. */
export function filterTree<T>(tree: DimensionTree<T>, keep: (value: T) => boolean): DimensionTree<T> {
  let changed = false;
  const filtered = rebuildRows(tree, (value) => {
    if (keep(value)) return value;
    changed = true;
    return undefined;
  });
  return changed ? filtered : tree;
}

/** Every entry of the tree through `f`. */
export const mapTree = <T>(tree: DimensionTree<T>, f: (value: T) => T): DimensionTree<T> => ({ ...rebuildRows(tree, f), system: f(tree.system) });
