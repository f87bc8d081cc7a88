// The GraphQL documents the page sends. The shapes they answer with are generated from
// schema.graphql and these documents (documents.generated.ts, by scripts/graphql-types.ts):
// a document that asks for a field the schema lacks fails to generate.
import type { CyclesSubscription, DetailQuery, EventsSubscription, HealthQuery, SnapshotQuery } from './documents.generated';

export type SystemHealth = HealthQuery['health'];
export type DimensionHealth = SystemHealth['system'];
export type Intervention = SnapshotQuery['interventions'][number];
export type InterventionDetail = NonNullable<DetailQuery['intervention']>;
export type Cycle = CyclesSubscription['cycleCompleted'];
export type InterventionEvent = EventsSubscription['interventionEvents'];

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
