// The state a fresh agent starts from; everything after it comes out of runCycle.
import { emptyBaseline } from './baseline';
import type { AgentState } from './types';

export function initialAgentState(): AgentState {
  return { cycle: 0, cyclesWithoutAction: 0, baselines: { system: emptyBaseline(), issuers: {}, methods: {}, issuerMethods: {} }, streaks: {}, incidents: {}, interventions: {}, effectiveness: {} };
}
