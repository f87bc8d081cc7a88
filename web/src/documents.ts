// The GraphQL documents the page sends, and the shapes they answer with (schema.graphql at the repository root).

export type Status = 'HEALTHY' | 'DEGRADED' | 'DOWN';

export interface DimensionHealth {
  name: string;
  status: Status;
  successRate: number;
  latencyP95Ms: number;
  retryRate: number;
  volume: number;
}

export interface SystemHealth {
  cycleNumber: number;
  windowEnd: string | null;
  issuers: DimensionHealth[];
  methods: DimensionHealth[];
  system: DimensionHealth;
}

export interface Nrv {
  value: number;
  revenueRecovered: number;
  interventionCost: number;
  riskCost: number;
  volumePerWindow: number;
  horizonWindows: number;
  upliftRate: number;
  ticketValue: number;
  effectiveness: number;
  confidence: number;
}

export interface Hypothesis {
  cause: string;
  target: string;
  patternType: string;
  confidence: number;
  evidence: string[];
  observedSuccessRate: number;
  baselineSuccessRate: number;
}

export interface Intervention {
  id: string;
  action: string;
  target: string;
  status: string;
  blastRadius: number;
  requiresApproval: boolean;
  cycleNumber: number;
  createdAt: string;
  updatedAt: string;
  executedAt: string | null;
  approvalExpiresAt: string | null;
  nrv: Nrv;
  hypothesis: Hypothesis | null;
  params: Record<string, unknown>;
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
  alternatives: { action: string; target: string; params: Record<string, unknown>; nrv: { value: number } }[];
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
const nrv = 'nrv { value revenueRecovered interventionCost riskCost volumePerWindow horizonWindows upliftRate ticketValue effectiveness confidence }';
const hypothesis = 'hypothesis { cause target patternType confidence evidence observedSuccessRate baselineSuccessRate }';
const intervention = `id action target status blastRadius requiresApproval cycleNumber createdAt updatedAt executedAt approvalExpiresAt params ${nrv} ${hypothesis}`;
const cycle = 'number windowEnd transactions decision reason';

export const healthQuery = `query Health { health { cycleNumber windowEnd issuers { ${dimension} } methods { ${dimension} } system { ${dimension} } } }`;

export const snapshotQuery = `query Snapshot { interventions(last: 50) { ${intervention} } cycles(last: 30) { ${cycle} } }`;

export const detailQuery = `query Detail($id: ID!) { intervention(id: $id) {
  ${intervention} ttlSeconds expiresAt
  preMortem { risks { description likelihood } blastRadius autonomyLimit requiresApproval violations }
  alternatives { action target params nrv { value } }
  transitions { from to actor reason at }
  outcome { predictedUpliftRate realisedUpliftRate realisedNrv rollbackRecommended reason }
} }`;

export const approveMutation = `mutation Approve($id: ID!, $note: String, $scope: ApprovalScope) { approveIntervention(id: $id, note: $note, scope: $scope) { ${intervention} } }`;
export const rejectMutation = `mutation Reject($id: ID!, $reason: String!) { rejectIntervention(id: $id, reason: $reason) { ${intervention} } }`;
export const rollbackMutation = `mutation Rollback($id: ID!, $reason: String!) { rollbackIntervention(id: $id, reason: $reason) { ${intervention} } }`;

export const interventionEvents = `subscription Events { interventionEvents { type at actor reason intervention { ${intervention} } } }`;
export const cycleCompleted = `subscription Cycles { cycleCompleted { ${cycle} } }`;
