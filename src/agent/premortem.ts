// Stage 7: how the chosen option could go wrong, whether it may run by itself, and hard limits.
import { percent } from './units';
import type { AgentConfig } from './config';
import { autonomyLimitOf, touchesTraffic } from './actions';
import { sameMove } from './contain';
import { scopeShare } from './directives';
import { parseTarget, targetsOverlap } from './targets';
import type { InterventionRecord, Pattern, PreMortem, Risk, ValuedOption, WindowMetrics } from './types';

export interface PreMortemContext {
  /** Interventions holding traffic, including those chosen earlier in this cycle. */
  active: readonly InterventionRecord[];
  window: WindowMetrics;
  patterns: readonly Pattern[];
  config: AgentConfig;
}

function risks(option: ValuedOption): Risk[] {
  const wrong = 1 - option.confidence;
  switch (option.action) {
    case 'ROUTE_GATEWAY':
      return [
        { description: `hypothesis wrong: ${option.target} moved off a working gateway`, likelihood: wrong },
        { description: 'the destination gateways lack capacity or fail for the moved slice', likelihood: option.blastRadius },
      ];
    case 'SUPPRESS_ISSUER':
      return [
        { description: `hypothesis wrong: healthy ${option.target} traffic turned away`, likelihood: wrong },
        { description: 'other issuers and routes absorb the displaced traffic badly', likelihood: option.blastRadius },
      ];
    case 'REROUTE_METHOD':
      return [
        { description: `hypothesis wrong: ${option.target} moved off a working provider`, likelihood: wrong },
        { description: 'the alternate route lacks capacity for the moved traffic', likelihood: option.blastRadius },
      ];
    case 'REDUCE_RETRIES':
      return [{ description: 'retries that would have succeeded are not attempted', likelihood: option.retrySuccessRate }];
    case 'ALERT_OPS':
      return [{ description: 'alert fatigue: the ops team is paged for noise', likelihood: wrong }];
  }
}

const suppressedIssuers = (active: readonly InterventionRecord[]): Set<string> =>
  new Set(active.filter((r) => r.action === 'SUPPRESS_ISSUER').map((r) => parseTarget(r.target).issuer ?? ''));

/** Methods whose every other issuer is degraded or suppressed: suppressing this one would leave none. */
function lastHealthyIssuerMethods(option: ValuedOption, ctx: PreMortemContext): string[] {
  const { issuer, method } = parseTarget(option.target);
  if (issuer === null) return [];
  const unavailable = suppressedIssuers(ctx.active);
  for (const p of ctx.patterns) {
    if (p.type === 'ISSUER_DEGRADATION' && parseTarget(p.target).method === null) unavailable.add(parseTarget(p.target).issuer ?? '');
  }
  const methods = method !== null ? [method] : Object.keys(ctx.window.issuerMethods[issuer] ?? {});
  return methods.filter(
    (m) => !Object.entries(ctx.window.issuerMethods).some(([other, row]) => other !== issuer && !unavailable.has(other) && (row[m]?.volume ?? 0) > 0),
  );
}

/**
 * Share of payments the steering and retry moves touch, each action on each target counted once, at
 * its widest scope. Routes are left out: the payer sees nothing and they have their own autonomy limit.
 */
function trafficUnderIntervention(moves: readonly Pick<InterventionRecord, 'action' | 'target' | 'blastRadius'>[]): number {
  const widest = new Map<string, number>();
  for (const m of moves) {
    if (!touchesTraffic(m.action) || m.action === 'ROUTE_GATEWAY') continue;
    const key = `${m.action} ${m.target}`;
    widest.set(key, Math.max(widest.get(key) ?? 0, m.blastRadius));
  }
  return [...widest.values()].reduce((sum, share) => sum + share, 0);
}

function violations(option: ValuedOption, ctx: PreMortemContext): string[] {
  const { config, active } = ctx;
  if (!touchesTraffic(option.action)) return [];
  const out: string[] = [];
  for (const record of active) {
    // A wider or narrower scope of the same move does not conflict: the gateway applies the widest.
    if (touchesTraffic(record.action) && targetsOverlap(record.target, option.target) && !sameMove(record, option)) {
      out.push(`conflicts with ${record.id} over the same traffic`);
    }
  }
  if (option.action === 'SUPPRESS_ISSUER') {
    const issuers = suppressedIssuers(active);
    issuers.add(parseTarget(option.target).issuer ?? '');
    if (issuers.size > config.maxSuppressedIssuers) out.push(`more than ${config.maxSuppressedIssuers} issuers suppressed`);
    for (const m of lastHealthyIssuerMethods(option, ctx)) out.push(`would suppress the last healthy issuer of method ${m}`);
  }
  if (option.action === 'REROUTE_METHOD') {
    const rerouted = new Set([...active.filter((r) => r.action === 'REROUTE_METHOD').map((r) => r.target), option.target]).size;
    if (rerouted > config.maxSuppressedMethods) out.push(`more than ${config.maxSuppressedMethods} methods rerouted`);
  }
  const underIntervention = trafficUnderIntervention([...active, option]);
  if (underIntervention > config.maxTrafficUnderIntervention) {
    out.push(`${percent(underIntervention, 0)} of traffic would be under intervention, limit ${percent(config.maxTrafficUnderIntervention, 0)}`);
  }
  return out;
}

export function preMortem(option: ValuedOption, ctx: PreMortemContext): PreMortem {
  const broken = violations(option, ctx);
  const { config } = ctx;
  const limit = autonomyLimitOf(option.action, config);
  const tooWide = touchesTraffic(option.action) && option.blastRadius > limit;
  // A contained move thins its target's traffic, so the rest looks small; widening it stays an operator's call.
  const widens = ctx.active.some((r) => sameMove(r, option) && scopeShare(r.params) < scopeShare(option.params));
  return {
    risks: risks(option),
    blastRadius: option.blastRadius,
    autonomyLimit: limit,
    requiresApproval: config.mode === 'advisory' || tooWide || widens,
    violations: broken,
    refused: broken.length > 0,
  };
}
