// A day of payment traffic for the scenario suite (bench:scenarios) and the detection tests, from a
// model deliberately unlike the closed-loop world's and the agent's own assumptions: binomial
// outcomes, lognormal latencies, a daily cycle in volume (x5 night to noon), success (−2 points at
// the peak) and latency (+15% at the peak), skewed issuer shares, a UPI-heavy mix, and a usual
// failure mix that differs by issuer. Faults are functions of (issuer, method, window).
import type { Transaction } from '../agent';
import { createPrng, type Prng } from './prng';

export const WINDOW_MS = 60_000;
/** Midnight, so window 0 is the night trough. */
export const DAY_START = Date.UTC(2026, 2, 2);
export const WINDOWS_PER_DAY = 1440;

export const ISSUERS: [string, number][] = [
  ['HDFC', 0.3],
  ['ICICI', 0.2],
  ['SBI', 0.15],
  ['AXIS', 0.1],
  ['KOTAK', 0.08],
  ['YES', 0.07],
  ['PNB', 0.06],
  ['BOB', 0.03],
  ['IDFC', 0.01],
];
/** Method, share, base success, the customer decline it fails with. */
export const METHODS: [string, number, number, string][] = [
  ['upi', 0.56, 0.93, 'Z9'],
  ['card', 0.27, 0.9, '51'],
  ['netbanking', 0.12, 0.84, 'DO_NOT_HONOR'],
  ['wallet', 0.05, 0.95, 'INSUFFICIENT_FUNDS'],
];
const USUAL_RETRY_SHARE = 0.03;

/** Issuers whose usual failures are mostly technical rather than declines. */
const TECHNICAL_MINDED = new Set(['PNB', 'SBI']);

export interface CellFx {
  /** Success points taken away (technical failures). */
  successPoints?: number;
  /** Extra customer declines, as a share of attempts. */
  declinePoints?: number;
  /** Multiplier on the cell's volume (campaigns; 0 for a stalled feed). */
  volumeFactor?: number;
  /** The feed drops success events: successes never arrive. */
  successesLost?: boolean;
  latencyFactor?: number;
  /** Share of attempts that are retries (the usual is 3%). */
  retryShare?: number;
}

export type Fault = (issuer: string, method: string, window: number) => CellFx | null;

export interface TrafficOptions {
  seed: number;
  /** Payments per window at the noon peak; the night trough carries a fifth. */
  peakPerWindow: number;
  fault?: Fault;
  /** First window's offset into the day (0 = midnight). */
  startWindow?: number;
}

/** 0 at midnight, 1 at noon. */
const dayPhase = (window: number): number => (1 - Math.cos((2 * Math.PI * (window % WINDOWS_PER_DAY)) / WINDOWS_PER_DAY)) / 2;

function binomial(prng: Prng, n: number, p: number): number {
  if (n <= 0) return 0;
  if (n < 60) {
    let k = 0;
    for (let i = 0; i < n; i++) if (prng.next() < p) k++;
    return k;
  }
  const k = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * prng.normal());
  return Math.min(n, Math.max(0, k));
}

/** Window `index`'s attempts, each id unique to the seed, window and cell. */
export function trafficWindow(o: TrafficOptions, index: number): Transaction[] {
  const window = (o.startWindow ?? 0) + index;
  const prng = createPrng(o.seed * 100_003 + window);
  const phase = dayPhase(window);
  const perWindow = o.peakPerWindow * (0.2 + 0.8 * phase);
  const start = DAY_START + window * WINDOW_MS;
  const txs: Transaction[] = [];
  for (const [issuer, share] of ISSUERS) {
    for (const [method, mshare, base, decline] of METHODS) {
      const fx = o.fault?.(issuer, method, window) ?? {};
      const expected = perWindow * share * mshare * (fx.volumeFactor ?? 1);
      const volume = Math.max(0, Math.round(expected + Math.sqrt(expected) * prng.normal()));
      const success = Math.max(0, base - 0.02 * phase - (fx.successPoints ?? 0) - (fx.declinePoints ?? 0));
      const successes = binomial(prng, volume, success);
      const failures = volume - successes;
      const usualDeclineShare = TECHNICAL_MINDED.has(issuer) ? 0.2 : 0.8;
      const extraDeclines = Math.round(volume * (fx.declinePoints ?? 0));
      const technicalLoss = Math.round(volume * (fx.successPoints ?? 0));
      const usualFailures = Math.max(0, failures - extraDeclines - technicalLoss);
      const declines = Math.min(failures, extraDeclines + binomial(prng, usualFailures, usualDeclineShare));
      const latencyMedian = 300 * (1 + 0.15 * phase) * (fx.latencyFactor ?? 1);
      for (let i = 0; i < volume; i++) {
        const succeeded = i < successes;
        if (succeeded && fx.successesLost) continue;
        const retry = prng.next() < (fx.retryShare ?? USUAL_RETRY_SHARE);
        txs.push({
          id: `${o.seed}-${window}-${issuer}-${method}-${i}`,
          timestamp: new Date(start + Math.floor(prng.next() * WINDOW_MS)).toISOString(),
          issuer,
          method,
          status: succeeded ? 'success' : 'failed',
          amountMinor: Math.round(100_000 * Math.exp(0.8 * prng.normal())),
          currency: 'INR',
          latencyMs: Math.round(latencyMedian * Math.exp(0.5 * prng.normal())),
          retryCount: retry ? 1 : 0,
          errorCode: succeeded ? null : i < successes + declines ? decline : 'U30',
        });
      }
    }
  }
  return txs;
}
