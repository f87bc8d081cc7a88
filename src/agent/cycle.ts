// One observation window through every stage, from prior state to next state and a full account.
import { MS_PER_SECOND, SECONDS_PER_MINUTE } from './units';
import type { AgentConfig } from './config';
import { withContainedOptions } from './contain';
import { decide } from './decide';
import { movesTraffic } from './actions';
import { BASELINE, rebase } from './baseline';
import { detect, type DetectResult } from './detect';
import { scopeShare } from './directives';
import { unclassifiedCodes } from './errorCodes';
import { emptyMetrics, entriesOf, lookup, metricsFor, withEntry } from './metrics';
import { SYSTEM_TARGET, parseTarget, scopeCovers } from './targets';
import { hypothesise } from './hypothesise';
import { openIncidentTargets, trackIncidents } from './incidents';
import { activeInterventions, applyInterventionEvents, expireInterventions, refreshPendingSnapshots } from './interventions';
import { learn, snapshotOf } from './learn';
import { forgetUnseen } from './state';
import { valueOption, valueOptions } from './nrv';
import { baselineAlert, plan } from './plan';
import type {
  AgentState,
  Baselines,
  CycleResult,
  Incident,
  IncidentEvent,
  InterventionEvent,
  InterventionRecord,
  InterventionStatus,
  PreMortem,
  ValuedOption,
  WindowMetrics,
} from './types';

const windowsPerMinute = (config: AgentConfig): number => SECONDS_PER_MINUTE / config.cycleIntervalSeconds;
const windowMs = (config: AgentConfig): number => config.cycleIntervalSeconds * MS_PER_SECOND;

function statusFor(preMortem: PreMortem, config: AgentConfig): InterventionStatus {
  if (config.mode === 'shadow') return 'SHADOW';
  return preMortem.requiresApproval ? 'AWAITING_APPROVAL' : 'PROPOSED';
}

/** The record the state keeps for a chosen option; its id is deterministic, so a re-run changes nothing. */
export function recordFor(option: ValuedOption, preMortem: PreMortem, window: WindowMetrics, cycleNumber: number, config: AgentConfig): InterventionRecord {
  const status = statusFor(preMortem, config);
  // A shadow decision holds its target for its TTL as if it ran, so shadow mode decides as autonomy would.
  const shadowExpiry = status === 'SHADOW' ? window.end + option.ttlSeconds * MS_PER_SECOND : null;
  const { nrv } = option;
  return {
    id: `c${cycleNumber}:${option.id}`,
    action: option.action,
    target: option.target,
    subject: option.subject,
    params: option.params,
    status,
    patternType: option.patternType,
    cause: option.cause,
    hypothesisId: option.hypothesisId,
    cycleNumber,
    proposedAt: window.end,
    ttlSeconds: option.ttlSeconds,
    blastRadius: option.blastRadius,
    requiresApproval: preMortem.requiresApproval,
    recoverableRate: option.upliftRate,
    predictedUpliftRate: option.upliftRate * nrv.effectiveness,
    predictedNrv: nrv.nrv,
    revenuePerUpliftRate: nrv.volumePerWindow * nrv.horizonWindows * nrv.ticketValue,
    heartbeat: option.params.heartbeat === true,
    turnedAway: {
      paymentsPerMinute: nrv.turnedAwayPerWindow * windowsPerMinute(config),
      valuePerMinute: nrv.turnedAwayValuePerWindow * windowsPerMinute(config),
      currency: nrv.currency,
    },
    interventionCost: nrv.interventionCost,
    snapshot: snapshotOf(window, option.subject),
    executedAt: null,
    executedCycle: null,
    expiresAt: shadowExpiry,
  };
}

/**
 * Share of a target's payments the moves in force send elsewhere: all of it under a move that covers
 * the target, else the moved parts' volume before the move over the target's usual volume.
 */
function movedAwayShare(inForce: readonly InterventionRecord[], baselines: Baselines, target: string): number {
  const scope = parseTarget(target);
  const usual = lookup(baselines, target)?.[BASELINE.volumeMean] ?? 0;
  let moved = 0;
  for (const r of inForce) {
    if (!movesTraffic(r.action)) continue;
    const part = parseTarget(r.target);
    const share = scopeShare(r.params);
    if (scopeCovers(part, scope)) moved = Math.max(moved, share);
    else if (scopeCovers(scope, part) && usual > 0) moved += (r.snapshot.subjectVolume * share) / usual;
  }
  return Math.min(1, moved);
}

/**
 * Incidents closed as persistent shifts: the baselines of their targets, and of every narrower
 * scope inside them (whose levels the target's expectation is built from), re-centre on the new
 * level; their streaks restart.
 */
function relearnShifted(
  detected: DetectResult,
  events: readonly IncidentEvent[],
  open: Record<string, Incident>,
  window: WindowMetrics,
  config: AgentConfig,
): Pick<DetectResult, 'baselines' | 'streaks'> {
  let { baselines, streaks } = detected;
  // A narrower scope with an incident of its own (an issuer out, inside a method that shifted) keeps its baseline.
  const stillOpen = Object.values(open).map((incident) => parseTarget(incident.target));
  const ownIncident = (target: string): boolean => stillOpen.some((scope) => scopeCovers(scope, parseTarget(target)));
  for (const e of events) {
    if (e.type !== 'shifted') continue;
    const scope = parseTarget(e.incident.target);
    const inside = [...entriesOf(baselines)].filter(
      ([target]) => target === e.incident.target || (target !== SYSTEM_TARGET && scopeCovers(scope, parseTarget(target)) && !ownIncident(target)),
    );
    for (const [target, b] of inside) baselines = withEntry(baselines, target, rebase(b, metricsFor(window, target) ?? emptyMetrics(), config));
    const targets = new Set(inside.map(([target]) => target));
    streaks = Object.fromEntries(Object.entries(streaks).filter(([key]) => !targets.has(key.slice(key.indexOf('|') + 1))));
  }
  return { baselines, streaks };
}

/**
 * Requests still waiting for an operator whose subject has just recovered are withdrawn (retired as
 * expired): an approval arriving after the recovery would turn good payers away for a whole TTL.
 */
function withdrawRecovered(
  interventions: Record<string, InterventionRecord>,
  events: readonly IncidentEvent[],
): { interventions: Record<string, InterventionRecord>; expired: InterventionRecord[] } {
  const recovered = new Set(events.filter((e) => e.type === 'resolved').map((e) => e.incident.target));
  const kept: Record<string, InterventionRecord> = {};
  const expired: InterventionRecord[] = [];
  for (const record of Object.values(interventions)) {
    const waiting = record.status === 'AWAITING_APPROVAL' || record.status === 'APPROVED';
    if (waiting && recovered.has(record.subject)) expired.push({ ...record, status: 'EXPIRED' });
    else kept[record.id] = record;
  }
  return { interventions: kept, expired };
}

/**
 * Runs one cycle. `events` are what the world reported since the last cycle (executions,
 * approvals, rejections, expiries, rollbacks); they are applied before anything is judged.
 * Pure: the same arguments always give the same result, and `state` is never mutated.
 */
export function runCycle(state: AgentState, window: WindowMetrics, config: AgentConfig, events: readonly InterventionEvent[] = []): CycleResult {
  const reported = applyInterventionEvents(state, events, config);
  const cycleNumber = reported.cycle + 1;

  const inForce = Object.values(reported.interventions).filter((r) => r.status === 'EXECUTED' || r.status === 'EVALUATED');
  const detected = detect(
    window,
    {
      baselines: reported.baselines,
      streaks: reported.streaks,
      frozenTargets: openIncidentTargets(reported.incidents),
      pools: reported.pools,
      movedAway: (target) => movedAwayShare(inForce, reported.baselines, target),
      seasons: reported.seasons,
      series: reported.series,
    },
    cycleNumber,
    config,
  );
  const { patterns } = detected;
  const tracked = trackIncidents(reported.incidents, reported.resolvedIncidents, patterns, detected.pooledJudged, window, cycleNumber, config);
  const relearned = relearnShifted(detected, tracked.events, tracked.incidents, window, config);
  const { baselines, seasons } = forgetUnseen(relearned.baselines, detected.seasons, cycleNumber, config);
  const hypotheses = hypothesise(patterns, window, reported.baselines, config);

  const learned = learn(reported.interventions, reported.effectiveness, window, cycleNumber, config);
  const unexpired = expireInterventions(learned.interventions, window, config);
  const withdrawn = withdrawRecovered(unexpired.interventions, tracked.events);
  const current = refreshPendingSnapshots(withdrawn.interventions, window);
  const expired = [...unexpired.expired, ...withdrawn.expired];

  const options = valueOptions(withContainedOptions(plan(hypotheses, window, reported.baselines, config), config), learned.effectiveness, config);
  const baseline = baselineAlert(window, config);
  const decision = decide({
    options,
    baseline: { ...baseline, nrv: valueOption(baseline, learned.effectiveness, config) },
    cyclesWithoutAction: reported.cyclesWithoutAction,
    // A move that runs out before the next window ends no longer holds its target: the agent may
    // renew it now, so a target still failing has no window without its directive.
    active: activeInterventions({ interventions: current }).filter((r) => r.expiresAt === null || r.expiresAt > window.end + windowMs(config)),
    window,
    patterns,
    config,
    toRecord: (option, preMortem) => recordFor(option, preMortem, window, cycleNumber, config),
  });

  const interventions = { ...current };
  for (const { record } of decision.chosen) interventions[record.id] = record;

  return {
    state: {
      cycle: cycleNumber,
      cyclesWithoutAction: decision.cyclesWithoutAction,
      baselines,
      streaks: relearned.streaks,
      incidents: tracked.incidents,
      interventions,
      effectiveness: learned.effectiveness,
      pools: detected.pools,
      resolvedIncidents: tracked.resolved,
      unclassifiedErrorCodes: unclassifiedCodes(window.system, config),
      seasons,
      series: detected.series,
    },
    cycleNumber,
    windowStart: window.start,
    windowEnd: window.end,
    metrics: window,
    patterns,
    incidentEvents: tracked.events,
    hypotheses,
    options,
    decision: { kind: decision.kind, reason: decision.reason, chosen: decision.chosen, refused: decision.refused },
    evaluations: learned.evaluations,
    rollbacks: learned.rollbacks,
    expired,
  };
}
