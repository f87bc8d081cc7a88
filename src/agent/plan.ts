// Stage 4: the interventions that could address each hypothesis, with parameters, TTL and blast radius.
import type { AgentConfig } from './config';
import { actionProfile, movesTraffic } from './actions';
import { firstAttempts, metricsFor, remainder, successRate } from './metrics';
import { OPS_TEAM_TARGET, SYSTEM_TARGET, methodTarget, parseTarget } from './targets';
import type { ActionType, DimensionMetrics, Hypothesis, InterventionOption, RootCause, WindowMetrics } from './types';

const ACTIONS_FOR: Record<RootCause, readonly ActionType[]> = {
  ISSUER_OUTAGE: ['SUPPRESS_ISSUER', 'ALERT_OPS'],
  ISSUER_PARTIAL_DEGRADATION: ['SUPPRESS_ISSUER', 'ALERT_OPS'],
  METHOD_PROVIDER_PROBLEM: ['REROUTE_METHOD', 'ALERT_OPS'],
  RETRY_AMPLIFICATION: ['REDUCE_RETRIES', 'ALERT_OPS'],
  UPSTREAM_LATENCY: ['ALERT_OPS'],
  SYSTEM_WIDE: ['ALERT_OPS'],
  CUSTOMER_DECLINES: ['ALERT_OPS'],
};

/** Observed average ticket in major units, or the configured one when the window shows none. */
export function ticketValue(m: DimensionMetrics | undefined, config: AgentConfig): number {
  if (!m || m.volume === 0 || m.amountMinorSum === 0) return config.avgTicketValue;
  return m.amountMinorSum / m.volume / config.minorUnitsPerMajor;
}

function targetOf(action: ActionType, h: Hypothesis): string {
  if (action === 'ALERT_OPS') return OPS_TEAM_TARGET;
  if (action === 'REROUTE_METHOD') return methodTarget(parseTarget(h.target).method ?? '');
  return h.target;
}

function paramsOf(action: ActionType, h: Hypothesis, config: AgentConfig): InterventionOption['params'] {
  const { issuer, method } = parseTarget(h.target);
  switch (action) {
    case 'SUPPRESS_ISSUER':
      return method === null ? { issuer: issuer ?? '' } : { issuer: issuer ?? '', method };
    case 'REROUTE_METHOD':
      return { method: method ?? '', route: 'alternate' };
    case 'REDUCE_RETRIES':
      return { maxRetries: config.reducedMaxRetries };
    case 'ALERT_OPS':
      return { subject: h.target, cause: h.cause, confidence: h.confidence };
  }
}

/**
 * Payments the option touches, counted in first attempts: a failing target's own retries would
 * otherwise inflate its share exactly while it fails. A retry cap touches the payments that get
 * retried, of which there are at most as many as retried attempts and as payments.
 */
function touchedPayments(action: ActionType, m: DimensionMetrics | undefined): number {
  if (!m || action === 'ALERT_OPS') return 0;
  return action === 'REDUCE_RETRIES' ? Math.min(m.retries, firstAttempts(m)) : firstAttempts(m);
}

/** Success rate of `scope` without `part`: the traffic `part`'s attempts are sent to. */
function restRate(scope: DimensionMetrics | undefined, part: DimensionMetrics): number {
  if (!scope) return 0;
  const rest = remainder(scope, part);
  return rest.volume > 0 ? rest.successes / rest.volume : 0;
}

/**
 * Success rate of the traffic a moved target's attempts go to, 0 where there is none. A suppressed
 * issuer's payments stay on their method and go to its other issuers, so an issuer's rate is that
 * of the other issuers on each of its methods, weighted by its volume there; a rerouted method's
 * payments go to the other methods.
 */
function alternativeRate(window: WindowMetrics, target: string): number {
  const { issuer, method } = parseTarget(target);
  const whole = metricsFor(window, target);
  if (!whole || whole.volume === 0) return 0;
  if (issuer === null) return restRate(window.system, whole);
  const cells = method === null ? Object.entries(window.issuerMethods[issuer] ?? {}) : [[method, whole] as const];
  let weighted = 0;
  for (const [m, cell] of cells) weighted += cell.volume * restRate(window.methods[m], cell);
  return weighted / whole.volume;
}

export function planFor(h: Hypothesis, window: WindowMetrics, config: AgentConfig): InterventionOption[] {
  const subjectMetrics = metricsFor(window, h.target);
  const payments = firstAttempts(window.system);
  return ACTIONS_FOR[h.cause].map((action) => {
    const target = targetOf(action, h);
    const touched = touchedPayments(action, metricsFor(window, target));
    // Moved attempts succeed at the alternatives' rate, whatever the diagnosis: that is the uplift.
    const alternative = movesTraffic(action) ? alternativeRate(window, target) : null;
    return {
      id: `${action}:${target}@${h.target}`,
      action,
      target,
      params: paramsOf(action, h, config),
      ttlSeconds: actionProfile(action, config).ttlSeconds,
      blastRadius: payments > 0 ? touched / payments : 0,
      hypothesisId: h.id,
      cause: h.cause,
      patternType: h.patternType,
      subject: h.target,
      confidence: h.confidence,
      volume: h.volume,
      upliftRate: alternative === null ? h.recoverableRate : Math.max(0, alternative - h.observedSuccessRate),
      observedSuccessRate: h.observedSuccessRate,
      alternativeSuccessRate: alternative,
      ticketValue: ticketValue(subjectMetrics, config),
    };
  });
}

export function plan(hypotheses: readonly Hypothesis[], window: WindowMetrics, config: AgentConfig): InterventionOption[] {
  return hypotheses.flatMap((h) => planFor(h, window, config));
}

/** The original's baseline action: tell the ops team, recovering nothing by itself. */
export function baselineAlert(window: WindowMetrics, config: AgentConfig): InterventionOption {
  return {
    id: `ALERT_OPS:${OPS_TEAM_TARGET}@baseline`,
    action: 'ALERT_OPS',
    target: OPS_TEAM_TARGET,
    params: { subject: SYSTEM_TARGET, cause: 'baseline' },
    ttlSeconds: config.alertOpsTtlSeconds,
    blastRadius: 0,
    hypothesisId: null,
    cause: null,
    patternType: null,
    subject: SYSTEM_TARGET,
    confidence: 0,
    volume: 0,
    upliftRate: 0,
    observedSuccessRate: successRate(window.system),
    alternativeSuccessRate: null,
    ticketValue: ticketValue(window.system, config),
  };
}
