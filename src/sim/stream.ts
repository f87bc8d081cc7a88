// A seeded, streaming payment generator. Each issuer's health drifts as an Ornstein-Uhlenbeck
// process (the original's drift.theta/sigma/mean_success); latency and retries follow health,
// failures emerge from the drift, scripted incidents are laid on top, and the gateway's routing
// (the closed loop) decides where each payment goes. Every payment draws its outcome from a PRNG
// of its own, so two runs that route a payment alike give it the same fate: the agent-on and
// agent-off runs of a scenario differ only by what the agent did.
import type { Transaction } from '../agent/types';
import { issuerAwayShare, methodAwayShare, retryCapFor, type Routing } from './gateway';
import { effectsAt, type IncidentMagnitudes, type ScriptedIncident } from './incidents';
import { createPrng, cumulativeOf, pickWeighted, type Prng } from './prng';
import { DECLINE_CODES, TECHNICAL_CODE as UNAVAILABLE, ouStep } from './scenarios';

export interface Weighted {
  name: string;
  weight: number;
}

export interface MethodProfile extends Weighted {
  medianAmountMinor: number;
}

export interface DriftSettings {
  theta: number;
  sigma: number;
  meanSuccess: number;
}

export interface StreamOptions {
  seed: number;
  issuers: readonly Weighted[];
  methods: readonly MethodProfile[];
  currency: string;
  drift: DriftSettings;
  /** Simulated seconds per OU time unit (one drift step). */
  driftTimeUnitSeconds: number;
  /** Real issuers never reach 100%; the drift is kept below this. */
  maxSuccessRate: number;
  /** Share of drift-made failures that are customer declines rather than technical errors. */
  declineShareOfFailures: number;
  medianLatencyMs: number;
  latencyLogSigma: number;
  /** Latency grows by this factor per unit of health below the drift mean: sick issuers are slow. */
  latencyPerHealthDrop: number;
  /** Attempts slower than this fail as timeouts. */
  timeoutMs: number;
  /** The gateway's own policy: chance a technical failure is retried, and how often at most. */
  retryProbability: number;
  maxRetries: number;
  retryDelayMs: number;
  /** Attempts per payment an issuer handles without strain; more load lowers its success. */
  normalAmplification: number;
  /** Success is multiplied by (amplification / normal) ^ -overloadExponent: retries overload an issuer. */
  overloadExponent: number;
  amountLogSigma: number;
  incidents: readonly ScriptedIncident[];
  magnitudes: IncidentMagnitudes;
}

/** One stretch of the stream: its attempts and what the payments behind them came to. */
export interface StreamChunk {
  transactions: Transaction[];
  payments: number;
  settledMinor: number;
  /** Amounts of payments whose last attempt failed. */
  lostMinor: number;
}

export interface PaymentStream {
  /** Generates every payment arriving before `toMs` (event time), routed as `routing` says. */
  advance(toMs: number, routing: Routing): StreamChunk;
  /** Each issuer's drifting success probability now. */
  health(): Record<string, number>;
}

const TIMEOUT = 'TIMEOUT';
const MS_PER_SECOND = 1000;
/** Weight of the newest stretch in an issuer's load estimate. */
const LOAD_ALPHA = 0.5;

/** A payment's own PRNG seed: the stream seed and its arrival number, mixed (murmur3 finaliser). */
function paymentSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A weighted pick among the names not excluded, from one uniform draw; null when none is left. */
function pickOther(names: readonly Weighted[], excluded: (name: string) => boolean, u: number): string | null {
  const open = names.filter((n) => !excluded(n.name));
  const total = open.reduce((sum, n) => sum + n.weight, 0);
  let r = u * total;
  for (const n of open) {
    r -= n.weight;
    if (r < 0) return n.name;
  }
  return open[open.length - 1]?.name ?? null;
}

export function createStream(o: StreamOptions, startMs: number, paymentsPerSecond: number): PaymentStream {
  const driftPrng = createPrng(o.seed);
  const demand = createPrng(o.seed ^ 0x5bd1e995);
  const issuerCum = cumulativeOf(o.issuers.map((i) => i.weight));
  const methodCum = cumulativeOf(o.methods.map((m) => m.weight));
  const health = new Map(o.issuers.map((i) => [i.name, o.drift.meanSuccess]));
  const amplification = new Map(o.issuers.map((i) => [i.name, o.normalAmplification]));
  const medianAmount = new Map(o.methods.map((m) => [m.name, m.medianAmountMinor]));
  const driftStepMs = o.driftTimeUnitSeconds * MS_PER_SECOND;
  let now = startMs;
  let nextDriftAt = startMs;
  let arrivals = 0;

  const arrivalsBefore = (ms: number): number => Math.floor(((ms - startMs) / MS_PER_SECOND) * paymentsPerSecond);

  function stepDrift(): void {
    for (const [name, x] of health) {
      health.set(name, ouStep(x, driftPrng, o.drift.theta, o.drift.sigma, o.drift.meanSuccess, 1, o.maxSuccessRate));
    }
  }

  /** Re-routes a payment the way the directives say; two draws each, taken whether used or not. */
  function routed(prng: Prng, routing: Routing, issuer: string, method: string): { issuer: string; method: string } {
    const [uMethod, pickMethod, uIssuer, pickIssuer] = [prng.next(), prng.next(), prng.next(), prng.next()];
    let m = method;
    if (uMethod < methodAwayShare(routing, issuer, method)) {
      m = pickOther(o.methods, (name) => methodAwayShare(routing, issuer, name) > 0, pickMethod) ?? method;
    }
    let i = issuer;
    if (uIssuer < issuerAwayShare(routing, issuer, m)) {
      i = pickOther(o.issuers, (name) => issuerAwayShare(routing, name, m) > 0, pickIssuer) ?? issuer;
    }
    return { issuer: i, method: m };
  }

  function pay(out: StreamChunk, load: Map<string, number[]>, routing: Routing, lo: number, hi: number): void {
    const index = arrivals++;
    const at = lo + Math.floor(demand.next() * (hi - lo));
    const wanted = { issuer: o.issuers[pickWeighted(demand, issuerCum)]?.name ?? '', method: o.methods[pickWeighted(demand, methodCum)]?.name ?? '' };
    const amountMinor = Math.round((medianAmount.get(wanted.method) ?? 0) * Math.exp(o.amountLogSigma * demand.normal()));
    const prng = createPrng(paymentSeed(o.seed, index));
    const { issuer, method } = routed(prng, routing, wanted.issuer, wanted.method);
    const fx = effectsAt(o.incidents, o.magnitudes, issuer, method, at);
    const drift = health.get(issuer) ?? o.drift.meanSuccess;
    const strain = Math.min(1, ((amplification.get(issuer) ?? o.normalAmplification) / o.normalAmplification) ** -o.overloadExponent);
    const successP = Math.max(0, Math.min(fx.successCap, drift * strain - fx.successPoints));
    const retryP = fx.retryProbability ?? o.retryProbability;
    const maxRetries = Math.min(fx.maxRetries ?? o.maxRetries, retryCapFor(routing, issuer, method) ?? Infinity);
    const medianLatency = o.medianLatencyMs * fx.latencyFactor * (1 + o.latencyPerHealthDrop * Math.max(0, o.drift.meanSuccess - drift));
    const counts = load.get(issuer) ?? [0, 0];
    load.set(issuer, counts);
    counts[0] = (counts[0] ?? 0) + 1;
    for (let retry = 0; ; retry++) {
      const [uSuccess, uDecline, uRetry, uCode] = [prng.next(), prng.next(), prng.next(), prng.next()];
      const latency = Math.round(medianLatency * Math.exp(o.latencyLogSigma * prng.normal()));
      const timedOut = latency >= o.timeoutMs;
      const succeeded = uSuccess < successP && !timedOut;
      // What the drift alone would have failed is mostly the customer's doing; overload and incidents are technical.
      const declined = !succeeded && !timedOut && uSuccess >= drift && uDecline < o.declineShareOfFailures;
      const errorCode = succeeded ? null : timedOut ? TIMEOUT : declined ? (DECLINE_CODES[Math.floor(uCode * DECLINE_CODES.length)] ?? UNAVAILABLE) : UNAVAILABLE;
      counts[1] = (counts[1] ?? 0) + 1;
      out.transactions.push({
        id: `sim${o.seed}-${index}-${retry}`,
        timestamp: new Date(Math.min(hi - 1, at + retry * o.retryDelayMs)).toISOString(),
        issuer,
        method,
        status: succeeded ? 'success' : 'failed',
        amountMinor,
        currency: o.currency,
        latencyMs: timedOut ? o.timeoutMs : latency,
        retryCount: retry,
        errorCode,
      });
      if (succeeded) {
        out.settledMinor += amountMinor;
        break;
      }
      if (declined || retry >= maxRetries || uRetry >= retryP) {
        out.lostMinor += amountMinor;
        break;
      }
    }
    out.payments += 1;
  }

  return {
    advance(toMs, routing) {
      const out: StreamChunk = { transactions: [], payments: 0, settledMinor: 0, lostMinor: 0 };
      while (now < toMs) {
        if (now >= nextDriftAt) {
          stepDrift();
          nextDriftAt += driftStepMs;
        }
        const hi = Math.min(toMs, nextDriftAt);
        const load = new Map<string, number[]>();
        for (let n = arrivalsBefore(hi) - arrivalsBefore(now); n > 0; n--) pay(out, load, routing, now, hi);
        for (const [issuer, [payments = 0, attempts = 0]] of load) {
          const previous = amplification.get(issuer) ?? o.normalAmplification;
          amplification.set(issuer, previous + LOAD_ALPHA * (attempts / payments - previous));
        }
        now = hi;
      }
      return out;
    },
    health: () => Object.fromEntries(health),
  };
}
