// Payment streams with known ground truth: healthy issuers drift by an Ornstein-Uhlenbeck process
// and one incident of a chosen kind is injected, so detection can be scored against the truth.
import type { RootCause, Transaction } from '../agent/types';
import { cumulativeOf, createPrng, pickWeighted, type Prng } from './prng';

export type ScenarioKind = 'healthy' | 'outage' | 'degradation' | 'retry_storm' | 'latency_spike' | 'method_fatigue';

export interface ScenarioOptions {
  kind: ScenarioKind;
  seed: number;
  issuers: readonly { name: string; weight: number }[];
  methods: readonly { name: string; weight: number }[];
  /** Index into issuers (or methods, for method fatigue) of the incident's target. */
  targetIndex: number;
  startEpochMs: number;
  windowSeconds: number;
  windows: number;
  attemptsPerWindow: number;
  incidentStartWindow: number;
  incidentWindows: number;
  /** The original's drift: theta, sigma and mean, stepped once per OU time unit (a stream tick). */
  driftTheta: number;
  driftSigma: number;
  driftMeanSuccess: number;
  driftTimeUnitSeconds: number;
  /** Real issuers never reach 100%; the drift is kept below this. */
  maxSuccessRate: number;
  declineShareOfFailures: number;
  baseRetryShare: number;
  medianLatencyMs: number;
  latencyLogSigma: number;
  medianAmountMinor: number;
  outageSuccessRate: number;
  degradationPoints: number;
  stormRetryShare: number;
  stormSuccessPoints: number;
  latencySpikeFactor: number;
  fatigueSuccessPoints: number;
}

export const defaultScenarioOptions: Omit<ScenarioOptions, 'kind' | 'seed'> = {
  issuers: [
    { name: 'HDFC', weight: 0.25 },
    { name: 'ICICI', weight: 0.2 },
    { name: 'SBI', weight: 0.2 },
    { name: 'AXIS', weight: 0.12 },
    { name: 'KOTAK', weight: 0.08 },
    { name: 'YES', weight: 0.06 },
    { name: 'PNB', weight: 0.05 },
    { name: 'BOB', weight: 0.04 },
  ],
  methods: [
    { name: 'upi', weight: 0.45 },
    { name: 'card', weight: 0.35 },
    { name: 'netbanking', weight: 0.12 },
    { name: 'wallet', weight: 0.08 },
  ],
  targetIndex: 1,
  startEpochMs: Date.UTC(2026, 0, 1),
  windowSeconds: 60,
  windows: 120,
  attemptsPerWindow: 3000,
  incidentStartWindow: 60,
  incidentWindows: 20,
  driftTheta: 0.1,
  driftSigma: 0.05,
  driftMeanSuccess: 0.95,
  driftTimeUnitSeconds: 1,
  maxSuccessRate: 0.99,
  declineShareOfFailures: 0.8,
  baseRetryShare: 0.05,
  medianLatencyMs: 250,
  latencyLogSigma: 0.35,
  medianAmountMinor: 150_000,
  outageSuccessRate: 0.02,
  degradationPoints: 0.15,
  stormRetryShare: 0.4,
  stormSuccessPoints: 0.03,
  latencySpikeFactor: 3,
  fatigueSuccessPoints: 0.35,
};

export interface GroundTruth {
  kind: Exclude<ScenarioKind, 'healthy'>;
  cause: RootCause;
  target: string;
}

export interface ScenarioWindow {
  index: number;
  start: number;
  end: number;
  transactions: Transaction[];
  /** The incident in force during this window, or null for a healthy one. */
  truth: GroundTruth | null;
}

const CAUSE: Record<GroundTruth['kind'], RootCause> = {
  outage: 'ISSUER_OUTAGE',
  degradation: 'ISSUER_PARTIAL_DEGRADATION',
  retry_storm: 'RETRY_AMPLIFICATION',
  latency_spike: 'UPSTREAM_LATENCY',
  method_fatigue: 'METHOD_PROVIDER_PROBLEM',
};

/** Customer declines the generators draw from, and the technical failure they use. */
export const DECLINE_CODES = ['INSUFFICIENT_FUNDS', 'INVALID_PIN', 'EXPIRED_CARD', 'DO_NOT_HONOR'];
export const TECHNICAL_CODE = 'ISSUER_UNAVAILABLE';
const MS_PER_SECOND = 1000;

export function truthOf(o: Pick<ScenarioOptions, 'kind' | 'issuers' | 'methods' | 'targetIndex'>): GroundTruth | null {
  if (o.kind === 'healthy') return null;
  const target =
    o.kind === 'method_fatigue' ? `method:${o.methods[o.targetIndex]?.name ?? ''}` : `issuer:${o.issuers[o.targetIndex]?.name ?? ''}`;
  return { kind: o.kind, cause: CAUSE[o.kind], target };
}

/** One OU step of length dt, kept inside [0, max]. */
export function ouStep(x: number, prng: Prng, theta: number, sigma: number, mean: number, dt: number, max: number): number {
  const next = x + theta * (mean - x) * dt + sigma * Math.sqrt(dt) * prng.normal();
  return Math.min(max, Math.max(0, next));
}

interface Effects {
  successFactor: number;
  successCap: number;
  retryShare: number;
  latencyFactor: number;
}

function effectsFor(o: ScenarioOptions, active: boolean, issuerIndex: number, methodIndex: number): Effects {
  const calm: Effects = { successFactor: 0, successCap: 1, retryShare: o.baseRetryShare, latencyFactor: 1 };
  if (!active) return calm;
  const onIssuer = issuerIndex === o.targetIndex;
  switch (o.kind) {
    case 'outage':
      return onIssuer ? { ...calm, successCap: o.outageSuccessRate } : calm;
    case 'degradation':
      return onIssuer ? { ...calm, successFactor: o.degradationPoints } : calm;
    case 'retry_storm':
      return onIssuer ? { ...calm, successFactor: o.stormSuccessPoints, retryShare: o.stormRetryShare } : calm;
    case 'latency_spike':
      return onIssuer ? { ...calm, latencyFactor: o.latencySpikeFactor } : calm;
    case 'method_fatigue':
      return methodIndex === o.targetIndex ? { ...calm, successFactor: o.fatigueSuccessPoints } : calm;
    case 'healthy':
      return calm;
  }
}

function attempt(o: ScenarioOptions, prng: Prng, id: string, at: number, issuer: number, method: number, drift: number, fx: Effects): Transaction {
  const healthy = prng.next() < drift;
  const incidentP = Math.min(fx.successCap, drift - fx.successFactor);
  // An attempt that the drift alone lets through fails technically when the incident takes it.
  const succeeded = healthy && prng.next() < Math.max(0, incidentP) / Math.max(drift, Number.EPSILON);
  const errorCode = succeeded
    ? null
    : healthy || prng.next() >= o.declineShareOfFailures
      ? TECHNICAL_CODE
      : (DECLINE_CODES[Math.floor(prng.next() * DECLINE_CODES.length)] ?? TECHNICAL_CODE);
  return {
    id,
    timestamp: new Date(at).toISOString(),
    issuer: o.issuers[issuer]?.name ?? '',
    method: o.methods[method]?.name ?? '',
    status: succeeded ? 'success' : 'failed',
    amountMinor: Math.round(o.medianAmountMinor * Math.exp(0.5 * prng.normal())),
    currency: 'INR',
    latencyMs: Math.round(o.medianLatencyMs * fx.latencyFactor * Math.exp(o.latencyLogSigma * prng.normal())),
    retryCount: prng.next() < fx.retryShare ? 1 : 0,
    errorCode,
  };
}

export function* generateScenario(options: ScenarioOptions): Generator<ScenarioWindow> {
  const o = options;
  const prng = createPrng(o.seed);
  const issuerCum = cumulativeOf(o.issuers.map((i) => i.weight));
  const methodCum = cumulativeOf(o.methods.map((m) => m.weight));
  const drift = o.issuers.map(() => o.driftMeanSuccess);
  const windowMs = o.windowSeconds * MS_PER_SECOND;
  const truth = truthOf(o);
  const ticksPerWindow = Math.max(1, Math.round(o.windowSeconds / o.driftTimeUnitSeconds));
  const tickMs = windowMs / ticksPerWindow;
  for (let w = 0; w < o.windows; w++) {
    const active = truth !== null && w >= o.incidentStartWindow && w < o.incidentStartWindow + o.incidentWindows;
    const start = o.startEpochMs + w * windowMs;
    const transactions: Transaction[] = [];
    for (let tick = 0; tick < ticksPerWindow; tick++) {
      for (let i = 0; i < drift.length; i++) {
        drift[i] = ouStep(drift[i] ?? o.driftMeanSuccess, prng, o.driftTheta, o.driftSigma, o.driftMeanSuccess, 1, o.maxSuccessRate);
      }
      const attempts = Math.round(((tick + 1) * o.attemptsPerWindow) / ticksPerWindow) - Math.round((tick * o.attemptsPerWindow) / ticksPerWindow);
      for (let t = 0; t < attempts; t++) {
        const issuer = pickWeighted(prng, issuerCum);
        const method = pickWeighted(prng, methodCum);
        const at = start + Math.floor((tick + prng.next()) * tickMs);
        const fx = effectsFor(o, active, issuer, method);
        const id = `s${o.seed}-w${w}-${transactions.length}`;
        transactions.push(attempt(o, prng, id, at, issuer, method, drift[issuer] ?? o.driftMeanSuccess, fx));
      }
    }
    yield { index: w, start, end: start + windowMs, transactions, truth: active ? truth : null };
  }
}
