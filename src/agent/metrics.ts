// Rates derived from the SQL-computable aggregates, and arithmetic on them.
import { SYSTEM_TARGET, parseTarget } from './targets';
import type { DimensionMetrics, WindowMetrics } from './types';

export function emptyMetrics(): DimensionMetrics {
  return {
    volume: 0,
    successes: 0,
    latencyMeanMs: 0,
    latencyP95Ms: 0,
    retries: 0,
    amountMinorSum: 0,
    errorCodeCounts: {},
  };
}

export const successRate = (m: DimensionMetrics): number =>
  m.volume > 0 ? m.successes / m.volume : 0;

export const retryRate = (m: DimensionMetrics): number => (m.volume > 0 ? m.retries / m.volume : 0);

/** Success counts of `whole` without `part`: the untouched traffic, used as a control. */
export function remainder(
  whole: DimensionMetrics,
  part: DimensionMetrics,
): { volume: number; successes: number } {
  return { volume: whole.volume - part.volume, successes: whole.successes - part.successes };
}

/** The aggregates a target string names in a window, if the window has any. */
export function metricsFor(window: WindowMetrics, target: string): DimensionMetrics | undefined {
  if (target === SYSTEM_TARGET) return window.system;
  const { issuer, method } = parseTarget(target);
  if (issuer !== null && method !== null) return window.issuerMethods[issuer]?.[method];
  if (issuer !== null) return window.issuers[issuer];
  if (method !== null) return window.methods[method];
  return undefined;
}
