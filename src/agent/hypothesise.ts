// Stage 3: turn the window's findings into root-cause hypotheses whose confidence comes from evidence.
import { percent } from './units';
import type { AgentConfig } from './config';
import { successDropped } from './detect';
import { BASELINE, relativeChangeOf, technicalRate } from './baseline';
import { technicalFailures } from './errorCodes';
import { lookup, metricsFor, successRate } from './metrics';
import { SYSTEM_TARGET, covers, issuerTarget, parseTarget, targetOf, type ParsedTarget } from './targets';
import type { Baselines, DimensionBaseline, DimensionMetrics, Hypothesis, Pattern, PatternType, RootCause, WindowMetrics } from './types';

/** 0..1 strength of a z-score: one half at the threshold, approaching one far beyond it. */
export const zEvidence = (z: number, config: AgentConfig): number => (z > 0 ? z / (z + config.anomalyThreshold) : 0);

interface Context {
  window: WindowMetrics;
  baselines: Baselines;
  config: AgentConfig;
  /** The window's finest cells, split once and only if a residual is asked for: every residual is summed from them. */
  cells(): readonly FinestCell[];
}

/**
 * Share of the failures above the target's own usual mix that are technical. A bank whose usual
 * failures are technical is not degrading when declines rise, and vice versa; without a baseline
 * the raw share stands in. 1 when nothing failed beyond the usual.
 */
export function excessTechnicalShare(m: DimensionMetrics, baseline: DimensionBaseline | undefined, config: AgentConfig): number {
  const failures = m.volume - m.successes;
  if (failures <= 0) return 1;
  const technicalNow = technicalRate(m, config);
  if (!baseline || baseline[BASELINE.windows] === 0) return technicalNow / (failures / m.volume);
  const failRateNow = failures / m.volume;
  const failRateUsual = 1 - baseline[BASELINE.successRateMean];
  const technicalUsual = baseline[BASELINE.technicalRateMean];
  const technicalExcess = Math.max(0, technicalNow - technicalUsual);
  const customerExcess = Math.max(0, failRateNow - technicalNow - (failRateUsual - technicalUsual));
  const excess = technicalExcess + customerExcess;
  return excess > 0 ? technicalExcess / excess : 1;
}

/** The baseline success rate of a target, or `fallback` while it has none. */
const baselineRate = (ctx: Context, target: string, fallback: number): number => {
  const b = lookup(ctx.baselines, target);
  return b && b[BASELINE.windows] > 0 ? b[BASELINE.successRateMean] : fallback;
};

function hypothesis(ctx: Context, cause: RootCause, target: string, patternType: PatternType, confidence: number, evidence: string[]): Hypothesis {
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

/** Failures that are mostly customer declines beyond the usual are not the target's fault. */
function failureCause(ctx: Context, p: Pattern, technical: RootCause): { cause: RootCause; confidence: number; note: string } {
  const m = metricsFor(ctx.window, p.target) ?? ctx.window.system;
  const share = excessTechnicalShare(m, lookup(ctx.baselines, p.target), ctx.config);
  const e = zEvidence(p.zScore, ctx.config);
  const note = `technical failures ${percent(share)} of the failures above the usual mix`;
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

interface Counts {
  volume: number;
  successes: number;
}

/**
 * The finest cells of the window: each issuer x method on each gateway, plus what arrived without
 * a gateway (gateway null). Every scope's traffic is a sum of these.
 */
interface FinestCell {
  gateway: string | null;
  issuer: string;
  method: string;
  counts: Counts;
}

function finestCells(window: WindowMetrics): FinestCell[] {
  const out: FinestCell[] = [];
  for (const [issuer, row] of Object.entries(window.issuerMethods)) {
    for (const [method, cell] of Object.entries(row)) {
      const rest = { volume: cell.volume, successes: cell.successes };
      for (const [gateway, issuers] of Object.entries(window.gatewayCells)) {
        const g = issuers[issuer]?.[method];
        if (!g) continue;
        rest.volume -= g.volume;
        rest.successes -= g.successes;
        out.push({ gateway, issuer, method, counts: { volume: g.volume, successes: g.successes } });
      }
      if (rest.volume > 0) out.push({ gateway: null, issuer, method, counts: rest });
    }
  }
  return out;
}

/** A finest cell's own baseline success rate, when warm: on its gateway path, else its issuer x method. */
function cellBaseline(ctx: Context, gateway: string | null, issuer: string, method: string): number | null {
  const b = gateway !== null ? ctx.baselines.gatewayCells[gateway]?.[issuer]?.[method] : ctx.baselines.issuerMethods[issuer]?.[method];
  return b && b[BASELINE.windows] >= ctx.config.warmupWindows ? b[BASELINE.successRateMean] : null;
}

/**
 * A scope's relative success drop on its traffic without the scopes already blamed: what the scope
 * itself explains. Expected is each remaining cell at its own baseline (the residual's mix is not
 * the scope's usual one), and the drop counts only when it is significant for the residual's
 * volume; a residual too thin to judge is null.
 */
function residualDrop(ctx: Context, target: string, blamed: readonly ParsedTarget[]): number | null {
  const scope = parseTarget(target);
  const fallback = baselineRate(ctx, target, 0);
  let volume = 0;
  let successes = 0;
  let expectedSuccesses = 0;
  for (const c of ctx.cells()) {
    if (!covers(scope, c.gateway, c.issuer, c.method)) continue;
    if (blamed.some((b) => covers(b, c.gateway, c.issuer, c.method))) continue;
    volume += c.counts.volume;
    successes += c.counts.successes;
    expectedSuccesses += c.counts.volume * (cellBaseline(ctx, c.gateway, c.issuer, c.method) ?? fallback);
  }
  if (volume < ctx.config.minVolume) return null;
  const expected = expectedSuccesses / volume;
  if (expected <= 0) return 0;
  const observed = successes / volume;
  const zScore = (expected - observed) / Math.sqrt(Math.max(expected * (1 - expected), Number.EPSILON) / volume);
  return zScore >= ctx.config.anomalyThreshold ? (expected - observed) / expected : 0;
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
  const own = retriesPerFailure(m.retries, technicalFailures(m, ctx.config));
  if (own === 0) return 0;
  const system = ctx.window.system;
  const usual = retriesPerFailure(system.retries - m.retries, technicalFailures(system, ctx.config) - technicalFailures(m, ctx.config));
  return Math.max(0, 1 - usual / own);
}

/** Below this share of retries beyond the usual pace, a retry storm is the failures' echo, not a cause. */
const ECHO_EXCESS_MAX = 0.5;

/**
 * A bank whose retries rose at the usual pace per technical failure while its success fell by the
 * detector's own rule (a finding not yet confirmed) is failing: the retries are the echo. Naming
 * the failure at once, rather than the retrying, is what an engineer reading both would do; the
 * success finding confirms it a window later.
 */
function failingBehindRetries(ctx: Context, p: Pattern, excess: number, blamed: readonly ParsedTarget[]): Hypothesis | null {
  const scope = parseTarget(p.target);
  if (excess >= ECHO_EXCESS_MAX || scope.issuer === null || scope.method !== null || scope.gateway !== null) return null;
  const m = metricsFor(ctx.window, p.target);
  if (!m || successDropped(m, ctx.baselines.issuers[scope.issuer], ctx.config) !== true) return null;
  const residual = residualDrop(ctx, p.target, blamed);
  if (residual === null || residual < ctx.config.minRelativeChange) return null;
  const verdict = failureCause(ctx, p, residual >= ctx.config.outageRelativeDrop ? 'ISSUER_OUTAGE' : 'ISSUER_PARTIAL_DEGRADATION');
  return hypothesis(ctx, verdict.cause, p.target, p.type, verdict.confidence, [
    describe(p),
    `retries at the usual pace per technical failure (${percent(excess)} beyond it): the echo of a success drop of ${percent(residual)} of the baseline`,
    verdict.note,
  ]);
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

/** Volume share of a slice's traffic on gateways other than `gateway` whose path's success dropped too. */
function droppedElsewhere(ctx: Context, slice: ParsedTarget, gateway: string): number {
  let total = 0;
  let failing = 0;
  for (const other of Object.keys(ctx.window.gateways)) {
    if (other === gateway) continue;
    const target = targetOf({ ...slice, gateway: other });
    const m = metricsFor(ctx.window, target);
    if (!m) continue;
    const dropped = successDropped(m, lookup(ctx.baselines, target), ctx.config);
    if (dropped === null) continue;
    total += m.volume;
    if (dropped) failing += m.volume;
  }
  return total > 0 ? failing / total : 1;
}

/**
 * Whether a gateway path fails its payments worse than the same slice does on the other gateways
 * right now, by a two-proportion test: the evidence that routing would win them back, and what keeps
 * a noisy thin path from being routed while its issuer degrades everywhere.
 */
function worseThanElsewhere(ctx: Context, path: string): boolean {
  const { gateway, ...slice } = parseTarget(path);
  const here = metricsFor(ctx.window, path);
  const there = { volume: 0, successes: 0 };
  for (const other of Object.keys(ctx.window.gateways)) {
    if (other === gateway) continue;
    const m = metricsFor(ctx.window, targetOf({ ...slice, gateway: other }));
    there.volume += m?.volume ?? 0;
    there.successes += m?.successes ?? 0;
  }
  if (!here || here.volume === 0 || there.volume === 0) return false;
  const p1 = here.successes / here.volume;
  const p2 = there.successes / there.volume;
  const pooled = (here.successes + there.successes) / (here.volume + there.volume);
  const se = Math.sqrt(Math.max(pooled * (1 - pooled), Number.EPSILON) * (1 / here.volume + 1 / there.volume));
  return (p2 - p1) / se >= ctx.config.anomalyThreshold && relativeChangeOf(p2, p1, -1) >= ctx.config.minRelativeChange;
}

/** The one part of a gateway path (a method, else an issuer) that carries its drop, if one does. */
function narrowest(ctx: Context, target: string): string {
  const path = parseTarget(target);
  const gateway = path.gateway ?? '';
  for (const dimension of ['method', 'issuer'] as const) {
    if (path[dimension] !== null) continue;
    const parts = dimension === 'method' ? (ctx.window.gatewayMethods[gateway] ?? {}) : (ctx.window.gatewayIssuers[gateway] ?? {});
    const dropped = Object.entries(parts).filter(
      ([name, m]) => successDropped(m, lookup(ctx.baselines, targetOf({ ...path, [dimension]: name })), ctx.config) === true,
    );
    const [only] = dropped;
    if (dropped.length !== 1 || !only) continue;
    const narrowed = targetOf({ ...path, [dimension]: only[0] });
    const rest = residualDrop(ctx, target, [parseTarget(narrowed)]);
    if (rest === null || rest < ctx.config.minRelativeChange) return narrowest(ctx, narrowed);
  }
  return target;
}

/**
 * The gateway paths under an issuer's or a method's success drop whose own success dropped too: a
 * path's finding is held back when its slice already shows one, but the fault may still sit on one
 * gateway only.
 */
function linkCandidates(ctx: Context, patterns: readonly Pattern[]): Pattern[] {
  const out: Pattern[] = [];
  for (const p of patterns) {
    if (p.metric !== 'successRate' || (p.type !== 'ISSUER_DEGRADATION' && p.type !== 'METHOD_FATIGUE')) continue;
    const slice = parseTarget(p.target);
    if (slice.issuer !== null && slice.method !== null) continue;
    for (const gateway of Object.keys(ctx.window.gateways)) {
      const path = targetOf({ ...slice, gateway });
      const m = metricsFor(ctx.window, path);
      if (!m || successDropped(m, lookup(ctx.baselines, path), ctx.config) !== true) continue;
      out.push({ ...p, type: 'GATEWAY_DEGRADATION', dimension: 'gateway', target: path, volume: m.volume, observed: successRate(m) });
    }
  }
  return out;
}

/**
 * Gateway and link faults: a success drop on a gateway path whose slice is healthy on the other
 * gateways. The slice failing everywhere is the issuer's or the method's problem instead.
 */
function gatewayFaults(ctx: Context, patterns: readonly Pattern[]): Hypothesis[] {
  const out: Hypothesis[] = [];
  const drops = [...patterns.filter((p) => p.type === 'GATEWAY_DEGRADATION' && p.metric === 'successRate'), ...linkCandidates(ctx, patterns)].sort((a, b) =>
    parseTarget(a.target).issuer === null ? -1 : parseTarget(b.target).issuer === null ? 1 : 0,
  );
  const explained: ParsedTarget[] = [];
  for (const p of drops) {
    const found = parseTarget(p.target);
    if (
      explained.some(
        (e) =>
          covers(e, found.gateway, found.issuer ?? '', found.method ?? '') &&
          (e.issuer === null || found.issuer !== null) &&
          (e.method === null || found.method !== null),
      )
    )
      continue;
    const target = narrowest(ctx, p.target);
    const path = parseTarget(target);
    const gateway = path.gateway ?? '';
    const elsewhere = droppedElsewhere(ctx, { ...path, gateway: null }, gateway);
    if (elsewhere >= ctx.config.methodSpreadShareMin || !worseThanElsewhere(ctx, target)) continue;
    const verdict = failureCause(ctx, { ...p, target }, path.issuer === null ? 'GATEWAY_FAULT' : 'LINK_FAULT');
    explained.push(path);
    out.push(
      hypothesis(ctx, verdict.cause, target, p.type, verdict.confidence * (1 - elsewhere), [
        describe(p),
        `the same payments on the other gateways: ${percent(elsewhere)} of their traffic dropped`,
        verdict.note,
      ]),
    );
  }
  return out;
}

/**
 * Feed problems. A traffic drop alone is a lost feed (or an upstream that stopped sending); a
 * success drop on a target whose attempts fell while its failures did not rise beyond what its usual
 * volume would fail is lost success events, not a bank failing: either is paged, never moved for.
 */
function telemetryLosses(ctx: Context, patterns: readonly Pattern[]): { hypotheses: Hypothesis[]; explained: Set<string> } {
  const hypotheses: Hypothesis[] = [];
  const explained = new Set<string>();
  for (const drop of patterns.filter((p) => p.type === 'TRAFFIC_DROP')) {
    explained.add(drop.target);
    const m = metricsFor(ctx.window, drop.target);
    const failures = m ? m.volume - m.successes : 0;
    const usualFailures = drop.baseline * (1 - baselineRate(ctx, drop.target, 1));
    const lostSuccesses = failures > 0 && failures <= usualFailures + ctx.config.anomalyThreshold * Math.sqrt(Math.max(1, usualFailures));
    hypotheses.push(
      hypothesis(ctx, 'TELEMETRY_LOSS', drop.target, drop.type, zEvidence(drop.zScore, ctx.config), [
        `${drop.observed.toFixed(0)} attempts against ${drop.baseline.toFixed(0)} usually (net of the agent's own moves)`,
        lostSuccesses
          ? `failures at their usual count (${failures}): the successes are missing from the feed`
          : 'attempts and successes vanished together: the feed, not the bank',
      ]),
    );
  }
  return { hypotheses, explained };
}

export function hypothesise(patterns: readonly Pattern[], window: WindowMetrics, baselines: Baselines, config: AgentConfig): Hypothesis[] {
  let cells: FinestCell[] | null = null;
  const ctx: Context = { window, baselines, config, cells: () => (cells ??= finestCells(window)) };
  const byType = (type: PatternType, cell = false): Pattern[] => patterns.filter((p) => p.type === type && (parseTarget(p.target).method !== null) === cell);
  const issuerDrops = byType('ISSUER_DEGRADATION');
  const methodDrops = patterns.filter((p) => p.type === 'METHOD_FATIGUE');
  const systemDrop = patterns.find((p) => p.type === 'SYSTEM_DEGRADATION');
  const out: Hypothesis[] = [];

  // Before blaming anyone: attempts vanishing, or successes vanishing without failures rising, is the feed.
  const feeds = telemetryLosses(ctx, patterns);
  out.push(...feeds.hypotheses);
  const real = (p: Pattern): boolean => !feeds.explained.has(p.target);
  issuerDrops.splice(0, issuerDrops.length, ...issuerDrops.filter(real));
  methodDrops.splice(0, methodDrops.length, ...methodDrops.filter(real));

  // Everything down at once is one problem on our side, not one per issuer, method and gateway.
  const issuerShare = issuerDrops.length / Math.max(1, judgedCount(window.issuers, config));
  const methodShare = methodDrops.length / Math.max(1, judgedCount(window.methods, config));
  // A gateway fault explains the issuers and methods it drags down; all gateways failing is no gateway's fault.
  const faults = gatewayFaults(ctx, patterns.filter(real));
  const blamed: ParsedTarget[] = faults.filter((h) => h.cause !== 'CUSTOMER_DECLINES').map((h) => parseTarget(h.target));
  const systemResidual = blamed.length > 0 ? residualDrop(ctx, SYSTEM_TARGET, blamed) : null;
  const explainedByGateways = blamed.length > 0 && (systemResidual === null || systemResidual < config.minRelativeChange);
  if (issuerShare >= config.systemWideShareMin && methodShare >= config.systemWideShareMin && !explainedByGateways) {
    const z = systemDrop?.zScore ?? Math.max(0, ...issuerDrops.map((p) => p.zScore), ...methodDrops.map((p) => p.zScore));
    return [
      hypothesis(ctx, 'SYSTEM_WIDE', SYSTEM_TARGET, 'SYSTEM_DEGRADATION', zEvidence(z, config) * Math.min(issuerShare, methodShare), [
        `${percent(issuerShare)} of issuers and ${percent(methodShare)} of methods degraded at once`,
        ...(systemDrop ? [describe(systemDrop)] : []),
      ]),
    ];
  }
  out.push(...faults);

  for (const p of methodDrops) {
    const method = parseTarget(p.target).method ?? '';
    const spread = methodSpread(ctx, method);
    if (spread < config.methodSpreadShareMin) continue;
    const residual = residualDrop(ctx, p.target, blamed);
    if (residual === null || residual < config.minRelativeChange) continue;
    const verdict = failureCause(ctx, p, 'METHOD_PROVIDER_PROBLEM');
    if (verdict.cause === 'METHOD_PROVIDER_PROBLEM') blamed.push(parseTarget(p.target));
    out.push(
      hypothesis(ctx, verdict.cause, p.target, p.type, verdict.confidence * spread, [
        describe(p),
        `failing across ${percent(spread)} of the method's issuer traffic`,
        verdict.note,
      ]),
    );
  }

  for (const p of issuerDrops) {
    const residual = residualDrop(ctx, p.target, blamed);
    if (residual === null || residual < config.minRelativeChange) continue;
    const severe = residual >= config.outageRelativeDrop;
    const verdict = failureCause(ctx, p, severe ? 'ISSUER_OUTAGE' : 'ISSUER_PARTIAL_DEGRADATION');
    out.push(
      hypothesis(ctx, verdict.cause, p.target, p.type, verdict.confidence, [
        describe(p),
        `drop of ${percent(residual)} of the baseline beyond the failing methods and gateways`,
        verdict.note,
      ]),
    );
  }

  for (const p of byType('ISSUER_DEGRADATION', true)) {
    const { issuer, method } = parseTarget(p.target);
    if (method === null || issuer === null) continue;
    const own = residualDrop(ctx, p.target, blamed);
    if (own === null || own < config.minRelativeChange) continue;
    // The first cell to cross the line may be the visible edge of an issuer-wide problem.
    const rest = residualDrop(ctx, issuerTarget(issuer), [...blamed, parseTarget(p.target)]);
    const spreads = rest !== null && rest >= config.minRelativeChange;
    const verdict = failureCause(ctx, p, 'ISSUER_PARTIAL_DEGRADATION');
    out.push(
      hypothesis(ctx, verdict.cause, spreads ? issuerTarget(issuer) : p.target, p.type, verdict.confidence, [
        describe(p),
        spreads ? `the issuer's other methods are down ${percent(rest)} too` : 'confined to one method of the issuer',
        verdict.note,
      ]),
    );
  }

  if (systemDrop && real(systemDrop) && out.length === 0) {
    out.push(
      hypothesis(ctx, 'SYSTEM_WIDE', SYSTEM_TARGET, systemDrop.type, zEvidence(systemDrop.zScore, config), [
        describe(systemDrop),
        'no single issuer, method or gateway accounts for it',
      ]),
    );
  }

  for (const p of localise(patterns, 'RETRY_STORM', window, config)) {
    // Whether or not the failure itself is confirmed yet, retries at the usual pace are its symptom.
    const excess = excessRetryShare(ctx, p.target);
    const failing = out.some((h) => h.target === p.target) ? null : failingBehindRetries(ctx, p, excess, blamed);
    if (failing) {
      out.push(failing);
      continue;
    }
    out.push(
      hypothesis(ctx, 'RETRY_AMPLIFICATION', p.target, p.type, zEvidence(p.zScore, config) * excess, [
        describe(p),
        `${percent(excess)} of the retries beyond the usual retrying of the target's technical failures`,
      ]),
    );
  }
  for (const p of localise(patterns, 'LATENCY_SPIKE', window, config)) {
    out.push(hypothesis(ctx, 'UPSTREAM_LATENCY', p.target, p.type, zEvidence(p.zScore, config), [describe(p)]));
  }
  return strongestPerId(out).sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));
}
