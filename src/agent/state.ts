// The state a fresh agent starts from; everything after it comes out of runCycle.
import { emptyBaseline } from './baseline';
import type { AgentState, Baselines } from './types';

export function initialAgentState(): AgentState {
  return { cycle: 0, cyclesWithoutAction: 0, baselines: emptyBaselines(), streaks: {}, incidents: {}, interventions: {}, effectiveness: {}, pools: {}, resolvedIncidents: {}, unclassifiedErrorCodes: {} };
}

export function emptyBaselines(): Baselines {
  return { system: emptyBaseline(), issuers: {}, methods: {}, issuerMethods: {}, gateways: {}, gatewayIssuers: {}, gatewayMethods: {}, gatewayCells: {} };
}

/** A state saved before a field existed gets the field's empty value, so an upgrade keeps its learning. */
export function upgradeAgentState(saved: AgentState): AgentState {
  return { ...initialAgentState(), ...saved, baselines: { ...emptyBaselines(), ...saved.baselines } };
}
