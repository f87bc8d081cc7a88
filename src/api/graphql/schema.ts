// The GraphQL schema. The contract's names (docs api-contract) are fixed; everything else was added.
// `npm run graphql:schema` prints it to schema.graphql at the repository root.
import type { ActionType, DecisionKind, HealthStatus, InterventionStatus, PatternType, RootCause } from '../../agent';

// Enum values listed against the core's unions: a value the core adds and the schema lacks fails
// to compile, instead of failing to serialise at run time. Order is the schema's: add at the end.
const values = <T extends string>(members: Record<T, true>): string => Object.keys(members).join(' ');
const patternTypes = values<PatternType>({
  ISSUER_DEGRADATION: true,
  RETRY_STORM: true,
  METHOD_FATIGUE: true,
  LATENCY_SPIKE: true,
  SYSTEM_DEGRADATION: true,
  GATEWAY_DEGRADATION: true,
  TRAFFIC_DROP: true,
});
const actionTypes = values<ActionType>({ SUPPRESS_ISSUER: true, REROUTE_METHOD: true, ROUTE_GATEWAY: true, REDUCE_RETRIES: true, ALERT_OPS: true });
const interventionStatuses = values<InterventionStatus>({
  PROPOSED: true,
  AWAITING_APPROVAL: true,
  APPROVED: true,
  REJECTED: true,
  EXECUTED: true,
  ROLLED_BACK: true,
  EXPIRED: true,
  EVALUATED: true,
  SHADOW: true,
});
const healthStatuses = values<HealthStatus>({ HEALTHY: true, DEGRADED: true, DOWN: true });
const decisions = values<DecisionKind>({ ACTION: true, NO_ACTION: true, FORCED_ACTION: true });
const rootCauses = values<RootCause>({
  ISSUER_OUTAGE: true,
  ISSUER_PARTIAL_DEGRADATION: true,
  METHOD_PROVIDER_PROBLEM: true,
  UPSTREAM_LATENCY: true,
  RETRY_AMPLIFICATION: true,
  SYSTEM_WIDE: true,
  CUSTOMER_DECLINES: true,
  GATEWAY_FAULT: true,
  LINK_FAULT: true,
  TELEMETRY_LOSS: true,
});

/**
 * The GraphQL API's version. A change that breaks a client (scripts/contracts.ts names them) needs a
 * new major, or a new minor while the major is 0; contracts/schema.graphql is the baseline.
 */
export const graphqlVersion = '0.1.0';

export const typeDefs = /* GraphQL */ `
  "RFC 3339 date-time in UTC, e.g. 2026-11-24T10:00:00.000Z."
  scalar DateTime
  "Any JSON value, e.g. an intervention's params or an audit entry's data."
  scalar JSON

  type Query {
    "Latest window: per issuer, per method, system-wide."
    health: SystemHealth!
    "Newest first; before: a cycle number, to page further back."
    cycles(last: Int = 20, before: Int): [Cycle!]!
    "Newest first; before: a pattern id, to page further back."
    patterns(last: Int = 50, type: PatternType, before: ID): [Pattern!]!
    "Newest first; before: an intervention id, to page further back."
    interventions(status: InterventionStatus, last: Int = 50, before: ID): [Intervention!]!
    intervention(id: ID!): Intervention
    "Newest first; before: an audit entry id, to page further back."
    auditLog(last: Int = 100, before: ID): [AuditEntry!]!
  }

  type Mutation {
    "Operator only. A scope may narrow the proposal (shorter TTL, smaller share of traffic), never widen it."
    approveIntervention(id: ID!, note: String, scope: ApprovalScope): Intervention!
    rejectIntervention(id: ID!, reason: String!): Intervention!
    rollbackIntervention(id: ID!, reason: String!): Intervention!
  }

  type Subscription {
    "Every status change of every intervention."
    interventionEvents: InterventionEvent!
    cycleCompleted: Cycle!
  }

  "TRAFFIC_DROP: a dimension's volume far below its expectation, net of what the directives in force moved away."
  enum PatternType { ${patternTypes} }
  "ROUTE_GATEWAY: send a failing gateway path's payments through other gateways (params from, to, trafficShare); the payer sees nothing."
  enum ActionType { ${actionTypes} }
  "SHADOW: proposed while the agent runs in shadow mode; recorded, never put in force."
  enum InterventionStatus { ${interventionStatuses} }
  enum HealthStatus { ${healthStatuses} }
  enum CycleDecision { ${decisions} }
  "TELEMETRY_LOSS: attempts (or their successes) vanishing from a feed; paged, never a reason to move traffic."
  enum RootCause { ${rootCauses} }

  input ApprovalScope {
    ttlSeconds: Int
    "Share of the target's traffic, above 0 and at most 1."
    trafficShare: Float
  }

  type SystemHealth {
    "The cycle the figures come from; 0 before the first cycle."
    cycleNumber: Int!
    windowStart: DateTime
    windowEnd: DateTime
    issuers: [DimensionHealth!]!
    methods: [DimensionHealth!]!
    system: DimensionHealth!
    "Per gateway, for the attempts that name one (empty when none do)."
    gateways: [DimensionHealth!]!
  }

  type DimensionHealth {
    name: String!
    status: HealthStatus!
    successRate: Float!
    latencyP95Ms: Float!
    retryRate: Float!
    volume: Int!
  }

  type Cycle {
    number: Int!
    windowStart: DateTime!
    windowEnd: DateTime!
    transactions: Int!
    "The patterns found in this window, strongest first."
    patterns(last: Int = 100): [Pattern!]!
    decision: CycleDecision!
    reason: String!
    completedAt: DateTime!
    hypotheses: [Hypothesis!]!
    "Every option weighed in this window, with its NRV."
    options: [InterventionOption!]!
    "Options the pre-mortem refused, and why."
    refused: [RefusedOption!]!
    interventions: [Intervention!]!
  }

  type Pattern {
    id: ID!
    type: PatternType!
    "issuer, method, gateway or system."
    dimension: String!
    "issuer:HDFC, method:upi, issuer:HDFC/method:card, gateway:pg_a, gateway:pg_a/issuer:HDFC/method:card or system."
    target: String!
    "successRate, latencyP95Ms or retryRate."
    metric: String!
    zScore: Float!
    observed: Float!
    baseline: Float!
    relativeChange: Float!
    severity: Float!
    volume: Int!
    cycleNumber: Int!
  }

  "Why the agent acted: a likely root cause and what in the window points to it."
  type Hypothesis {
    id: String!
    cause: RootCause!
    target: String!
    patternType: PatternType!
    confidence: Float!
    evidence: [String!]!
    volume: Int!
    observedSuccessRate: Float!
    baselineSuccessRate: Float!
    recoverableRate: Float!
  }

  "Net revenue value: revenue recovered minus the intervention's cost and its risk, with every factor."
  type NrvBreakdown {
    value: Float!
    revenueRecovered: Float!
    interventionCost: Float!
    riskCost: Float!
    volumePerWindow: Float!
    horizonWindows: Float!
    upliftRate: Float!
    ticketValue: Float!
    effectiveness: Float!
    confidence: Float!
    "ISO 4217 code of every amount in this breakdown: amounts are valued per currency, never summed across them."
    currency: String!
    "Fees of the retries a retry cap stops, over the horizon."
    retryCostSaved: Float!
    "Payments per window that would have succeeded where they were and will not after the move (after the payers who switch)."
    turnedAwayPerWindow: Float!
    "Their value per window."
    turnedAwayValuePerWindow: Float!
  }

  "Good payments a move is expected to turn away: would have succeeded, will not (after the payers who switch)."
  type TurnedAway {
    paymentsPerMinute: Float!
    "Major units of currency."
    valuePerMinute: Float!
    currency: String!
  }

  type InterventionOption {
    id: String!
    action: ActionType!
    target: String!
    params: JSON!
    ttlSeconds: Int!
    blastRadius: Float!
    cause: RootCause
    patternType: PatternType
    confidence: Float!
    nrv: NrvBreakdown!
  }

  type RefusedOption {
    option: InterventionOption!
    reason: String!
  }

  type Risk {
    description: String!
    likelihood: Float!
  }

  type PreMortem {
    risks: [Risk!]!
    blastRadius: Float!
    autonomyLimit: Float!
    requiresApproval: Boolean!
    "Hard limits the option broke; any makes it refused."
    violations: [String!]!
    refused: Boolean!
  }

  "A status change: who made it, when and why."
  type Transition {
    from: InterventionStatus
    to: InterventionStatus!
    actor: String!
    reason: String
    at: DateTime!
  }

  type ApprovedScopeValue {
    ttlSeconds: Int
    trafficShare: Float
  }

  "What the evaluation measured once the intervention had run: realised against predicted."
  type Outcome {
    predictedUpliftRate: Float!
    realisedUpliftRate: Float!
    "True when the rest of the traffic served as control (difference in differences)."
    controlled: Boolean!
    predictedNrv: Float!
    realisedNrv: Float!
    successDeltaPoints: Float!
    latencyDeltaMs: Float!
    rollbackRecommended: Boolean!
    reason: String!
  }

  type Intervention {
    id: ID!
    action: ActionType!
    target: String!
    "The traffic the evaluation watches (the hypothesis target; ops_team for alerts)."
    subject: String!
    params: JSON!
    status: InterventionStatus!
    nrv: NrvBreakdown!
    blastRadius: Float!
    requiresApproval: Boolean!
    "True for the minimum-action-frequency rule's baseline alert: a heartbeat, never a page."
    heartbeat: Boolean!
    "The estimate stored when it was proposed; zero for actions that move no traffic."
    turnedAway: TurnedAway!
    preMortem: PreMortem!
    hypothesis: Hypothesis
    "The options this one beat in its cycle, each with its NRV breakdown."
    alternatives: [InterventionOption!]!
    cycleNumber: Int!
    cycle: Cycle
    ttlSeconds: Int!
    approvedScope: ApprovedScopeValue
    createdAt: DateTime!
    approvalExpiresAt: DateTime
    executedAt: DateTime
    expiresAt: DateTime
    outcome: Outcome
    "Every status change, oldest first."
    transitions: [Transition!]!
    "The operators' decisions (approvals and rejections), oldest first."
    approvals: [Transition!]!
    updatedAt: DateTime!
  }

  type InterventionEvent {
    "The status it moved to."
    type: InterventionStatus!
    at: DateTime!
    actor: String!
    reason: String
    "The intervention as stored when the event was read (it may have moved on since)."
    intervention: Intervention!
  }

  type AuditEntry {
    id: ID!
    at: DateTime!
    kind: String!
    actor: String!
    subject: String
    cycleNumber: Int
    data: JSON!
  }
`;
