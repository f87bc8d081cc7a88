// The shapes every stage of the agent core exchanges. All of them are plain JSON values.
import type { Season } from './seasonal';
import type { SeriesState } from './series';
import type { RunScope } from './lifecycle';

/** One authorisation attempt, exactly as the external contract defines it. */
export interface Transaction {
  id: string;
  /** RFC 3339 date-time with offset; event time. */
  timestamp: string;
  issuer: string;
  method: string;
  status: 'success' | 'failed';
  amountMinor: number;
  currency: string;
  latencyMs: number;
  retryCount: number;
  errorCode?: string | null;
  merchantId?: string;
  gateway?: string;
}

/**
 * Aggregates of one dimension over one window. Every field is mergeable across rollups
 * (counts, sums, the latency histogram of ./histogram), so the in-memory fold and the
 * service's merge of window rollups fill the same shape.
 */
export interface DimensionMetrics {
  volume: number;
  successes: number;
  /** Mean latency; 0 for an empty group. */
  latencyMeanMs: number;
  /** percentile_cont(0.95) over the latency histogram's bucket values (within 1% of the exact one); 0 for an empty group. */
  latencyP95Ms: number;
  /** Attempts with retryCount > 0. */
  retries: number;
  /** Of those, the ones that succeeded: what a retry is worth. */
  retrySuccesses: number;
  amountMinorSum: number;
  /** Failed attempts per non-null errorCode. */
  errorCodeCounts: Record<string, number>;
  /** sum(amount_minor) per currency: amounts are valued per currency, never summed across them. */
  amountMinorByCurrency: Record<string, number>;
}

/**
 * The dimension levels, keyed the way GROUPING SETS return them: (issuer), (method),
 * (issuer, method), () and, for attempts that name their gateway, (gateway), (gateway, issuer),
 * (gateway, method), (gateway, issuer, method). Attempts without a gateway appear only in the first four.
 */
export interface DimensionTree<T> {
  system: T;
  issuers: Record<string, T>;
  methods: Record<string, T>;
  /** issuer -> method -> value. */
  issuerMethods: Record<string, Record<string, T>>;
  gateways: Record<string, T>;
  /** gateway -> issuer -> value. */
  gatewayIssuers: Record<string, Record<string, T>>;
  /** gateway -> method -> value. */
  gatewayMethods: Record<string, Record<string, T>>;
  /** gateway -> issuer -> method -> value: the finest grain, what routing is valued on. */
  gatewayCells: Record<string, Record<string, Record<string, T>>>;
}

export interface WindowMetrics extends DimensionTree<DimensionMetrics> {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
}

export type PatternType =
  | 'ISSUER_DEGRADATION'
  | 'RETRY_STORM'
  | 'METHOD_FATIGUE'
  | 'LATENCY_SPIKE'
  | 'SYSTEM_DEGRADATION'
  | 'GATEWAY_DEGRADATION'
  /** A dimension's attempts far below what it usually carries, net of the agent's own moves. */
  | 'TRAFFIC_DROP';

export type ActionType = 'SUPPRESS_ISSUER' | 'REROUTE_METHOD' | 'ROUTE_GATEWAY' | 'REDUCE_RETRIES' | 'ALERT_OPS';

/** Contract dimensions; an issuer x method cell reports as `issuer`, any gateway path as `gateway`. */
export type PatternDimension = 'issuer' | 'method' | 'system' | 'gateway';

/** One share of a ROUTE_GATEWAY directive's `to` list. */
export interface GatewayShare {
  gateway: string;
  share: number;
}

/** Directive and option parameters: flat values, and a route's `to` list. */
export type ParamValue = string | number | boolean | GatewayShare[];
export type Params = Record<string, ParamValue>;

export type MetricName = 'successRate' | 'latencyP95Ms' | 'retryRate' | 'volume';

export interface Pattern {
  type: PatternType;
  dimension: PatternDimension;
  /** `issuer:HDFC`, `method:upi`, `issuer:HDFC/method:card` or `system`. */
  target: string;
  metric: MetricName;
  zScore: number;
  observed: number;
  baseline: number;
  /** Signed change relative to the baseline, in the direction that is bad. */
  relativeChange: number;
  /** 0..1, how far the change goes towards a total outage of the metric. */
  severity: number;
  volume: number;
  cycleNumber: number;
}

export interface Ewma {
  mean: number;
  variance: number;
}

/**
 * One dimension's baseline, as a fixed tuple rather than an object: V8 keeps a number array
 * unboxed but boxes each number field of an object separately, which made a 10,000-dimension
 * cycle allocation-bound. Read and write it through the BASELINE indices in baseline.ts.
 */
export type DimensionBaseline = [
  windows: number,
  volumeMean: number,
  successRateMean: number,
  successRateVariance: number,
  latencyP95MsMean: number,
  latencyP95MsVariance: number,
  retryRateMean: number,
  retryRateVariance: number,
  technicalRateMean: number,
  /** Success rate under a slow, hours-long memory: the reference that catches drift the fast mean follows. */
  successRateSlowMean: number,
  /** The last cycle whose window carried the dimension: one unseen for `forgetAfterWindows` is forgotten. */
  lastCycle: number,
  /** p95 latency under the same slow memory: the reference that catches a creeping latency. */
  latencyP95MsSlowMean: number,
];

export type Baselines = DimensionTree<DimensionBaseline>;

export interface Incident {
  id: string;
  type: PatternType;
  target: string;
  dimension: PatternDimension;
  openedCycle: number;
  openedAt: number;
  lastSeenCycle: number;
  windowsSeen: number;
  /** Consecutive judged windows without the finding; resolves at the configured count. */
  quietWindows: number;
  peakZScore: number;
  lastPattern: Pattern;
  /** Times the target re-opened within the flap window of resolving; each makes resolving slower. */
  flaps: number;
}

export interface IncidentEvent {
  /** `shifted`: closed as a persistent shift, the baseline re-learns; the interventions in force are not released. */
  type: 'opened' | 'updated' | 'resolved' | 'shifted';
  incident: Incident;
}

export type RootCause =
  | 'ISSUER_OUTAGE'
  | 'ISSUER_PARTIAL_DEGRADATION'
  | 'METHOD_PROVIDER_PROBLEM'
  | 'UPSTREAM_LATENCY'
  | 'RETRY_AMPLIFICATION'
  | 'SYSTEM_WIDE'
  | 'CUSTOMER_DECLINES'
  /** Every issuer (or one method's traffic) failing on one gateway while the others carry it. */
  | 'GATEWAY_FAULT'
  /** One gateway x issuer (or gateway x issuer x method) path failing while the issuer is fine elsewhere. */
  | 'LINK_FAULT'
  /** Attempts (or just their successes) vanishing from a feed: a telemetry problem to page about, never to move traffic for. */
  | 'TELEMETRY_LOSS';

export interface Hypothesis {
  id: string;
  cause: RootCause;
  target: string;
  /** The pattern type that raised it; learned effectiveness is kept per (action, pattern). */
  patternType: PatternType;
  confidence: number;
  evidence: string[];
  /** Figures the planner and valuation need, taken from the window. */
  volume: number;
  observedSuccessRate: number;
  baselineSuccessRate: number;
  /** Success-rate points the right intervention could win back on the target's traffic. */
  recoverableRate: number;
}

export interface InterventionOption {
  id: string;
  action: ActionType;
  target: string;
  params: Params;
  ttlSeconds: number;
  /** Share of the window's payments (first attempts) the option touches, 0..1. */
  blastRadius: number;
  hypothesisId: string | null;
  cause: RootCause | null;
  patternType: PatternType | null;
  /** The traffic the evaluation watches: the hypothesis target (ALERT_OPS targets ops_team). */
  subject: string;
  confidence: number;
  /** Payments (first attempts) per window the option touches. */
  volume: number;
  /**
   * Success-rate change on the touched payments if the diagnosis is right: the moved rate minus the
   * observed one for a move (negative when the move loses payments), the recoverable gap otherwise.
   */
  upliftRate: number;
  observedSuccessRate: number;
  /** The touched payments' rate before the incident: what they keep if the diagnosis is wrong. */
  baselineSuccessRate: number;
  /**
   * Success rate of a moved payment: at the other gateways for the slice (route), or the switchers'
   * share times the other instruments' rate (steering); null when payments stay where they are.
   */
  alternativeSuccessRate: number | null;
  /** Value of one payment in the valuation's basis (GMV, or the fee kept), major units of `currency`. */
  ticketValue: number;
  currency: string;
  /** Retried attempts per window a retry cap would stop, and the share of those that succeed. */
  retriesAvoided: number;
  retrySuccessRate: number;
}

export interface NrvBreakdown {
  /** Payments (first attempts) per window touched. */
  volumePerWindow: number;
  horizonWindows: number;
  upliftRate: number;
  ticketValue: number;
  currency: string;
  effectiveness: number;
  confidence: number;
  revenueRecovered: number;
  /** Fees of retries a cap stops, over the horizon. */
  retryCostSaved: number;
  interventionCost: number;
  riskCost: number;
  nrv: number;
  /** Payments per window that would have succeeded where they were and will not after the move (after switchers). */
  turnedAwayPerWindow: number;
  /** Their value per window, major units of `currency`. */
  turnedAwayValuePerWindow: number;
}

export interface ValuedOption extends InterventionOption {
  nrv: NrvBreakdown;
}

export interface Risk {
  description: string;
  likelihood: number;
}

export interface PreMortem {
  risks: Risk[];
  blastRadius: number;
  autonomyLimit: number;
  requiresApproval: boolean;
  /** Hard limits broken; non-empty means the option is refused. */
  violations: string[];
  refused: boolean;
}

export type InterventionStatus = 'PROPOSED' | 'AWAITING_APPROVAL' | 'APPROVED' | 'REJECTED' | 'EXECUTED' | 'ROLLED_BACK' | 'EXPIRED' | 'EVALUATED' | 'SHADOW';

/** The subject's figures in the last window before execution, and the rest of the traffic as control. */
export interface MetricsSnapshot {
  systemVolume: number;
  systemSuccessRate: number;
  subjectVolume: number;
  subjectSuccessRate: number;
  subjectLatencyP95Ms: number;
  controlVolume: number;
  controlSuccessRate: number;
}

export interface TurnedAway {
  paymentsPerMinute: number;
  /** Major units of `currency`. */
  valuePerMinute: number;
  currency: string;
}

export interface InterventionRecord {
  id: string;
  action: ActionType;
  target: string;
  subject: string;
  params: Params;
  status: InterventionStatus;
  patternType: PatternType | null;
  cause: RootCause | null;
  hypothesisId: string | null;
  cycleNumber: number;
  proposedAt: number;
  ttlSeconds: number;
  blastRadius: number;
  requiresApproval: boolean;
  /** Success-rate gap on the subject when proposed; the share of it won back measures effectiveness. */
  recoverableRate: number;
  /** recoverableRate x learned effectiveness: the uplift the valuation counted on. */
  predictedUpliftRate: number;
  predictedNrv: number;
  /** Revenue per unit of success-rate uplift over the horizon, to price the realised uplift alike. */
  revenuePerUpliftRate: number;
  /** True for the minimum-action-frequency rule's baseline alert: a heartbeat, never a page. */
  heartbeat: boolean;
  /** Good payments the move is expected to turn away (0 for actions that move nothing). */
  turnedAway: TurnedAway;
  interventionCost: number;
  snapshot: MetricsSnapshot;
  executedAt: number | null;
  executedCycle: number | null;
  expiresAt: number | null;
}

export interface BetaPosterior {
  alpha: number;
  beta: number;
}

export interface AgentState {
  /** Cycles run so far; the next cycle gets this number plus one. */
  cycle: number;
  cyclesWithoutAction: number;
  baselines: Baselines;
  /** Consecutive anomalous windows per `${metric}|${target}` (see detect). */
  streaks: Record<string, number>;
  /** Keyed by `${type}|${target}`. */
  incidents: Record<string, Incident>;
  /** Interventions not yet finished with: pending, in force, or awaiting evaluation. Keyed by id. */
  interventions: Record<string, InterventionRecord>;
  /** Keyed by `${action}|${patternType}`. */
  effectiveness: Record<string, BetaPosterior>;
  /** Thin dimensions' windows pooled until they can be judged, keyed by target. */
  pools: Record<string, Pool>;
  /** Incidents resolved within the flap window, keyed like `incidents`. */
  resolvedIncidents: Record<string, ResolvedIncident>;
  /** Failure codes in neither error-code list, counted over the last window, so an operator can classify them. */
  unclassifiedErrorCodes: Record<string, number>;
  /** Seasonal volume profiles of the dimensions above the volume floor, keyed by target. */
  seasons: Record<string, Season>;
  /** The general scorer's state for each system-wide series (see detect's scoreSystemSeries): what the detect CLI runs. */
  series: SystemSeries;
}

/** The system-wide series the general scorer follows, one state each. */
export type SystemSeries = Record<MetricName, SeriesState>;

/** A thin dimension's windows added up until they carry enough attempts to judge. */
export interface Pool {
  windows: number;
  metrics: DimensionMetrics;
}

export interface ResolvedIncident {
  cycle: number;
  flaps: number;
}

/** What the world reports back about an intervention the agent proposed. */
export type InterventionEvent =
  | { type: 'APPROVED'; interventionId: string; at: number }
  /** What actually ran, which an operator's approval may have narrowed from the proposal. */
  | { type: 'EXECUTED'; interventionId: string; at: number; scope: RunScope }
  | { type: 'REJECTED'; interventionId: string; at: number; reason?: string }
  | { type: 'EXPIRED'; interventionId: string; at: number }
  | { type: 'ROLLED_BACK'; interventionId: string; at: number; reason?: string };

export interface Evaluation {
  interventionId: string;
  action: ActionType;
  target: string;
  patternType: PatternType | null;
  predictedUpliftRate: number;
  realisedUpliftRate: number;
  /** True when the rest of the traffic served as control (difference in differences). */
  controlled: boolean;
  /** Share of the subject's traffic the move covered as it ran (0 for an action that moves none). */
  movedShare: number;
  predictedNrv: number;
  realisedNrv: number;
  successDeltaPoints: number;
  latencyDeltaMs: number;
  rollbackRecommended: boolean;
  reason: string;
}

export interface RollbackRecommendation {
  interventionId: string;
  target: string;
  reason: string;
}

export type DecisionKind = 'ACTION' | 'NO_ACTION' | 'FORCED_ACTION';

export interface ChosenIntervention {
  record: InterventionRecord;
  option: ValuedOption;
  preMortem: PreMortem;
}

export interface RefusedOption {
  option: ValuedOption;
  reason: string;
}

export interface Decision {
  kind: DecisionKind;
  reason: string;
  chosen: ChosenIntervention[];
  refused: RefusedOption[];
}

export interface CycleResult {
  state: AgentState;
  cycleNumber: number;
  windowStart: number;
  windowEnd: number;
  metrics: WindowMetrics;
  patterns: Pattern[];
  incidentEvents: IncidentEvent[];
  hypotheses: Hypothesis[];
  options: ValuedOption[];
  decision: Decision;
  evaluations: Evaluation[];
  rollbacks: RollbackRecommendation[];
  /** Interventions the core retired this cycle because their TTL or approval window ran out. */
  expired: InterventionRecord[];
}
