// The state a fresh agent starts from; everything after it comes out of runCycle.
import { BASELINE, emptyBaseline, seenIn } from './baseline';
import type { AgentConfig } from './config';
import { filterTree, lookup, mapTree } from './metrics';
import type { Season } from './seasonal';
import { initialSeriesState, type SeriesState } from './series';
import type { AgentState, Baselines, SystemSeries } from './types';

export function initialAgentState(): AgentState {
  return {
    cycle: 0,
    cyclesWithoutAction: 0,
    baselines: emptyBaselines(),
    streaks: {},
    incidents: {},
    interventions: {},
    effectiveness: {},
    pools: {},
    resolvedIncidents: {},
    unclassifiedErrorCodes: {},
    seasons: {},
    series: initialSystemSeries(),
  };
}

/**
 * Points each system-wide series keeps for its period search: a period needs 2.5 cycles of them, so
 * this learns the daily cycle of 1-minute windows (1,440) on the third day.
 */
const SYSTEM_SERIES_HISTORY = 4096;

export function initialSystemSeries(): SystemSeries {
  const fresh = (): SeriesState => initialSeriesState(SYSTEM_SERIES_HISTORY);
  return { volume: fresh(), successRate: fresh(), latencyP95Ms: fresh(), retryRate: fresh() };
}

export function emptyBaselines(): Baselines {
  return { system: emptyBaseline(), issuers: {}, methods: {}, issuerMethods: {}, gateways: {}, gatewayIssuers: {}, gatewayMethods: {}, gatewayCells: {} };
}

const NOTHING_TURNED_AWAY = { paymentsPerMinute: 0, valuePerMinute: 0, currency: 'INR' };

/** A state saved before a field existed gets the field's empty value, so an upgrade keeps its learning. */
export function upgradeAgentState(saved: AgentState): AgentState {
  const interventions = Object.fromEntries(
    Object.entries(saved.interventions).map(([id, r]) => [id, { ...r, heartbeat: r.heartbeat ?? false, turnedAway: r.turnedAway ?? NOTHING_TURNED_AWAY }]),
  );
  // A baseline saved before it kept its last cycle counts as seen in the saved one.
  const baselines = mapTree({ ...emptyBaselines(), ...saved.baselines }, (b) => (b[BASELINE.lastCycle] === undefined ? seenIn(b, saved.cycle) : b));
  return { ...initialAgentState(), ...saved, interventions, baselines };
}

/** Cycles between two sweeps for forgotten dimensions: a sweep walks every baseline. */
const FORGET_SWEEP_EVERY = 60;

/**
 * Baselines of dimensions no window has carried for `forgetAfterWindows` (a bank renamed, a method
 * retired), and their seasonal profiles, are dropped: the state holds what the traffic still has.
 */
export function forgetUnseen(
  baselines: Baselines,
  seasons: Record<string, Season>,
  cycle: number,
  config: AgentConfig,
): { baselines: Baselines; seasons: Record<string, Season> } {
  if (cycle % FORGET_SWEEP_EVERY !== 0) return { baselines, seasons };
  const since = cycle - config.forgetAfterWindows;
  const kept = filterTree(baselines, (b) => b[BASELINE.lastCycle] >= since);
  if (kept === baselines) return { baselines, seasons };
  return { baselines: kept, seasons: Object.fromEntries(Object.entries(seasons).filter(([target]) => lookup(kept, target) !== undefined)) };
}
