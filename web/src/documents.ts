// The GraphQL documents the page sends, and the shapes they answer with (schema.graphql at the
// repository root). Shapes the GraphQL types share with the core are the core's, picked to what
// each document selects; dates arrive as ISO strings.
import type { DimensionHealth } from '../../src/agent/health';
import type { ActionType, Hypothesis as CoreHypothesis, NrvBreakdown, Params, TurnedAway } from '../../src/agent/types';

export type { DimensionHealth };

export interface SystemHealth {
  cycleNumber: number;
  windowEnd: string | null;
  issuers: DimensionHealth[];
  methods: DimensionHealth[];
  gateways: DimensionHealth[];
  system: DimensionHealth;
}

/** The breakdown as GraphQL names it: the NRV itself is `value`. */
export type Nrv = Omit<NrvBreakdown, 'nrv'> & { value: number };

export type Hypothesis = Pick<CoreHypothesis, 'cause' | 'target' | 'patternType' | 'confidence' | 'evidence' | 'observedSuccessRate' | 'baselineSuccessRate'>;

export interface Intervention {
  id: string;
  action: ActionType;
  target: string;
  status: string;
  blastRadius: number;
  requiresApproval: boolean;
  heartbeat: boolean;
  turnedAway: TurnedAway;
  cycleNumber: number;
  createdAt: string;
  updatedAt: string;
  executedAt: string | null;
  approvalExpiresAt: string | null;
  nrv: Nrv;
  hypothesis: Hypothesis | null;
  params: Params;
}

export interface InterventionDetail extends Intervention {
  ttlSeconds: number;
  expiresAt: string | null;
  preMortem: {
    risks: { description: string; likelihood: number }[];
    blastRadius: number;
    autonomyLimit: number;
    requiresApproval: boolean;
    violations: string[];
  };
  alternatives: (Pick<Intervention, 'action' | 'target' | 'params'> & { nrv: Pick<Nrv, 'value' | 'currency'> })[];
  transitions: { from: string | null; to: string; actor: string; reason: string | null; at: string }[];
  outcome: { predictedUpliftRate: number; realisedUpliftRate: number; realisedNrv: number; rollbackRecommended: boolean; reason: string } | null;
}

export interface Cycle {
  number: number;
  windowEnd: string;
  transactions: number;
  decision: 'ACTION' | 'NO_ACTION' | 'FORCED_ACTION';
  reason: string;
}

export interface InterventionEvent {
  type: string;
  at: string;
  actor: string;
  reason: string | null;
  intervention: Intervention;
}

const dimension = 'name status successRate latencyP95Ms retryRate volume';
const nrv = `nrv { value revenueRecovered retryCostSaved interventionCost riskCost volumePerWindow horizonWindows upliftRate ticketValue currency
  effectiveness confidence turnedAwayPerWindow turnedAwayValuePerWindow }`;
const hypothesis = 'hypothesis { cause target patternType confidence evidence observedSuccessRate baselineSuccessRate }';
const intervention = `id action target status blastRadius requiresApproval heartbeat turnedAway { paymentsPerMinute valuePerMinute currency }
  cycleNumber createdAt updatedAt executedAt approvalExpiresAt params ${nrv} ${hypothesis}`;
const cycle = 'number windowEnd transactions decision reason';

export const healthQuery = `query Health { health { cycleNumber windowEnd issuers { ${dimension} } methods { ${dimension} } gateways { ${dimension} } system { ${dimension} } } }`;

export const snapshotQuery = `query Snapshot { interventions(last: 50) { ${intervention} } cycles(last: 30) { ${cycle} } }`;

export const detailQuery = `query Detail($id: ID!) { intervention(id: $id) {
  ${intervention} ttlSeconds expiresAt
  preMortem { risks { description likelihood } blastRadius autonomyLimit requiresApproval violations }
  alternatives { action target params nrv { value currency } }
  transitions { from to actor reason at }
  outcome { predictedUpliftRate realisedUpliftRate realisedNrv rollbackRecommended reason }
} }`;

export const approveMutation = `mutation Approve($id: ID!, $note: String, $scope: ApprovalScope) { approveIntervention(id: $id, note: $note, scope: $scope) { ${intervention} } }`;
export const rejectMutation = `mutation Reject($id: ID!, $reason: String!) { rejectIntervention(id: $id, reason: $reason) { ${intervention} } }`;
export const rollbackMutation = `mutation Rollback($id: ID!, $reason: String!) { rollbackIntervention(id: $id, reason: $reason) { ${intervention} } }`;

export const interventionEvents = `subscription Events { interventionEvents { type at actor reason intervention { ${intervention} } } }`;
export const cycleCompleted = `subscription Cycles { cycleCompleted { ${cycle} } }`;
