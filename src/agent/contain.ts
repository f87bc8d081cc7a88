// Containment: a move of traffic too wide to run without approval is offered a second time,
// narrowed to the share of the target's traffic that fits the autonomy limit. The narrow one runs
// at once; the full one waits for an operator and, once approved, covers the rest (a gateway
// applies the widest directive on the same traffic).
import type { AgentConfig } from './config';
import { autonomyLimitOf, movesTraffic } from './actions';
import { scopeShare } from './directives';
import { percent } from './units';
import type { InterventionOption } from './types';

/** Share steps of a contained scope: coarse, so the scope stays the same from one window to the next. */
const SHARE_STEP = 0.05;

export const isContained = (option: Pick<InterventionOption, 'params'>): boolean => scopeShare(option.params) < 1;

/** ` on 80% of its traffic` for a contained move, nothing for a whole one: how decisions and reports name its scope. */
export const scopeLabel = (option: Pick<InterventionOption, 'params'>): string =>
  isContained(option) ? ` on ${percent(scopeShare(option.params), 0)} of its traffic` : '';

/** The same action on the same target, whatever its scope: a move and its contained variant. */
export const sameMove = (a: Pick<InterventionOption, 'action' | 'target'>, b: Pick<InterventionOption, 'action' | 'target'>): boolean =>
  a.action === b.action && a.target === b.target;

/** The same move on the share of its target that fits the autonomy limit, or null when none is needed or useful. */
export function containedOption(option: InterventionOption, config: AgentConfig): InterventionOption | null {
  if (!config.containWithinAutonomyLimit || config.mode !== 'autonomous') return null;
  const limit = autonomyLimitOf(option.action, config);
  if (!movesTraffic(option.action) || option.blastRadius <= limit) return null;
  const share = Math.floor(limit / option.blastRadius / SHARE_STEP) * SHARE_STEP;
  if (share < SHARE_STEP) return null;
  const rounded = Number(share.toFixed(2));
  return {
    ...option,
    id: `${option.id}~${rounded}`,
    params: { ...option.params, trafficShare: rounded },
    blastRadius: option.blastRadius * rounded,
    volume: option.volume * rounded,
  };
}

/** Each option followed by its contained variant, where it has one. */
export function withContainedOptions(options: readonly InterventionOption[], config: AgentConfig): InterventionOption[] {
  return options.flatMap((option) => {
    const contained = containedOption(option, config);
    return contained ? [option, contained] : [option];
  });
}

/** True when one of the two is the other narrowed: the one pair of options a hypothesis may have chosen together. */
export const containmentPair = (a: InterventionOption, b: InterventionOption): boolean =>
  a.hypothesisId === b.hypothesisId && sameMove(a, b) && isContained(a) !== isContained(b);
