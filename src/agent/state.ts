// The state a fresh agent starts from; everything after it comes out of runCycle.
import type { AgentState } from './types';

export function initialAgentState(): AgentState {
  return { cycle: 0, cyclesWithoutAction: 0, baselines: {}, streaks: {}, incidents: {}, interventions: {}, effectiveness: {} };
}
