// Stage 4: the interventions that could address each hypothesis, with parameters, TTL, blast
// radius and the figures the valuation needs, under the one model of what each lever does:
// routing sends a slice's payments through the other gateways at their rate for it; steering tells
// the payer a bank or method is down, and only the switchers pay, at the other instruments' rate.
import type { AgentConfig } from './config';
import { actionProfile, steersPayers } from './actions';
import { BASELINE } from './baseline';
import { successDropped } from './detect';
import { firstAttempts, lookup, metricsFor, remainder, successRate } from './metrics';
import { OPS_TEAM_TARGET, SYSTEM_TARGET, methodTarget, parseTarget, targetOf } from './targets';
import type {
  ActionType,
  Baselines,
  DimensionBaseline,
  DimensionMetrics,
  GatewayShare,
  Hypothesis,
  InterventionOption,
  RootCause,
  WindowMetrics,
} from './types';

const ACTIONS_FOR: Record<RootCause, readonly ActionType[]> = {
  ISSUER_OUTAGE: ['SUPPRESS_ISSUER', 'ALERT_OPS'],
  ISSUER_PARTIAL_DEGRADATION: ['SUPPRESS_ISSUER', 'ALERT_OPS'],
  METHOD_PROVIDER_PROBLEM: ['REROUTE_METHOD', 'ALERT_OPS'],
  GATEWAY_FAULT: ['ROUTE_GATEWAY', 'ALERT_OPS'],
  LINK_FAULT: ['ROUTE_GATEWAY', 'ALERT_OPS'],
  RETRY_AMPLIFICATION: ['REDUCE_RETRIES', 'ALERT_OPS'],
  UPSTREAM_LATENCY: ['ALERT_OPS'],
  SYSTEM_WIDE: ['ALERT_OPS'],
  CUSTOMER_DECLINES: ['ALERT_OPS'],
  TELEMETRY_LOSS: ['ALERT_OPS'],
};

/** The currency with the most money in a dimension: amounts are valued in it, never summed across currencies. */
export function mainCurrency(m: DimensionMetrics | undefined): string {
  const entries = Object.entries(m?.amountMinorByCurrency ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return entries[0]?.[0] ?? 'INR';
}

/** Fee rate of a target's payments for the revenue basis: its method's, or its methods' weighted by volume. */
function feeRate(window: WindowMetrics, target: string, config: AgentConfig): number {
  const rateOf = (method: string): number => config.feeRates[method] ?? config.feeRates.default ?? 0;
  const { gateway, issuer, method } = parseTarget(target);
  if (method !== null) return rateOf(method);
  const methods = issuer !== null ? (window.issuerMethods[issuer] ?? {}) : gateway !== null ? (window.gatewayMethods[gateway] ?? {}) : window.methods;
  let volume = 0;
  let weighted = 0;
  for (const [name, m] of Object.entries(methods)) {
    volume += m.volume;
    weighted += m.volume * rateOf(name);
  }
  return volume > 0 ? weighted / volume : rateOf('default');
}

/**
 * What one payment is worth in the valuation's basis, in major units of its main currency: its
 * amount (GMV), or the fee the business keeps on it (revenue). Only that currency's money counts,
 * spread over the dimension's attempts; with one currency that is the plain average ticket.
 */
export function ticketValue(window: WindowMetrics, target: string, config: AgentConfig): number {
  const m = metricsFor(window, target);
  const amount = m?.amountMinorByCurrency[mainCurrency(m)] ?? 0;
  const gmv = m && m.volume > 0 && amount > 0 ? amount / m.volume / config.minorUnitsPerMajor : config.avgTicketValue;
  return config.valueBasis === 'revenue' ? gmv * feeRate(window, target, config) : gmv;
}

/** A target's payments (first attempts) per window before its incident: its baseline volume without its usual retries. */
const usualPayments = (baseline: DimensionBaseline | undefined): number =>
  baseline ? baseline[BASELINE.volumeMean] * (1 - baseline[BASELINE.retryRateMean]) : 0;

/** Probe attempts per window as a multiple of the judging floor, so a window's probe clears it despite noise. */
const PROBE_MARGIN = 1.5;

/**
 * Share of a steered target's payments still sent to it so that each window (or a few pooled)
 * carries enough attempts to see it recover: without it a small bank's suppression ran to its TTL
 * after the bank came back, turning away every payer who did not switch. Sized on the target's
 * usual volume, not the failing window's, which its retries inflate.
 */
export function probeShareFor(baseline: DimensionBaseline | undefined, config: AgentConfig): number {
  const payments = usualPayments(baseline);
  return payments > 0 ? Math.min(config.maxProbeShare, Number(((PROBE_MARGIN * config.minVolume) / payments).toFixed(2))) : config.maxProbeShare;
}

function paramsOf(action: ActionType, h: Hypothesis, route: GatewayShare[], probe: number, config: AgentConfig): InterventionOption['params'] {
  const { gateway, issuer, method } = parseTarget(h.target);
  switch (action) {
    case 'SUPPRESS_ISSUER':
      return method === null ? { issuer: issuer ?? '', probeShare: probe } : { issuer: issuer ?? '', method, probeShare: probe };
    case 'REROUTE_METHOD':
      return { method: method ?? '', route: 'alternate', probeShare: probe };
    case 'ROUTE_GATEWAY':
      return { from: gateway ?? '', to: route };
    case 'REDUCE_RETRIES':
      return { maxRetries: config.reducedMaxRetries };
    case 'ALERT_OPS':
      return { subject: h.target, cause: h.cause, confidence: h.confidence };
  }
}

const rateOf = (counts: { volume: number; successes: number }): number | null => (counts.volume > 0 ? counts.successes / counts.volume : null);

/**
 * Where a gateway path's payments can go: the other gateways that carry its slice and are not
 * failing for it, in proportion to the slice's traffic on them now.
 */
export function routeTargets(window: WindowMetrics, baselines: Baselines, path: string, config: AgentConfig): GatewayShare[] {
  const { gateway, ...slice } = parseTarget(path);
  const open: { gateway: string; volume: number }[] = [];
  for (const other of Object.keys(window.gateways)) {
    if (other === gateway) continue;
    const target = targetOf({ ...slice, gateway: other });
    const m = metricsFor(window, target);
    if (!m || m.volume === 0 || successDropped(m, lookup(baselines, target), config) === true) continue;
    open.push({ gateway: other, volume: m.volume });
  }
  const total = open.reduce((sum, g) => sum + g.volume, 0);
  return open.map((g) => ({ gateway: g.gateway, share: Number((g.volume / total).toFixed(4)) }));
}

/**
 * Success rate a routed payment gets: for each issuer x method cell of the path, the pooled rate of
 * that cell on the destination gateways, weighted by the path's own mix of cells.
 */
function routedRate(window: WindowMetrics, path: string, to: readonly GatewayShare[]): number | null {
  const { gateway, issuer, method } = parseTarget(path);
  let volume = 0;
  let weighted = 0;
  for (const [i, row] of Object.entries(window.gatewayCells[gateway ?? ''] ?? {})) {
    if (issuer !== null && i !== issuer) continue;
    for (const [m, cell] of Object.entries(row)) {
      if (method !== null && m !== method) continue;
      const elsewhere = { volume: 0, successes: 0 };
      for (const { gateway: g } of to) {
        const there = window.gatewayCells[g]?.[i]?.[m];
        elsewhere.volume += there?.volume ?? 0;
        elsewhere.successes += there?.successes ?? 0;
      }
      const rate = rateOf(elsewhere);
      if (rate === null) continue;
      volume += cell.volume;
      weighted += cell.volume * rate;
    }
  }
  return volume > 0 ? weighted / volume : null;
}

/** Success rate of a steered payment: the share of payers who switch, at the rate of every other instrument. */
function steeredRate(window: WindowMetrics, target: string, config: AgentConfig): number {
  const whole = metricsFor(window, target);
  const rest = whole ? remainder(window.system, whole) : { volume: 0, successes: 0 };
  return config.customerSwitchRate * (rateOf(rest) ?? 0);
}

/**
 * Retried attempts a cap would stop: those beyond the cap's allowance for each payment that was
 * retried. Retried payments are at most the first attempts that failed.
 */
function retriesAvoided(m: DimensionMetrics, config: AgentConfig): number {
  const failedFirstAttempts = m.volume - m.successes - (m.retries - m.retrySuccesses);
  const retriedPayments = Math.min(m.retries, Math.max(0, failedFirstAttempts));
  return Math.max(0, m.retries - config.reducedMaxRetries * retriedPayments);
}

export function planFor(h: Hypothesis, window: WindowMetrics, baselines: Baselines, config: AgentConfig): InterventionOption[] {
  const systemPayments = Math.max(firstAttempts(window.system), usualPayments(baselines.system));
  const options: InterventionOption[] = [];
  for (const action of ACTIONS_FOR[h.cause]) {
    const target = action === 'ALERT_OPS' ? OPS_TEAM_TARGET : action === 'REROUTE_METHOD' ? methodTarget(parseTarget(h.target).method ?? '') : h.target;
    const m = action === 'ALERT_OPS' ? undefined : metricsFor(window, target);
    const route = action === 'ROUTE_GATEWAY' ? routeTargets(window, baselines, target, config) : [];
    let alternative: number | null = null;
    if (action === 'ROUTE_GATEWAY') {
      alternative = routedRate(window, target, route);
      // Nowhere healthy to send the slice: routing is not an option.
      if (alternative === null) continue;
    } else if (steersPayers(action)) {
      alternative = steeredRate(window, target, config);
    }
    const observed = m ? successRate(m) : h.observedSuccessRate;
    const probe = steersPayers(action) ? probeShareFor(lookup(baselines, target), config) : 0;
    // A move touches the target's payments as they usually come, not as a move in force has thinned
    // them; a retry cap touches the payments that get retried, at most as many as retried attempts.
    const payments = m ? Math.max(firstAttempts(m), usualPayments(lookup(baselines, target))) : 0;
    const touched = !m ? 0 : action === 'REDUCE_RETRIES' ? Math.min(m.retries, firstAttempts(m)) : payments * (1 - probe);
    const avoided = action === 'REDUCE_RETRIES' && m ? retriesAvoided(m, config) : 0;
    options.push({
      id: `${action}:${target}@${h.target}`,
      action,
      target,
      params: paramsOf(action, h, route, probe, config),
      ttlSeconds: actionProfile(action, config).ttlSeconds,
      blastRadius: systemPayments > 0 ? Math.min(1, touched / systemPayments) : 0,
      hypothesisId: h.id,
      cause: h.cause,
      patternType: h.patternType,
      subject: h.target,
      confidence: h.confidence,
      volume: touched,
      upliftRate: alternative === null ? (action === 'ALERT_OPS' ? 0 : h.recoverableRate) : alternative - observed,
      observedSuccessRate: observed,
      baselineSuccessRate: Math.max(observed, lookup(baselines, target)?.[BASELINE.successRateMean] ?? h.baselineSuccessRate),
      alternativeSuccessRate: alternative,
      ticketValue: ticketValue(window, action === 'ALERT_OPS' ? h.target : target, config),
      currency: mainCurrency(metricsFor(window, action === 'ALERT_OPS' ? h.target : target)),
      retriesAvoided: avoided,
      retrySuccessRate: m && m.retries > 0 ? m.retrySuccesses / m.retries : 0,
    });
  }
  return options;
}

export function plan(hypotheses: readonly Hypothesis[], window: WindowMetrics, baselines: Baselines, config: AgentConfig): InterventionOption[] {
  return hypotheses.flatMap((h) => planFor(h, window, baselines, config));
}

/** The original's baseline action: tell the ops team, recovering nothing by itself. A heartbeat, never a page. */
export function baselineAlert(window: WindowMetrics, config: AgentConfig): InterventionOption {
  return {
    id: `ALERT_OPS:${OPS_TEAM_TARGET}@baseline`,
    action: 'ALERT_OPS',
    target: OPS_TEAM_TARGET,
    params: { subject: SYSTEM_TARGET, cause: 'baseline', heartbeat: true },
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
    baselineSuccessRate: successRate(window.system),
    alternativeSuccessRate: null,
    ticketValue: ticketValue(window, SYSTEM_TARGET, config),
    currency: mainCurrency(window.system),
    retriesAvoided: 0,
    retrySuccessRate: 0,
  };
}
