// Window metrics built directly, without transactions, for throughput runs at 1,000 issuers x 10
// methods (no gateway levels: the cost measured is the cycle's over 10,000 issuer x method cells).
// Figures are plausible rather than exact: an aggregate's p95 is the volume-weighted mean of its
// cells' p95s, which no percentile would give but a cycle's cost does not depend on.
import { emptyMetrics, emptyWindow, type DimensionMetrics, type WindowMetrics } from '../agent';
import type { Prng } from './prng';

export interface SyntheticOptions {
  issuers: number;
  methods: number;
  attemptsPerCell: number;
  successRate: number;
  retryShare: number;
  latencyP95Ms: number;
  latencyJitterShare: number;
  latencyMeanToP95: number;
  amountMinorPerAttempt: number;
}

function cell(prng: Prng, o: SyntheticOptions): DimensionMetrics {
  const volume = Math.max(0, Math.round(o.attemptsPerCell + Math.sqrt(o.attemptsPerCell) * prng.normal()));
  const sd = Math.sqrt(volume * o.successRate * (1 - o.successRate));
  const successes = Math.min(volume, Math.max(0, Math.round(volume * o.successRate + sd * prng.normal())));
  const latencyP95Ms = o.latencyP95Ms * (1 + o.latencyJitterShare * prng.normal());
  const retries = Math.round(volume * o.retryShare);
  const amountMinorSum = volume * o.amountMinorPerAttempt;
  return {
    volume,
    successes,
    latencyMeanMs: latencyP95Ms * o.latencyMeanToP95,
    latencyP95Ms,
    retries,
    retrySuccesses: Math.round(retries * o.successRate),
    amountMinorSum,
    errorCodeCounts: { INSUFFICIENT_FUNDS: volume - successes },
    amountMinorByCurrency: { INR: amountMinorSum },
  };
}

function merge(into: DimensionMetrics, m: DimensionMetrics): void {
  const volume = into.volume + m.volume;
  const weight = (a: number, b: number): number => (volume > 0 ? (a * into.volume + b * m.volume) / volume : 0);
  into.latencyMeanMs = weight(into.latencyMeanMs, m.latencyMeanMs);
  into.latencyP95Ms = weight(into.latencyP95Ms, m.latencyP95Ms);
  into.volume = volume;
  into.successes += m.successes;
  into.retries += m.retries;
  into.retrySuccesses += m.retrySuccesses;
  into.amountMinorSum += m.amountMinorSum;
  for (const [code, n] of Object.entries(m.errorCodeCounts)) into.errorCodeCounts[code] = (into.errorCodeCounts[code] ?? 0) + n;
  for (const [currency, n] of Object.entries(m.amountMinorByCurrency)) into.amountMinorByCurrency[currency] = (into.amountMinorByCurrency[currency] ?? 0) + n;
}

export function syntheticWindow(prng: Prng, o: SyntheticOptions, start: number, end: number): WindowMetrics {
  const system = emptyMetrics();
  const issuers: Record<string, DimensionMetrics> = {};
  const methods: Record<string, DimensionMetrics> = {};
  const issuerMethods: Record<string, Record<string, DimensionMetrics>> = {};
  for (let i = 0; i < o.issuers; i++) {
    const issuer = `ISS${i}`;
    const row: Record<string, DimensionMetrics> = {};
    const total = emptyMetrics();
    for (let j = 0; j < o.methods; j++) {
      const method = `m${j}`;
      const m = cell(prng, o);
      row[method] = m;
      merge(total, m);
      merge((methods[method] ??= emptyMetrics()), m);
    }
    issuerMethods[issuer] = row;
    issuers[issuer] = total;
    merge(system, total);
  }
  return { ...emptyWindow(start, end), system, issuers, methods, issuerMethods };
}
