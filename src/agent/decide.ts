// Stage 6: rank the valued options, pick what to do (or nothing), and apply the
// minimum-action-frequency rule; every pick goes through the pre-mortem first.
import type { AgentConfig } from './config';
import { actionProfile, touchesTraffic } from './actions';
import { containmentPair, sameMove, scopeLabel } from './contain';
import { scopeShare } from './directives';
import { SYSTEM_TARGET, parseTarget, scopeCovers } from './targets';
import { sameIntervention } from './interventions';
import { preMortem, type PreMortemContext } from './premortem';
import type { ChosenIntervention, DecisionKind, InterventionRecord, PreMortem, RefusedOption, ValuedOption } from './types';

export interface DecideInput extends PreMortemContext {
  options: readonly ValuedOption[];
  /** Offered only when the minimum-action-frequency rule forces an action and no option fits. */
  baseline: ValuedOption;
  cyclesWithoutAction: number;
  /** Turns a picked option into the record the state keeps; decide itself stays about choosing. */
  toRecord(option: ValuedOption, preMortem: PreMortem): InterventionRecord;
}

export interface DecideOutput {
  kind: DecisionKind;
  reason: string;
  chosen: ChosenIntervention[];
  refused: RefusedOption[];
  cyclesWithoutAction: number;
}

/** Best net recovered value first; ties by id, so the order is deterministic. */
export const byNrv = (a: ValuedOption, b: ValuedOption): number => b.nrv.nrv - a.nrv.nrv || a.id.localeCompare(b.id);

/** The best remaining option, except that near-equal ones go to the least intrusive. */
function pickNext(ranked: readonly ValuedOption[], config: AgentConfig): ValuedOption | undefined {
  const best = ranked[0];
  if (!best) return undefined;
  const floor = best.nrv.nrv - config.nearEqualNrvShare * Math.abs(best.nrv.nrv);
  const gentleness = (o: ValuedOption): number => actionProfile(o.action, config).intrusiveness;
  return ranked.filter((o) => o.nrv.nrv >= floor).sort((a, b) => gentleness(a) - gentleness(b) || a.blastRadius - b.blastRadius || byNrv(a, b))[0];
}

interface Selection {
  chosen: ChosenIntervention[];
  refused: RefusedOption[];
}

/**
 * Walks the candidates in preference order, taking up to `limit` hypotheses' worth that pass every
 * check: one option per hypothesis, except that a move and its contained variant go together.
 */
function select(candidates: readonly ValuedOption[], input: DecideInput, limit: number): Selection {
  const chosen: ChosenIntervention[] = [];
  const refused: RefusedOption[] = [];
  let remaining = [...candidates].sort(byNrv);
  const active = [...input.active];
  const answered = new Set<string | null>();
  while (answered.size < limit) {
    const option = pickNext(remaining, input.config);
    if (!option) break;
    remaining = remaining.filter((o) => o !== option);
    if (chosen.some((c) => c.option.hypothesisId === option.hypothesisId && !containmentPair(c.option, option))) continue;
    if (active.some((r) => sameIntervention(r, option) || coveredBy(r, option))) {
      refused.push({ option, reason: 'already in force' });
      continue;
    }
    const pm = preMortem(option, { ...input, active });
    if (pm.refused) {
      refused.push({ option, reason: pm.violations.join('; ') });
      continue;
    }
    const record = input.toRecord(option, pm);
    chosen.push({ record, option, preMortem: pm });
    active.push(record);
    answered.add(option.hypothesisId);
  }
  return { chosen, refused };
}

/** A move already running on at least the option's share of the same target makes it redundant. */
const coveredBy = (running: InterventionRecord, option: ValuedOption): boolean =>
  running.status !== 'AWAITING_APPROVAL' && sameMove(running, option) && scopeShare(running.params) >= scopeShare(option.params);

const describe = (o: ValuedOption): string => `${o.action} ${o.target}${scopeLabel(o)} (NRV ${o.nrv.nrv.toFixed(2)})`;

/** How much traffic a page's subject spans: the system first, then one dimension, then paths. */
const breadth = (subject: string): number => (subject === SYSTEM_TARGET ? 0 : subject.split('/').length);

/**
 * Pages: an alert for each hypothesis the agent is not already fixing on its own, a move of its own
 * in force or chosen to run now. Whether to page is this rule, never an NRV: an alert recovers nothing.
 * The widest subjects go first, and a page in force on a subject covers the narrower ones inside it:
 * one incident is one page, not one per issuer and method it drags down.
 */
function pages(input: DecideInput, moves: readonly ChosenIntervention[]): Selection {
  const fixing = (hypothesisId: string | null): boolean =>
    moves.some((c) => c.option.hypothesisId === hypothesisId && !c.preMortem.requiresApproval) ||
    input.options.some(
      (o) =>
        o.hypothesisId === hypothesisId && o.action !== 'ALERT_OPS' && input.active.some((r) => r.status !== 'AWAITING_APPROVAL' && sameIntervention(r, o)),
    );
  const alerts = input.options.filter((o) => o.action === 'ALERT_OPS' && !fixing(o.hypothesisId));
  const chosen: ChosenIntervention[] = [];
  const refused: RefusedOption[] = [];
  const active = [...input.active, ...moves.map((c) => c.record)];
  const paged = (): InterventionRecord[] => [...active, ...chosen.map((c) => c.record)].filter((r) => r.action === 'ALERT_OPS' && !r.heartbeat);
  const covered = (subject: string): boolean =>
    paged().some(
      (r) =>
        r.subject === subject ||
        (r.subject === SYSTEM_TARGET ? true : breadth(r.subject) < breadth(subject) && scopeCovers(parseTarget(r.subject), parseTarget(subject))),
    );
  for (const option of [...alerts].sort((a, b) => breadth(a.subject) - breadth(b.subject) || b.confidence - a.confidence || a.id.localeCompare(b.id))) {
    if (covered(option.subject)) {
      refused.push({ option, reason: 'already in force' });
      continue;
    }
    const pm = preMortem(option, { ...input, active });
    chosen.push({ record: input.toRecord(option, pm), option, preMortem: pm });
  }
  return { chosen, refused };
}

export function decide(input: DecideInput): DecideOutput {
  const { config, options } = input;
  const qualifying = options.filter((o) => o.nrv.nrv > 0 && o.action !== 'ALERT_OPS');
  const moved = select(qualifying, input, config.maxActionsPerCycle);
  const paged = pages(input, moved.chosen);
  const acted = { chosen: [...moved.chosen, ...paged.chosen], refused: [...moved.refused, ...paged.refused] };
  if (acted.chosen.length > 0) {
    return {
      kind: 'ACTION',
      reason: `acting: ${acted.chosen.map((c) => describe(c.option)).join(', ')}`,
      ...acted,
      cyclesWithoutAction: 0,
    };
  }
  const rule = config.minActionFrequencyCycles;
  if (rule > 0 && input.cyclesWithoutAction >= rule - 1) {
    // Forced, an action never touches traffic: turning payers away, or their retries, needs a positive value.
    const forced = select(
      options.filter((o) => !touchesTraffic(o.action)),
      input,
      1,
    );
    const chosen = forced.chosen.length > 0 ? forced.chosen : forcedBaseline(input);
    return {
      kind: 'FORCED_ACTION',
      reason: `${input.cyclesWithoutAction + 1} cycles without action reached min_action_frequency_cycles=${rule}: ${chosen.map((c) => describe(c.option)).join(', ')}`,
      chosen,
      refused: [...acted.refused, ...forced.refused],
      cyclesWithoutAction: 0,
    };
  }
  return {
    kind: 'NO_ACTION',
    reason: noActionReason(options, acted.refused),
    chosen: [],
    refused: acted.refused,
    cyclesWithoutAction: input.cyclesWithoutAction + 1,
  };
}

/** The baseline alert is a heartbeat to the ops team, so the no-flapping rule does not hold it back. */
function forcedBaseline(input: DecideInput): ChosenIntervention[] {
  const pm = preMortem(input.baseline, input);
  return [{ record: input.toRecord(input.baseline, pm), option: input.baseline, preMortem: pm }];
}

function noActionReason(options: readonly ValuedOption[], refused: readonly RefusedOption[]): string {
  if (options.length === 0) return 'no patterns: nothing to act on';
  if (refused.length > 0) return `every option with NRV > 0 was held back: ${refused.map((r) => `${describe(r.option)}: ${r.reason}`).join('; ')}`;
  const best = [...options].sort(byNrv)[0];
  return best ? `best option ${describe(best)} is not worth acting on (NRV <= 0)` : 'no options';
}
