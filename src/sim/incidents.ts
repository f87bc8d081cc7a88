// Scripted incidents with a start and an end, laid over the drifting stream. Their magnitudes are
// the detection benchmark's (defaultScenarioOptions), so both benchmarks mean the same by an outage.
import { parseTarget } from '../agent/targets';
import { defaultScenarioOptions, type ScenarioKind } from './scenarios';

export type IncidentKind = Exclude<ScenarioKind, 'healthy'>;

export const incidentKinds: readonly IncidentKind[] = ['outage', 'degradation', 'retry_storm', 'latency_spike', 'method_fatigue'];

export interface ScriptedIncident {
  kind: IncidentKind;
  /** `issuer:HDFC` (or a method target for method fatigue). */
  target: string;
  /** Event time, epoch ms, inclusive. */
  startMs: number;
  /** Event time, epoch ms, exclusive. */
  endMs: number;
}

export interface IncidentMagnitudes {
  outageSuccessRate: number;
  degradationPoints: number;
  stormSuccessPoints: number;
  /** During a storm the gateway retries nearly every technical failure, and more often. */
  stormRetryProbability: number;
  stormMaxRetries: number;
  latencySpikeFactor: number;
  fatigueSuccessPoints: number;
}

export const defaultMagnitudes: IncidentMagnitudes = {
  outageSuccessRate: defaultScenarioOptions.outageSuccessRate,
  degradationPoints: defaultScenarioOptions.degradationPoints,
  stormSuccessPoints: defaultScenarioOptions.stormSuccessPoints,
  stormRetryProbability: 0.95,
  stormMaxRetries: 4,
  latencySpikeFactor: defaultScenarioOptions.latencySpikeFactor,
  fatigueSuccessPoints: defaultScenarioOptions.fatigueSuccessPoints,
};

/** How the incidents in force change one attempt; the calm value changes nothing. */
export interface AttemptEffects {
  /** Success-probability points taken away. */
  successPoints: number;
  /** Upper bound on the success probability. */
  successCap: number;
  latencyFactor: number;
  /** Overrides of the gateway's own retry policy, or null. */
  retryProbability: number | null;
  maxRetries: number | null;
}

export const calmEffects: AttemptEffects = { successPoints: 0, successCap: 1, latencyFactor: 1, retryProbability: null, maxRetries: null };

function hits(incident: ScriptedIncident, issuer: string, method: string): boolean {
  const t = parseTarget(incident.target);
  return (t.issuer === null || t.issuer === issuer) && (t.method === null || t.method === method);
}

function apply(fx: AttemptEffects, kind: IncidentKind, m: IncidentMagnitudes): AttemptEffects {
  switch (kind) {
    case 'outage':
      return { ...fx, successCap: Math.min(fx.successCap, m.outageSuccessRate) };
    case 'degradation':
      return { ...fx, successPoints: fx.successPoints + m.degradationPoints };
    case 'retry_storm':
      return { ...fx, successPoints: fx.successPoints + m.stormSuccessPoints, retryProbability: m.stormRetryProbability, maxRetries: m.stormMaxRetries };
    case 'latency_spike':
      return { ...fx, latencyFactor: fx.latencyFactor * m.latencySpikeFactor };
    case 'method_fatigue':
      return { ...fx, successPoints: fx.successPoints + m.fatigueSuccessPoints };
  }
}

export function effectsAt(incidents: readonly ScriptedIncident[], m: IncidentMagnitudes, issuer: string, method: string, atMs: number): AttemptEffects {
  let fx = calmEffects;
  for (const incident of incidents) {
    if (atMs >= incident.startMs && atMs < incident.endMs && hits(incident, issuer, method)) fx = apply(fx, incident.kind, m);
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
