// Detection scenarios with known ground truth: the payment stream with no directive in force and one
// scripted fault of a chosen kind on one issuer (or method), cut into observation windows, so
// detection is scored on the same world the closed loop and the demos run on.
import { issuerTarget, methodTarget, MS_PER_SECOND, type RootCause, type Transaction } from '../agent';
import { openRouting } from './gateway';
import type { IncidentKind } from './incidents';
import { SIM_START_MS, defaultDrift, defaultIssuers, defaultMethods, streamOptions } from './profile';
import { createStream, type DriftSettings } from './stream';

export type ScenarioKind = 'healthy' | Exclude<IncidentKind, 'customer_decline_surge'>;

export interface ScenarioOptions {
  kind: ScenarioKind;
  seed: number;
  /** Index into the default issuers (or methods, for method fatigue) of the incident's target. */
  targetIndex: number;
  startEpochMs: number;
  windowSeconds: number;
  windows: number;
  /** Payments (first attempts) per window; retries come on top. */
  paymentsPerWindow: number;
  incidentStartWindow: number;
  incidentWindows: number;
  drift: DriftSettings;
}

export const defaultScenarioOptions: Omit<ScenarioOptions, 'kind' | 'seed'> = {
  targetIndex: 1,
  startEpochMs: SIM_START_MS,
  windowSeconds: 60,
  windows: 120,
  paymentsPerWindow: 3000,
  incidentStartWindow: 60,
  incidentWindows: 20,
  drift: defaultDrift,
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

function truthOf(o: Pick<ScenarioOptions, 'kind' | 'targetIndex'>): GroundTruth | null {
  if (o.kind === 'healthy') return null;
  const target =
    o.kind === 'method_fatigue' ? methodTarget(defaultMethods[o.targetIndex]?.name ?? '') : issuerTarget(defaultIssuers[o.targetIndex]?.name ?? '');
  return { kind: o.kind, cause: CAUSE[o.kind], target };
}

export function* generateScenario(o: ScenarioOptions): Generator<ScenarioWindow> {
  const windowMs = o.windowSeconds * MS_PER_SECOND;
  const truth = truthOf(o);
  const startMs = o.startEpochMs + o.incidentStartWindow * windowMs;
  const incidents = truth ? [{ kind: truth.kind, target: truth.target, startMs, endMs: startMs + o.incidentWindows * windowMs }] : [];
  const stream = createStream(streamOptions(o.seed, o.drift, { incidents }), o.startEpochMs, o.paymentsPerWindow / o.windowSeconds);
  for (let index = 0; index < o.windows; index++) {
    const start = o.startEpochMs + index * windowMs;
    const active = truth !== null && index >= o.incidentStartWindow && index < o.incidentStartWindow + o.incidentWindows;
    yield { index, start, end: start + windowMs, transactions: stream.advance(start + windowMs, openRouting).transactions, truth: active ? truth : null };
  }
}
