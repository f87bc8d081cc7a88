// A seeded, streaming payment generator over the world of world.ts. Each issuer's health drifts as an
// Ornstein-Uhlenbeck process (the original's drift.theta/sigma/mean_success); the payment's method and
// gateway take their own share off it; latency and retries follow health; scripted faults are laid on
// top; and the directives in force (the closed loop) decide where each payment goes.
// Every payment draws from a PRNG of its own (common random numbers), so its fate with no directive
// is computed beside its fate with the directives: the stream counts, exactly and per payment, the
// good payments a directive turned away and the failures it avoided.
import { MS_PER_SECOND, SECONDS_PER_HOUR, type Transaction } from '../agent';
import { openRouting, place, placementDraws, routeTable, type Routing, type RouteTable } from './gateway';
import { calmEffects, compileIncidents, effectsAt, type IncidentMagnitudes, type ScriptedIncident } from './incidents';
import { createPrng, pickWeighted, type Prng } from './prng';
import { pathIndex, worldOf, type Path, type WorldProfile } from './world';

export interface DriftSettings {
  theta: number;
  sigma: number;
  meanSuccess: number;
}

export interface StreamOptions extends WorldProfile {
  currency: string;
  drift: DriftSettings;
  /** Simulated seconds per OU time unit (one drift step). */
  driftTimeUnitSeconds: number;
  /** Real issuers never reach 100%; the drift is kept below this. */
  maxSuccessRate: number;
  /** Share of the failures health alone makes that are customer declines rather than technical errors. */
  declineShareOfFailures: number;
  medianLatencyMs: number;
  latencyLogSigma: number;
  /** Latency grows by this factor per unit of health below the drift mean: sick issuers are slow. */
  latencyPerHealthDrop: number;
  /** Attempts slower than this fail as gateway timeouts. */
  timeoutMs: number;
  /** The gateway's own policy: chance a technical failure is retried, and how often at most. */
  retryProbability: number;
  maxRetries: number;
  retryDelayMs: number;
  amountLogSigma: number;
  /** Daily rhythm of arrivals: the rate swings by this share around its mean, highest at peakHourUtc (0: a flat rate). */
  dailyVolumeSwing: number;
  peakHourUtc: number;
  /** Share of payers steered away from their bank or method who pay with another instrument (the agent's customerSwitchRate). */
  customerSwitchRate: number;
  /** Cost of one retried attempt in minor units of `currency`: processing and card schemes' excessive-reattempt fees. */
  retryCostMinor: number;
  incidents: readonly ScriptedIncident[];
  magnitudes: IncidentMagnitudes;
}

/** One stretch of the stream: its attempts and what the payments behind them came to. */
export interface StreamChunk {
  transactions: Transaction[];
  payments: number;
  settledMinor: number;
  /** Amounts of payments that did not succeed: their last attempt failed, or the payer left at checkout. */
  lostMinor: number;
  /** What the retried attempts cost (retryCostMinor each). */
  retryCostMinor: number;
  /** Amounts of payments that would have succeeded with no directive in force, and did not. */
  turnedAwayMinor: number;
  /** Amounts of payments that would have failed with no directive in force, and succeeded. */
  avoidedMinor: number;
}

export const emptyChunk = (): StreamChunk => ({
  transactions: [],
  payments: 0,
  settledMinor: 0,
  lostMinor: 0,
  retryCostMinor: 0,
  turnedAwayMinor: 0,
  avoidedMinor: 0,
});

/** Adds `part` to `into`, attempts included. */
export function addChunk(into: StreamChunk, part: StreamChunk): void {
  for (const tx of part.transactions) into.transactions.push(tx);
  into.payments += part.payments;
  into.settledMinor += part.settledMinor;
  into.lostMinor += part.lostMinor;
  into.retryCostMinor += part.retryCostMinor;
  into.turnedAwayMinor += part.turnedAwayMinor;
  into.avoidedMinor += part.avoidedMinor;
}

export interface PaymentStream {
  /** Generates every payment arriving before `toMs` (event time), placed as `routing` says. */
  advance(toMs: number, routing: Routing): StreamChunk;
  /** Each issuer's drifting success probability now. */
  health(): Record<string, number>;
}

const GATEWAY_TIMEOUT = 'GATEWAY_TIMEOUT';
const SECONDS_PER_DAY = 86_400;
/** Salt of the demand draws (who pays, when, how much), so they do not repeat the drift's. */
const DEMAND_SALT = 0x5bd1e995;

/** A payment's own PRNG seed: the stream seed and its arrival number, mixed (murmur3 finaliser). */
function paymentSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One OU step of length dt, kept inside [0, max]. */
function ouStep(x: number, prng: Prng, theta: number, sigma: number, mean: number, dt: number, max: number): number {
  const next = x + theta * (mean - x) * dt + sigma * Math.sqrt(dt) * prng.normal();
  return Math.min(max, Math.max(0, next));
}

/** What became of one payment: where it went (null: the payer left at checkout) and how it ended. */
interface Fate {
  path: Path | null;
  succeeded: boolean;
  retries: number;
}

/** Where a payment's attempts are written, or null for a fate only computed (the no-directive one). */
interface Sink {
  transactions: Transaction[];
  idPrefix: string;
}

export function createStream(o: StreamOptions, startMs: number, paymentsPerSecond: number): PaymentStream {
  const world = worldOf(o);
  const faults = compileIncidents(o.incidents, world);
  const openTable = routeTable(world, openRouting);
  const tables = new WeakMap<Routing, RouteTable>();
  const driftPrng = createPrng(o.seed);
  const demand = createPrng(o.seed ^ DEMAND_SALT);
  const health = new Float64Array(world.issuers.length).fill(o.drift.meanSuccess);
  const driftStepMs = o.driftTimeUnitSeconds * MS_PER_SECOND;
  let now = startMs;
  let nextDriftAt = startMs;
  let arrivals = 0;

  // Arrivals since the start: the integral of the rate, mean * (1 + swing * cos(phase)), in closed form.
  const phase = (ms: number): number => (2 * Math.PI * (ms / MS_PER_SECOND - o.peakHourUtc * SECONDS_PER_HOUR)) / SECONDS_PER_DAY;
  const swingSeconds = (ms: number): number => ((o.dailyVolumeSwing * SECONDS_PER_DAY) / (2 * Math.PI)) * (Math.sin(phase(ms)) - Math.sin(phase(startMs)));
  const arrivalsBefore = (ms: number): number => Math.floor(((ms - startMs) / MS_PER_SECOND + swingSeconds(ms)) * paymentsPerSecond);

  function tableFor(routing: Routing): RouteTable {
    let table = tables.get(routing);
    if (!table) {
      table = routeTable(world, routing);
      tables.set(routing, table);
    }
    return table;
  }

  /** The attempts of one payment on its path until it succeeds, is declined or the retries run out. */
  function attempt(prng: Prng, table: RouteTable, p: Path, at: number, hi: number, amountMinor: number, sink: Sink | null): Fate {
    const index = pathIndex(world, p);
    const fx = faults.length === 0 ? calmEffects : effectsAt(faults, o.magnitudes, index, at);
    const method = world.methods[p.method]!;
    const drift = health[p.issuer]!;
    // What the payer's bank and method allow; most of the failures beyond it are the payer's own refusals.
    const natural = Math.min(o.maxSuccessRate, Math.max(0, drift + method.successOffset));
    const declineP = Math.min(1, (1 - natural) * o.declineShareOfFailures + fx.declinePoints);
    const successP = Math.max(0, Math.min(fx.successCap, natural - world.gatewayLoss[index]! - fx.successPoints - fx.declinePoints));
    // A refusal is the payer's, on every path and retry; the rest pass each attempt with this chance, so successP holds overall.
    const refuses = prng.next() < declineP;
    const passP = declineP < 1 ? successP / (1 - declineP) : 0;
    const retryP = fx.retryProbability ?? o.retryProbability;
    const maxRetries = Math.min(fx.maxRetries ?? o.maxRetries, table.retryCap[index]!);
    const medianLatency = o.medianLatencyMs * fx.latencyFactor * (1 + o.latencyPerHealthDrop * Math.max(0, o.drift.meanSuccess - drift));
    for (let retry = 0; ; retry++) {
      const uSuccess = prng.next();
      const uRetry = prng.next();
      const uCode = prng.next();
      const latency = Math.round(medianLatency * Math.exp(o.latencyLogSigma * prng.normal()));
      const timedOut = latency >= o.timeoutMs;
      const succeeded = !timedOut && !refuses && uSuccess < passP;
      // A path that is down never reaches the payer's bank: it fails technically even a payer who would refuse.
      const declined = !timedOut && refuses && !fx.down;
      if (sink) {
        const codes = declined ? method.declineCodes : method.technicalCodes;
        sink.transactions.push({
          id: `${sink.idPrefix}-${retry}`,
          timestamp: new Date(Math.min(hi - 1, at + retry * o.retryDelayMs)).toISOString(),
          issuer: world.issuers[p.issuer]!.name,
          method: method.name,
          status: succeeded ? 'success' : 'failed',
          amountMinor,
          currency: o.currency,
          latencyMs: timedOut ? o.timeoutMs : latency,
          retryCount: retry,
          errorCode: succeeded ? null : timedOut ? GATEWAY_TIMEOUT : (codes[Math.floor(uCode * codes.length)] ?? GATEWAY_TIMEOUT),
          gateway: world.gateways[p.gateway]!.name,
        });
      }
      const done = succeeded || (declined && !fx.retriesDeclines) || retry >= maxRetries || uRetry >= retryP;
      if (done) return { path: p, succeeded, retries: retry };
    }
  }

  /** One payment's fate under a route table, from its own seed: placement first, then its attempts. */
  function settle(seed: number, table: RouteTable, payer: Path, at: number, hi: number, amountMinor: number, sink: Sink | null): Fate {
    const prng = createPrng(seed);
    const path = place(world, table, placementDraws(prng), payer, o.customerSwitchRate);
    return path === null ? { path, succeeded: false, retries: 0 } : attempt(prng, table, path, at, hi, amountMinor, sink);
  }

  function pay(out: StreamChunk, table: RouteTable, lo: number, hi: number): void {
    const index = arrivals++;
    const at = lo + Math.floor(demand.next() * (hi - lo));
    const payer: Path = {
      issuer: pickWeighted(demand, world.issuerCum),
      method: pickWeighted(demand, world.methodCum),
      gateway: pickWeighted(demand, world.gatewayCum),
    };
    const amountMinor = Math.round(world.methods[payer.method]!.medianAmountMinor * Math.exp(o.amountLogSigma * demand.normal()));
    const seed = paymentSeed(o.seed, index);
    const fate = settle(seed, table, payer, at, hi, amountMinor, { transactions: out.transactions, idPrefix: `sim${o.seed}-${index}` });
    // A payment the directives left on its path, uncapped, met the fate it had without them: same draws, same path.
    const alike = fate.path !== null && pathIndex(world, fate.path) === pathIndex(world, payer) && table.retryCap[pathIndex(world, payer)] === Infinity;
    const without = alike ? fate : settle(seed, openTable, payer, at, hi, amountMinor, null);
    out.payments += 1;
    if (fate.succeeded) out.settledMinor += amountMinor;
    else out.lostMinor += amountMinor;
    out.retryCostMinor += fate.retries * o.retryCostMinor;
    if (without.succeeded && !fate.succeeded) out.turnedAwayMinor += amountMinor;
    if (!without.succeeded && fate.succeeded) out.avoidedMinor += amountMinor;
  }

  function stepDrift(): void {
    health.forEach((x, i) => {
      health[i] = ouStep(x, driftPrng, o.drift.theta, o.drift.sigma, o.drift.meanSuccess, 1, o.maxSuccessRate);
    });
  }

  return {
    advance(toMs, routing) {
      const out = emptyChunk();
      const table = tableFor(routing);
      while (now < toMs) {
        if (now >= nextDriftAt) {
          stepDrift();
          nextDriftAt += driftStepMs;
        }
        const hi = Math.min(toMs, nextDriftAt);
        for (let n = arrivalsBefore(hi) - arrivalsBefore(now); n > 0; n--) pay(out, table, now, hi);
        now = hi;
      }
      return out;
    },
    health: () => Object.fromEntries(world.issuers.map((issuer, i) => [issuer.name, health[i] ?? 0])),
  };
}
