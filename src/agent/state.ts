// The state a fresh agent starts from; everything after it comes out of runCycle.
import { emptyBaseline } from './baseline';
import type { AgentState, Baselines } from './types';

export function initialAgentState(): AgentState {
  return { cycle: 0, cyclesWithoutAction: 0, baselines: emptyBaselines(), streaks: {}, incidents: {}, interventions: {}, effectiveness: {}, pools: {}, resolvedIncidents: {}, unclassifiedErrorCodes: {} };
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
  return { ...initialAgentState(), ...saved, interventions, baselines: { ...emptyBaselines(), ...saved.baselines } };
}
