// Every number the core's logic depends on, named with its unit. Flat and JSON-only so the
// service's YAML/env schema can mirror it key for key (agent.anomaly_threshold -> anomalyThreshold).

import { DEFAULT_CUSTOMER_DECLINE_CODES, DEFAULT_TECHNICAL_ERROR_CODES } from './errorCodes';

export type AgentMode = 'shadow' | 'advisory' | 'autonomous';
export type ValueBasis = 'gmv' | 'revenue';

export interface AgentConfig {
  /** Length of one observation window; fractions allowed. */
  cycleIntervalSeconds: number;
  mode: AgentMode;

  // detection
  /** |z| at or above which a change counts as anomalous. */
  anomalyThreshold: number;
  /** Weight of the newest window in a baseline's mean. */
  ewmaAlpha: number;
  /** Weight of the newest window in a baseline's variance; slower, for a steadier spread. */
  ewmaVarianceAlpha: number;
  /** Windows a finding must hold before it is reported, unless its z-score reaches immediateZScore. */
  confirmWindows: number;
  /** |z| from which a finding is reported in its first window (hard outages). */
  immediateZScore: number;
  /** Windows a baseline must have seen before it judges. */
  warmupWindows: number;
  /** Attempts a dimension needs in a window before it is judged at all. */
  minVolume: number;
  /** Issuers, methods and gateways that keep their names in window metrics (top by volume); the rest fold into `other`. */
  maxDimensionValues: number;
  /** Smallest relative success-rate drop that counts (0.05 = 5% of the baseline rate). */
  minRelativeChange: number;
  latencyMinRelativeRise: number;
  retryMinRelativeRise: number;
  /** Floor on a baseline's standard deviation, as a share of its mean. */
  minStdRelative: number;
  /** Judged windows without the finding before an incident resolves. */
  incidentResolveWindows: number;
  /** Weight of the newest window in the slow success reference (0.005: a memory of about 3 hours of 1-minute windows). */
  slowEwmaAlpha: number;
  /** Windows a thin dimension may pool before its attempts are judged together; older pools are dropped. */
  maxPoolWindows: number;
  /** Share of its usual attempts a dimension must lose (net of the agent's moves) for a traffic drop. */
  trafficDropMinShare: number;
  /** Windows after which an open incident that is not an outage is closed as a persistent shift and its baseline re-learns. */
  maxIncidentWindows: number;
  /** A target whose incident re-opens within this many windows of resolving is flapping: it must stay quiet longer to resolve. */
  flapWindowWindows: number;
  /** Length of a slot of the seasonal volume profiles (the day is cut into slots, the week into days of them). */
  seasonalSlotMinutes: number;
  /** Attempts per window a dimension must usually carry to keep a seasonal profile... */
  seasonalMinVolume: number;
  /** ...and its share of the system's attempts: the floor that keeps the state small. */
  seasonalMinShare: number;
  /** Windows after which a dimension never seen again is forgotten (baseline and profile); longer than a week. */
  forgetAfterWindows: number;

  // hypotheses
  /** Failure codes that are the payer's or the instrument's doing (error_codes.customer). */
  customerDeclineCodes: readonly string[];
  /** Failure codes that are a bank's, switch's or gateway's fault (error_codes.technical); others count as technical and are reported. */
  technicalErrorCodes: readonly string[];
  /** Relative success drop from which an issuer is out rather than degraded. */
  outageRelativeDrop: number;
  /** Share of failures that must be technical before failures count against an issuer. */
  technicalFailureShareMin: number;
  /** Volume share of a method's issuers that must be failing for a method/provider problem. */
  methodSpreadShareMin: number;
  /** Share of issuers and of methods degraded at once that means the problem is ours. */
  systemWideShareMin: number;

  // value (customerSwitchRate, retryCost, valueBasis and feeRates come from the service's
  // actions.* and value.* sections, not agent.*)
  /**
   * Share of payers shown a bank or method as down who pay with another instrument; the rest leave.
   * 0.4 by default: checkout studies put abandonment at a failed or unavailable payment option near
   * 60% (Baymard's checkout abandonment surveys); a merchant measures its own from steered sessions.
   */
  customerSwitchRate: number;
  /** Cost of one retried attempt in major units: processing fees and card-scheme excessive-reattempt fees. */
  retryCost: number;
  /** `gmv`: a payment is worth its amount; `revenue`: its amount times the method's fee rate. */
  valueBasis: ValueBasis;
  /** Fee rate per method (share of the amount the business keeps) for the `revenue` basis; `default` for others. */
  feeRates: Record<string, number>;
  /** Average ticket in major units, used when the window shows no amounts. */
  avgTicketValue: number;
  minorUnitsPerMajor: number;
  horizonWindows: number;
  suppressIssuerCost: number;
  rerouteMethodCost: number;
  routeGatewayCost: number;
  reduceRetriesCost: number;
  alertOpsCost: number;
  effectivenessPriorWeight: number;
  suppressIssuerPriorEffectiveness: number;
  rerouteMethodPriorEffectiveness: number;
  routeGatewayPriorEffectiveness: number;
  reduceRetriesPriorEffectiveness: number;
  alertOpsPriorEffectiveness: number;
  /** Pseudo-observations of failure an operator's rejection adds to the posterior. */
  rejectionEvidenceWeight: number;

  // plan
  suppressIssuerTtlSeconds: number;
  rerouteMethodTtlSeconds: number;
  routeGatewayTtlSeconds: number;
  reduceRetriesTtlSeconds: number;
  alertOpsTtlSeconds: number;
  approvalTtlSeconds: number;
  reducedMaxRetries: number;

  // decide and pre-mortem
  /** Cycles without action after which one is forced; 0 switches the rule off. */
  minActionFrequencyCycles: number;
  maxActionsPerCycle: number;
  /** Options within this share of the best NRV count as equal; the least intrusive wins. */
  nearEqualNrvShare: number;
  /** Most of a steered target's payments the agent keeps sending to it as a probe, so a thin target's recovery is seen. */
  maxProbeShare: number;
  /** Blast radius (share of payments touched) above which an action waits for an operator's approval. */
  autonomyBlastRadiusLimit: number;
  /**
   * The same for ROUTE_GATEWAY: the payer sees nothing and a route is undone within a window, so
   * moving a slice between gateways may run alone on a larger share than steering payers may.
   */
  autonomyRouteShareLimit: number;
  /**
   * While a move of traffic too wide to run alone waits for approval, move at once the part of it
   * that fits the autonomy limit, so a large outage is not left untreated until someone answers.
   */
  containWithinAutonomyLimit: boolean;
  maxSuppressedIssuers: number;
  maxSuppressedMethods: number;
  /**
   * Hard cap on the share of payments under intervention at once. Above the largest method's share,
   * so an operator can still approve rerouting it off a failing provider; actions that size wait for approval.
   */
  maxTrafficUnderIntervention: number;

  // learn
  evaluationDelayWindows: number;
  rollbackSuccessDropPoints: number;
  rollbackLatencyRiseMs: number;
}

export const defaultAgentConfig: AgentConfig = {
  cycleIntervalSeconds: 60,
  mode: 'autonomous',

  anomalyThreshold: 3.2,
  ewmaAlpha: 0.1,
  ewmaVarianceAlpha: 0.05,
  confirmWindows: 2,
  immediateZScore: 8,
  warmupWindows: 10,
  minVolume: 30,
  maxDimensionValues: 50,
  minRelativeChange: 0.05,
  latencyMinRelativeRise: 0.5,
  retryMinRelativeRise: 1,
  minStdRelative: 0.01,
  incidentResolveWindows: 1,
  slowEwmaAlpha: 0.005,
  maxPoolWindows: 5,
  trafficDropMinShare: 0.7,
  maxIncidentWindows: 120,
  flapWindowWindows: 60,
  seasonalSlotMinutes: 15,
  seasonalMinVolume: 30,
  seasonalMinShare: 0.005,
  forgetAfterWindows: 20_160,

  customerDeclineCodes: DEFAULT_CUSTOMER_DECLINE_CODES,
  technicalErrorCodes: DEFAULT_TECHNICAL_ERROR_CODES,
  outageRelativeDrop: 0.6,
  technicalFailureShareMin: 0.5,
  methodSpreadShareMin: 0.5,
  systemWideShareMin: 0.6,

  customerSwitchRate: 0.4,
  retryCost: 15,
  valueBasis: 'gmv',
  feeRates: { default: 0.018, upi: 0, card: 0.019, netbanking: 0.019, wallet: 0.02 },
  avgTicketValue: 50,
  minorUnitsPerMajor: 100,
  horizonWindows: 30,
  suppressIssuerCost: 50,
  rerouteMethodCost: 40,
  routeGatewayCost: 10,
  reduceRetriesCost: 20,
  alertOpsCost: 5,
  effectivenessPriorWeight: 4,
  suppressIssuerPriorEffectiveness: 0.6,
  rerouteMethodPriorEffectiveness: 0.7,
  routeGatewayPriorEffectiveness: 0.8,
  reduceRetriesPriorEffectiveness: 0.5,
  alertOpsPriorEffectiveness: 0.1,
  rejectionEvidenceWeight: 1,

  suppressIssuerTtlSeconds: 900,
  rerouteMethodTtlSeconds: 900,
  routeGatewayTtlSeconds: 900,
  reduceRetriesTtlSeconds: 600,
  alertOpsTtlSeconds: 1800,
  approvalTtlSeconds: 600,
  reducedMaxRetries: 1,

  minActionFrequencyCycles: 10,
  maxActionsPerCycle: 2,
  nearEqualNrvShare: 0.1,
  maxProbeShare: 0.5,
  autonomyBlastRadiusLimit: 0.2,
  autonomyRouteShareLimit: 0.5,
  containWithinAutonomyLimit: true,
  maxSuppressedIssuers: 2,
  maxSuppressedMethods: 1,
  maxTrafficUnderIntervention: 0.5,

  evaluationDelayWindows: 3,
  rollbackSuccessDropPoints: 5,
  rollbackLatencyRiseMs: 100,
};
