// The closed loop's scenarios: one fault per kind, each in one place of the world, run with the agent
// or without it, and the oracle that knows the fault in advance. bench:loop runs them all; a test
// drives one with runScenario(kind, seed, policy).
import {
  defaultAgentConfig,
  directiveParams,
  gatewayTarget,
  issuerTarget,
  methodTarget,
  MS_PER_SECOND,
  parseTarget,
  scopeLabel,
  sliceOf,
  SYSTEM_TARGET,
  targetOf,
  type ActionType,
  type AgentConfig,
} from '../agent';
import type { Directive } from './gateway';
import type { ScriptedIncident } from './incidents';
import { runClosedLoop, type LoopOptions, type LoopWindow, type Policy } from './loop';
import { SIM_START_MS, defaultDrift, defaultGateways, economicsOf, streamOptions } from './profile';
import type { DriftSettings } from './stream';

export const loopScenarioKinds = [
  'issuer_outage_1pct',
  'issuer_outage_10pct',
  'issuer_outage_30pct',
  'issuer_degradation_30pct',
  'issuer_degradation_3pct',
  'customer_decline_surge',
  'gateway_outage',
  'gateway_method_fault',
  'link_fault',
  'provider_fault',
  'system_fault',
  'healthy',
] as const;

export type LoopScenarioKind = (typeof loopScenarioKinds)[number];

type Fault = Pick<ScriptedIncident, 'kind' | 'target' | 'successPoints'>;

/** The gateway a gateway-side fault hits: each seed another, so every share is tried. */
const gatewayOf = (seed: number): string => defaultGateways[seed % defaultGateways.length]?.name ?? '';
const LARGE_ISSUERS = ['HDFC', 'ICICI', 'SBI'];
const largeIssuerOf = (seed: number): string => LARGE_ISSUERS[seed % LARGE_ISSUERS.length] ?? '';
/** Partial degradations take 12 points of success, as technical failures. */
const PARTIAL_POINTS = 0.12;
/** A gateway failing for one method loses 30 points on it: partial, not an outage. */
const GATEWAY_METHOD_POINTS = 0.3;
const SYSTEM_POINTS = 0.2;

/** Where each kind's fault sits; the issuers are the default profile's 1%, 10%, 30% and 3% banks. */
const FAULTS: Record<Exclude<LoopScenarioKind, 'healthy'>, (seed: number) => Fault> = {
  issuer_outage_1pct: () => ({ kind: 'outage', target: issuerTarget('IDFC') }),
  issuer_outage_10pct: () => ({ kind: 'outage', target: issuerTarget('AXIS') }),
  issuer_outage_30pct: () => ({ kind: 'outage', target: issuerTarget('HDFC') }),
  issuer_degradation_30pct: () => ({ kind: 'degradation', target: issuerTarget('HDFC'), successPoints: PARTIAL_POINTS }),
  issuer_degradation_3pct: () => ({ kind: 'degradation', target: issuerTarget('BOB'), successPoints: PARTIAL_POINTS }),
  customer_decline_surge: (seed) => ({ kind: 'customer_decline_surge', target: issuerTarget(largeIssuerOf(seed)) }),
  gateway_outage: (seed) => ({ kind: 'outage', target: gatewayTarget(gatewayOf(seed)) }),
  gateway_method_fault: (seed) => ({
    kind: 'degradation',
    target: targetOf({ gateway: gatewayOf(seed), method: 'upi' }),
    successPoints: GATEWAY_METHOD_POINTS,
  }),
  link_fault: (seed) => ({ kind: 'outage', target: targetOf({ gateway: gatewayOf(seed), issuer: largeIssuerOf(seed) }) }),
  provider_fault: (seed) => ({ kind: 'method_fatigue', target: methodTarget(seed % 2 === 1 ? 'upi' : 'card') }),
  system_fault: () => ({ kind: 'degradation', target: SYSTEM_TARGET, successPoints: SYSTEM_POINTS }),
};

export interface LoopSettings {
  agent: AgentConfig;
  drift: DriftSettings;
  startMs: number;
  windows: number;
  /** Payments (first attempts) per window. */
  paymentsPerWindow: number;
  /** Share of a steered target's payments still attempted (the service's actions.probe_share). */
  probeShare: number;
}

export const defaultLoopSettings: LoopSettings = {
  agent: defaultAgentConfig,
  drift: defaultDrift,
  startMs: SIM_START_MS,
  windows: 60,
  paymentsPerWindow: 2400,
  probeShare: 0.05,
};

export interface Scenario {
  kind: LoopScenarioKind;
  seed: number;
  /** The kind and where its fault sits, e.g. `gateway_outage gateway:pg_b`. */
  name: string;
  incidents: ScriptedIncident[];
}

const NONE: Directive[] = [];
/** Faults start once the baselines have warmed up and last a third of the run. */
const FAULT_START_SHARE = 0.4;
const FAULT_LENGTH_SHARE = 1 / 3;

export function scenarioOf(kind: LoopScenarioKind, seed: number, s: LoopSettings = defaultLoopSettings): Scenario {
  if (kind === 'healthy') return { kind, seed, name: kind, incidents: [] };
  const fault = FAULTS[kind](seed);
  const windowMs = s.agent.cycleIntervalSeconds * MS_PER_SECOND;
  const startMs = s.startMs + Math.floor(s.windows * FAULT_START_SHARE) * windowMs;
  const endMs = startMs + Math.floor(s.windows * FAULT_LENGTH_SHARE) * windowMs;
  return { kind, seed, name: `${kind} ${fault.target}`, incidents: [{ ...fault, startMs, endMs }] };
}

export function loopOptions(scenario: Scenario, policy: Policy, s: LoopSettings): LoopOptions {
  return {
    stream: streamOptions(scenario.seed, s.drift, { incidents: scenario.incidents, ...economicsOf(s.agent) }),
    agent: s.agent,
    startMs: s.startMs,
    windows: s.windows,
    paymentsPerSecond: s.paymentsPerWindow / s.agent.cycleIntervalSeconds,
    probeShare: s.probeShare,
    policy,
  };
}

/** What one run of a scenario came to, in minor units of the stream's currency. */
export interface Totals {
  lostMinor: number;
  retryCostMinor: number;
  /** What the run lost: failed payments' amounts plus retry costs. */
  lossMinor: number;
  turnedAwayMinor: number;
  avoidedMinor: number;
  /** The moves the agent put into force and the pages it sent, e.g. `ROUTE_GATEWAY gateway:pg_b`. */
  actions: string[];
  /** Moves the agent asked an operator to approve: until the first, every operator policy runs alike. */
  approvalsAsked: number;
}

export function totalsOf(windows: Iterable<LoopWindow>): Totals {
  const t: Totals = { lostMinor: 0, retryCostMinor: 0, lossMinor: 0, turnedAwayMinor: 0, avoidedMinor: 0, actions: [], approvalsAsked: 0 };
  const actions = new Set<string>();
  for (const w of windows) {
    t.lostMinor += w.chunk.lostMinor;
    t.retryCostMinor += w.chunk.retryCostMinor;
    t.turnedAwayMinor += w.chunk.turnedAwayMinor;
    t.avoidedMinor += w.chunk.avoidedMinor;
    for (const { record } of w.result?.decision.chosen ?? []) {
      if (record.status === 'AWAITING_APPROVAL') t.approvalsAsked += 1;
      if (record.status === 'AWAITING_APPROVAL' || record.heartbeat) continue;
      actions.add(record.action === 'ALERT_OPS' ? `ALERT_OPS on ${record.subject}` : `${record.action} ${record.target}${scopeLabel(record)}`);
    }
  }
  return { ...t, lossMinor: t.lostMinor + t.retryCostMinor, actions: [...actions] };
}

export interface ScenarioRun {
  scenario: Scenario;
  windows: LoopWindow[];
  totals: Totals;
}

/** One scenario through the closed loop: with the agent under an operator policy, with nothing, or with fixed directives. */
export function runScenario(kind: LoopScenarioKind, seed: number, policy: Policy, s: LoopSettings = defaultLoopSettings): ScenarioRun {
  const scenario = scenarioOf(kind, seed, s);
  const windows = [...runClosedLoop(loopOptions(scenario, policy, s))];
  return { scenario, windows, totals: totalsOf(windows) };
}

/** The other gateways by their default shares: where a route off `gateway` sends payments. */
function otherGateways(gateway: string): { gateway: string; share: number }[] {
  const others = defaultGateways.filter((g) => g.name !== gateway);
  const total = others.reduce((sum, g) => sum + g.weight, 0);
  return others.map((g) => ({ gateway: g.name, share: g.weight / total }));
}

/** Every single directive that could answer the incident on its own path: route it, steer its payers, cap its retries. */
function oracleCandidates(incident: ScriptedIncident, s: LoopSettings): Directive[] {
  const { gateway, issuer, method } = parseTarget(incident.target);
  const slice = sliceOf(incident.target);
  const moves: [ActionType, string, Directive['params']][] = [];
  if (gateway !== null) moves.push(['ROUTE_GATEWAY', incident.target, { from: gateway, to: otherGateways(gateway) }]);
  if (issuer !== null) moves.push(['SUPPRESS_ISSUER', slice, {}]);
  else if (method !== null) moves.push(['REROUTE_METHOD', slice, {}]);
  moves.push(['REDUCE_RETRIES', incident.target, { maxRetries: s.agent.reducedMaxRetries }]);
  return moves.map(([action, target, params]) => ({ id: `oracle:${action}`, action, target, params: directiveParams(action, params, s.probeShare) }));
}

export interface OracleRun {
  totals: Totals;
  /** The directive that lost least, or `nothing`. */
  choice: string;
}

/** The least loss any one candidate achieves in force for exactly its incident's time, doing nothing included. */
export function runOracle(scenario: Scenario, nothing: Totals, s: LoopSettings): OracleRun {
  let best: OracleRun = { totals: nothing, choice: 'nothing' };
  for (const incident of scenario.incidents) {
    for (const directive of oracleCandidates(incident, s)) {
      const during = [directive];
      const policy: Policy = { kind: 'fixed', directivesAt: (ms) => (ms >= incident.startMs && ms < incident.endMs ? during : NONE) };
      const totals = totalsOf(runClosedLoop(loopOptions(scenario, policy, s)));
      if (totals.lossMinor < best.totals.lossMinor) best = { totals, choice: `${directive.action} ${directive.target}` };
    }
  }
  return best;
}
