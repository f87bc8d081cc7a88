// The agent core's public surface: the one module anything outside src/agent/ imports
// (.dependency-cruiser.cjs enforces it; the core's own tests may reach further).
export type * from './types';
export { type AgentConfig, type AgentMode, defaultAgentConfig } from './config';
export { runCycle } from './cycle';
export { initialAgentState, upgradeAgentState } from './state';
export { observe, percentileCont, windowStartFor, keptValues, foldName, P95 } from './observe';
export { bucketOf, addToHistogram, mergeHistogram, quantile, MAX_RELATIVE_ERROR, type Histogram } from './histogram';
export { detect } from './detect';
export { anomalyScore, updateEwma, updateBaseline, emptyBaseline, BASELINE } from './baseline';
export { scorePoint, initialSeriesState, type SeriesState, type SeriesScore } from './series';
export { systemHealth, statusOf, type SystemHealth, type DimensionHealth, type HealthStatus } from './health';
export { hypothesise } from './hypothesise';
export { plan } from './plan';
export { valueOption } from './nrv';
export { byNrv, decide } from './decide';
export { preMortem } from './premortem';
export { learn, evaluate, effectivenessOf } from './learn';
export { applyInterventionEvent, applyInterventionEvents, activeInterventions, expireInterventions } from './interventions';
export {
  IN_FORCE_STATUSES,
  EXPIRABLE_STATUSES,
  REPORTED_STATUSES,
  canMove,
  isInForce,
  isDue,
  expiryReason,
  approvalEndsAt,
  expiresAtOf,
  runScope,
  executedEvent,
  type ApprovedScope,
  type RunScope,
  type Deadlines,
} from './lifecycle';
export { directiveParams } from './directives';
export { scopeLabel } from './contain';
export { MS_PER_SECOND, SECONDS_PER_MINUTE, SECONDS_PER_HOUR, MINUTES_PER_DAY, MS_PER_HOUR, MS_PER_DAY, percent, money } from './units';
export { isCustomerDecline, technicalFailures } from './errorCodes';
export { successRate, retryRate, metricsFor, emptyMetrics, emptyWindow } from './metrics';
export {
  SYSTEM_TARGET,
  OPS_TEAM_TARGET,
  issuerTarget,
  methodTarget,
  gatewayTarget,
  cellTarget,
  targetOf,
  parseTarget,
  sliceOf,
  covers,
  type ParsedTarget,
} from './targets';
