// Stage 3: turn the window's findings into root-cause hypotheses whose confidence comes from evidence.
import { percent } from './units';
import type { AgentConfig } from './config';
import { BASELINE } from './baseline';
import { successDropped } from './detect';
import { technicalFailures } from './errorCodes';
import { lookup, metricsFor, successRate } from './metrics';
import { SYSTEM_TARGET, issuerTarget, parseTarget } from './targets';
import type {
  Baselines,
  DimensionMetrics,
  Hypothesis,
  Pattern,
  PatternType,
  RootCause,
  WindowMetrics,
} from './types';

/** 0..1 strength of a z-score: one half at the threshold, approaching one far beyond it. */
export const zEvidence = (z: number, config: AgentConfig): number =>
  z > 0 ? z / (z + config.anomalyThreshold) : 0;

/** Share of the failures that are technical rather than customer declines; 1 when nothing failed. */
export function technicalShare(m: DimensionMetrics): number {
  const failures = m.volume - m.successes;
  return failures > 0 ? technicalFailures(m) / failures : 1;
}

interface Context {
  window: WindowMetrics;
  baselines: Baselines;
  config: AgentConfig;
}

/** The baseline success rate of a target, or `fallback` while it has none. */
const baselineRate = (ctx: Context, target: string, fallback: number): number => {
  const b = lookup(ctx.baselines, target);
  return b && b[BASELINE.windows] > 0 ? b[BASELINE.successRateMean] : fallback;
};

function hypothesis(
  ctx: Context,
  cause: RootCause,
  target: string,
  patternType: PatternType,
  confidence: number,
  evidence: string[],
): Hypothesis {
  const m = metricsFor(ctx.window, target) ?? ctx.window.system;
  const observed = successRate(m);
  const baseline = baselineRate(ctx, target, observed);
  return {
    id: `${cause}:${target}`,
    cause,
    target,
    patternType,
    confidence: Math.min(1, Math.max(0, confidence)),
    evidence,
    volume: m.volume,
    observedSuccessRate: observed,
    baselineSuccessRate: baseline,
    recoverableRate: Math.max(0, baseline - observed),
  };
}

const describe = (p: Pattern): string =>
  `${p.metric} on ${p.target}: ${p.observed.toFixed(3)} vs baseline ${p.baseline.toFixed(3)} (z=${p.zScore.toFixed(1)}, n=${p.volume})`;

/** Failures that are mostly customer declines are not the issuer's or the method's fault. */
function failureCause(ctx: Context, p: Pattern, technical: RootCause): { cause: RootCause; confidence: number; note: string } {
  const share = technicalShare(metricsFor(ctx.window, p.target) ?? ctx.window.system);
  const e = zEvidence(p.zScore, ctx.config);
  const note = `technical failures ${percent(share)} of failures`;
  return share >= ctx.config.technicalFailureShareMin
    ? { cause: technical, confidence: e * share, note }
    : { cause: 'CUSTOMER_DECLINES', confidence: e * (1 - share), note };
}

/** Volume share of a method's judgeable issuer cells whose own success rate dropped by the detector's rule. */
function methodSpread(ctx: Context, method: string): number {
  let total = 0;
  let failing = 0;
  for (const [issuer, row] of Object.entries(ctx.window.issuerMethods)) {
    const cell = row[method];
    if (!cell) continue;
    const dropped = successDropped(cell, ctx.baselines.issuerMethods[issuer]?.[method], ctx.config);
    if (dropped === null) continue;
    total += cell.volume;
    if (dropped) failing += cell.volume;
  }
  return total > 0 ? failing / total : 0;
}

/** An issuer's success rate without the methods already blamed: what the issuer itself explains. */
function residualDrop(ctx: Context, issuer: string, blamedMethods: ReadonlySet<string>): number | null {
  const whole = ctx.window.issuers[issuer];
  if (!whole) return null;
  let volume = whole.volume;
  let successes = whole.successes;
  for (const [method, cell] of Object.entries(ctx.window.issuerMethods[issuer] ?? {})) {
    if (!blamedMethods.has(method)) continue;
    volume -= cell.volume;
    successes -= cell.successes;
  }
  if (volume < ctx.config.minVolume) return null;
  const baseline = baselineRate(ctx, issuerTarget(issuer), 0);
  return baseline > 0 ? (baseline - successes / volume) / baseline : 0;
}

/** Retried attempts per technical failure: how hard the gateway retries what fails. */
const retriesPerFailure = (retries: number, failures: number): number => retries / Math.max(1, failures);

/**
 * Share of a target's retries beyond what the rest of the traffic's retrying would make of
 * its technical failures. Retries that follow a failure at the usual pace are its symptom, and
 * capping them recovers nothing; only retries out of proportion to the failures amplify it.
 */
function excessRetryShare(ctx: Context, target: string): number {
  const m = metricsFor(ctx.window, target);
  if (!m || m === ctx.window.system) return 1;
  const own = retriesPerFailure(m.retries, technicalFailures(m));
  if (own === 0) return 0;
  const system = ctx.window.system;
  const usual = retriesPerFailure(system.retries - m.retries, technicalFailures(system) - technicalFailures(m));
  return Math.max(0, 1 - usual / own);
}

function judgedCount(dims: Record<string, DimensionMetrics>, config: AgentConfig): number {
  return Object.values(dims).filter((m) => m.volume >= config.minVolume).length;
}

/**
 * The findings of one type that explain the rest: issuer-level ones explain the method and system
 * figures they drag along, method-level ones the system's; when most issuers show it, it is the system.
 */
function localise(patterns: readonly Pattern[], type: PatternType, window: WindowMetrics, config: AgentConfig): Pattern[] {
  const mine = patterns.filter((p) => p.type === type);
  const issuers = mine.filter((p) => p.dimension === 'issuer');
  const methods = mine.filter((p) => p.dimension === 'method');
  const system = mine.filter((p) => p.dimension === 'system');
  const wholeIssuers = issuers.filter((p) => parseTarget(p.target).method === null).length;
  if (system.length > 0 && wholeIssuers / Math.max(1, judgedCount(window.issuers, config)) >= config.systemWideShareMin) return system;
  if (issuers.length > 0) return issuers;
  return methods.length > 0 ? methods : system;
}

/** Several findings can point at one cause and target; the best-supported statement of it stays. */
function strongestPerId(hypotheses: readonly Hypothesis[]): Hypothesis[] {
  const best = new Map<string, Hypothesis>();
  for (const h of hypotheses) {
    const seen = best.get(h.id);
    if (!seen || h.confidence > seen.confidence) best.set(h.id, h);
  }
  return [...best.values()];
}

export function hypothesise(
  patterns: readonly Pattern[],
  window: WindowMetrics,
  baselines: Baselines,
  config: AgentConfig,
): Hypothesis[] {
  const ctx: Context = { window, baselines, config };
  const byType = (type: PatternType, cell = false): Pattern[] =>
    patterns.filter((p) => p.type === type && (parseTarget(p.target).method !== null) === cell);
  const issuerDrops = byType('ISSUER_DEGRADATION');
  const methodDrops = patterns.filter((p) => p.type === 'METHOD_FATIGUE');
  const out: Hypothesis[] = [];

  // Everything down at once is one problem on our side, not one per issuer and method.
  const issuerShare = issuerDrops.length / Math.max(1, judgedCount(window.issuers, config));
  const methodShare = methodDrops.length / Math.max(1, judgedCount(window.methods, config));
  const systemDrop = patterns.find((p) => p.type === 'SYSTEM_DEGRADATION');
  if (issuerShare >= config.systemWideShareMin && methodShare >= config.systemWideShareMin) {
    const z = systemDrop?.zScore ?? Math.max(...issuerDrops.map((p) => p.zScore));
    return [
      hypothesis(ctx, 'SYSTEM_WIDE', SYSTEM_TARGET, 'SYSTEM_DEGRADATION', zEvidence(z, config) * Math.min(issuerShare, methodShare), [
        `${percent(issuerShare)} of issuers and ${percent(methodShare)} of methods degraded at once`,
        ...(systemDrop ? [describe(systemDrop)] : []),
      ]),
    ];
  }

  const blamedMethods = new Set<string>();
  for (const p of methodDrops) {
    const method = parseTarget(p.target).method ?? '';
    const spread = methodSpread(ctx, method);
    if (spread < config.methodSpreadShareMin) continue;
    const verdict = failureCause(ctx, p, 'METHOD_PROVIDER_PROBLEM');
    if (verdict.cause === 'METHOD_PROVIDER_PROBLEM') blamedMethods.add(method);
    out.push(hypothesis(ctx, verdict.cause, p.target, p.type, verdict.confidence * spread, [
      describe(p),
      `failing across ${percent(spread)} of the method's issuer traffic`,
      verdict.note,
    ]));
  }

  for (const p of issuerDrops) {
    const issuer = parseTarget(p.target).issuer ?? '';
    const residual = residualDrop(ctx, issuer, blamedMethods);
    if (residual === null || residual < config.minRelativeChange) continue;
    const severe = residual >= config.outageRelativeDrop;
    const verdict = failureCause(ctx, p, severe ? 'ISSUER_OUTAGE' : 'ISSUER_PARTIAL_DEGRADATION');
    out.push(hypothesis(ctx, verdict.cause, p.target, p.type, verdict.confidence, [
      describe(p),
      `drop of ${percent(residual)} of the baseline beyond failing methods`,
      verdict.note,
    ]));
  }

  for (const p of byType('ISSUER_DEGRADATION', true)) {
    const { issuer, method } = parseTarget(p.target);
    if (method === null || issuer === null || blamedMethods.has(method)) continue;
    // The first cell to cross the line may be the visible edge of an issuer-wide problem.
    const rest = residualDrop(ctx, issuer, new Set([...blamedMethods, method]));
    const spreads = rest !== null && rest >= config.minRelativeChange;
    const verdict = failureCause(ctx, p, 'ISSUER_PARTIAL_DEGRADATION');
    out.push(hypothesis(ctx, verdict.cause, spreads ? issuerTarget(issuer) : p.target, p.type, verdict.confidence, [
      describe(p),
      spreads ? `the issuer's other methods are down ${percent(rest)} too` : 'confined to one method of the issuer',
      verdict.note,
    ]));
  }

  if (systemDrop && out.length === 0) {
    out.push(hypothesis(ctx, 'SYSTEM_WIDE', SYSTEM_TARGET, systemDrop.type, zEvidence(systemDrop.zScore, config), [
      describe(systemDrop),
      'no single issuer or method accounts for it',
    ]));
  }

  for (const p of localise(patterns, 'RETRY_STORM', window, config)) {
    // Whether or not the failure itself is confirmed yet, retries at the usual pace are its symptom.
    const excess = excessRetryShare(ctx, p.target);
    out.push(hypothesis(ctx, 'RETRY_AMPLIFICATION', p.target, p.type, zEvidence(p.zScore, config) * excess, [
      describe(p),
      `${percent(excess)} of the retries beyond the usual retrying of the target's technical failures`,
    ]));
  }
  for (const p of localise(patterns, 'LATENCY_SPIKE', window, config)) {
    out.push(hypothesis(ctx, 'UPSTREAM_LATENCY', p.target, p.type, zEvidence(p.zScore, config), [describe(p)]));
  }
  return strongestPerId(out).sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));
}
