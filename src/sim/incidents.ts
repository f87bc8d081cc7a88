// Scripted faults with a start and an end, laid over the drifting stream. A fault sits in one place,
// named by a target: `issuer:X` (the bank, on every gateway), `gateway:g` (every issuer on it),
// `gateway:g/issuer:X` (one link), `gateway:g/method:m`, `method:m` (the method's provider, e.g. the
// UPI switch, on every gateway) or `system`. Both benchmarks and the demos take their faults from here.
import { covers, parseTarget } from '../agent';
import { forEachPath, pathCount, type World } from './world';

export type IncidentKind = 'outage' | 'degradation' | 'retry_storm' | 'latency_spike' | 'method_fatigue' | 'customer_decline_surge';

export interface ScriptedIncident {
  kind: IncidentKind;
  target: string;
  /** Event time, epoch ms, inclusive. */
  startMs: number;
  /** Event time, epoch ms, exclusive. */
  endMs: number;
  /** Success probability the fault takes away, instead of its kind's magnitude (degradation, fatigue, storm, decline surge). */
  successPoints?: number;
}

export interface IncidentMagnitudes {
  outageSuccessRate: number;
  degradationPoints: number;
  stormSuccessPoints: number;
  /** During a storm the gateway retries nearly every failure, declines included, and more often. */
  stormRetryProbability: number;
  stormMaxRetries: number;
  latencySpikeFactor: number;
  fatigueSuccessPoints: number;
  /** Payments the payers' own banks refuse on top of the usual (limits hit, a campaign's cards out of funds). */
  declineSurgePoints: number;
}

export const defaultMagnitudes: IncidentMagnitudes = {
  outageSuccessRate: 0.02,
  degradationPoints: 0.15,
  stormSuccessPoints: 0.03,
  stormRetryProbability: 0.95,
  stormMaxRetries: 4,
  latencySpikeFactor: 3,
  fatigueSuccessPoints: 0.35,
  declineSurgePoints: 0.15,
};

/** How the faults in force change one attempt; the calm value changes nothing. */
export interface AttemptEffects {
  /** Success probability taken away by technical faults. */
  successPoints: number;
  /** Success probability taken away by customer declines. */
  declinePoints: number;
  /** Upper bound on the success probability. */
  successCap: number;
  /** The path is down: its attempts never reach the payer's bank, so none of its failures is a decline. */
  down: boolean;
  latencyFactor: number;
  /** Overrides of the gateway's own retry policy, or null. */
  retryProbability: number | null;
  maxRetries: number | null;
  /** The gateway retries customer declines too: reattempts that cannot succeed and that card schemes charge for. */
  retriesDeclines: boolean;
}

export const calmEffects: AttemptEffects = {
  successPoints: 0,
  declinePoints: 0,
  successCap: 1,
  down: false,
  latencyFactor: 1,
  retryProbability: null,
  maxRetries: null,
  retriesDeclines: false,
};

/** An incident resolved against one world: which paths (by pathIndex) it hits. */
export interface Fault extends ScriptedIncident {
  hits: Uint8Array;
}

export function compileIncidents(incidents: readonly ScriptedIncident[], w: World): Fault[] {
  return incidents.map((incident) => {
    const scope = parseTarget(incident.target);
    const hits = new Uint8Array(pathCount(w));
    forEachPath(w, (index, gateway, issuer, method) => {
      hits[index] = covers(scope, gateway, issuer, method) ? 1 : 0;
    });
    return { ...incident, hits };
  });
}

function apply(fx: AttemptEffects, f: Fault, m: IncidentMagnitudes): AttemptEffects {
  const points = (fallback: number): number => f.successPoints ?? fallback;
  switch (f.kind) {
    case 'outage':
      return { ...fx, successCap: Math.min(fx.successCap, m.outageSuccessRate), down: true };
    case 'degradation':
      return { ...fx, successPoints: fx.successPoints + points(m.degradationPoints) };
    case 'retry_storm':
      return {
        ...fx,
        successPoints: fx.successPoints + points(m.stormSuccessPoints),
        retryProbability: m.stormRetryProbability,
        maxRetries: m.stormMaxRetries,
        retriesDeclines: true,
      };
    case 'latency_spike':
      return { ...fx, latencyFactor: fx.latencyFactor * m.latencySpikeFactor };
    case 'method_fatigue':
      return { ...fx, successPoints: fx.successPoints + points(m.fatigueSuccessPoints) };
    case 'customer_decline_surge':
      return { ...fx, declinePoints: fx.declinePoints + points(m.declineSurgePoints) };
  }
}

/** The effects of the faults in force at `atMs` on the path with this pathIndex. */
export function effectsAt(faults: readonly Fault[], m: IncidentMagnitudes, path: number, atMs: number): AttemptEffects {
  let fx = calmEffects;
  for (const f of faults) {
    if (atMs >= f.startMs && atMs < f.endMs && f.hits[path] === 1) fx = apply(fx, f, m);
  }
  return fx;
}

export interface Rotation {
  firstStartMs: number;
  /** Time from one incident's start to the next one's. */
  everyMs: number;
  lastingMs: number;
  count: number;
  /** Taken in turn, round and round. */
  plan: readonly Pick<ScriptedIncident, 'kind' | 'target'>[];
}

/** A repeating schedule of incidents, so a stream that runs for hours keeps giving the agent work. */
export function rotatingIncidents(r: Rotation): ScriptedIncident[] {
  return Array.from({ length: r.plan.length === 0 ? 0 : r.count }, (_, k) => {
    const startMs = r.firstStartMs + k * r.everyMs;
    const step = r.plan[k % r.plan.length] as Pick<ScriptedIncident, 'kind' | 'target'>;
    return { ...step, startMs, endMs: startMs + r.lastingMs };
  });
}
