// Stage 9: judge executed interventions K windows on, and learn per (action, pattern) effectiveness.
import { POINTS_PER_RATE } from './units';
import type { AgentConfig } from './config';
import { actionProfile, movesTraffic, touchesTraffic } from './actions';
import { scopeShare } from './directives';
import { metricsFor, remainder, successRate } from './metrics';
import type { ActionType, BetaPosterior, Evaluation, InterventionRecord, MetricsSnapshot, PatternType, RollbackRecommendation, WindowMetrics } from './types';

const BASELINE_KEY = 'BASELINE';

export const effectivenessKey = (action: ActionType, patternType: PatternType | null): string => `${action}|${patternType ?? BASELINE_KEY}`;

/** The stored posterior, or the prior: the action's prior effectiveness worth a configured weight of evidence. */
export function posteriorOf(
  effectiveness: Record<string, BetaPosterior>,
  action: ActionType,
  patternType: PatternType | null,
  config: AgentConfig,
): BetaPosterior {
  const stored = effectiveness[effectivenessKey(action, patternType)];
  if (stored) return stored;
  const prior = actionProfile(action, config).priorEffectiveness;
  return { alpha: prior * config.effectivenessPriorWeight, beta: (1 - prior) * config.effectivenessPriorWeight };
}

export function effectivenessOf(
  effectiveness: Record<string, BetaPosterior>,
  action: ActionType,
  patternType: PatternType | null,
  config: AgentConfig,
): number {
  const p = posteriorOf(effectiveness, action, patternType, config);
  return p.alpha / (p.alpha + p.beta);
}

/** Adds `weight` pseudo-observations of which `successShare` went the action's way. */
export function recordEvidence(
  effectiveness: Record<string, BetaPosterior>,
  record: Pick<InterventionRecord, 'action' | 'patternType'>,
  successShare: number,
  weight: number,
  config: AgentConfig,
): Record<string, BetaPosterior> {
  const p = posteriorOf(effectiveness, record.action, record.patternType, config);
  return {
    ...effectiveness,
    [effectivenessKey(record.action, record.patternType)]: {
      alpha: p.alpha + weight * successShare,
      beta: p.beta + weight * (1 - successShare),
    },
  };
}

/** The subject's figures and the rest of the traffic's, for a later difference-in-differences. */
export function snapshotOf(window: WindowMetrics, subject: string): MetricsSnapshot {
  const m = metricsFor(window, subject);
  const control = m && m !== window.system ? remainder(window.system, m) : { volume: 0, successes: 0 };
  return {
    systemVolume: window.system.volume,
    systemSuccessRate: successRate(window.system),
    subjectVolume: m?.volume ?? 0,
    subjectSuccessRate: m ? successRate(m) : 0,
    subjectLatencyP95Ms: m?.latencyP95Ms ?? 0,
    controlVolume: control.volume,
    controlSuccessRate: control.volume > 0 ? control.successes / control.volume : 0,
  };
}

/**
 * Realised uplift on the subject. With enough subject and control traffic on both sides it is the
 * subject's change minus the untouched traffic's change. When the subject's traffic is gone (an
 * issuer suppressed), or only part of it moved (a contained move), the subject's own figures miss
 * the moved attempts, so the system's change is attributed to the share of traffic that moved.
 */
export function evaluate(record: InterventionRecord, window: WindowMetrics, config: AgentConfig): Evaluation {
  const before = record.snapshot;
  const now = snapshotOf(window, record.subject);
  const enough = (n: number): boolean => n >= config.minVolume;
  const controlled = enough(before.subjectVolume) && enough(now.subjectVolume) && enough(before.controlVolume) && enough(now.controlVolume);
  const subjectShare = before.systemVolume > 0 ? before.subjectVolume / before.systemVolume : 0;
  const movedShare = movesTraffic(record.action) ? scopeShare(record.params) : 0;
  const partlyMoved = movedShare > 0 && movedShare < 1;
  let realised: number;
  if (partlyMoved) {
    realised = subjectShare > 0 ? (now.systemSuccessRate - before.systemSuccessRate) / (subjectShare * movedShare) : 0;
  } else if (controlled) {
    realised = now.subjectSuccessRate - before.subjectSuccessRate - (now.controlSuccessRate - before.controlSuccessRate);
  } else if (enough(now.subjectVolume)) {
    realised = now.subjectSuccessRate - before.subjectSuccessRate;
  } else {
    realised = subjectShare > 0 ? (now.systemSuccessRate - before.systemSuccessRate) / subjectShare : 0;
  }
  // What a contained move leaves on the subject is the incident's traffic, not the move's: its
  // latency says how the incident goes on, and once rolled back a working move for it.
  const latencyDeltaMs = enough(now.subjectVolume) && !partlyMoved ? now.subjectLatencyP95Ms - before.subjectLatencyP95Ms : 0;
  const successDeltaPoints = realised * POINTS_PER_RATE;
  // Only a change to traffic can be rolled back; an alert that preceded a worsening caused nothing.
  const worse = touchesTraffic(record.action) && (successDeltaPoints < -config.rollbackSuccessDropPoints || latencyDeltaMs > config.rollbackLatencyRiseMs);
  return {
    interventionId: record.id,
    action: record.action,
    target: record.target,
    patternType: record.patternType,
    predictedUpliftRate: record.predictedUpliftRate,
    realisedUpliftRate: realised,
    controlled,
    movedShare,
    predictedNrv: record.predictedNrv,
    realisedNrv: record.revenuePerUpliftRate * realised - record.interventionCost,
    successDeltaPoints,
    latencyDeltaMs,
    rollbackRecommended: worse,
    reason: worse
      ? `success ${successDeltaPoints.toFixed(1)} points, p95 latency ${latencyDeltaMs >= 0 ? '+' : ''}${latencyDeltaMs.toFixed(0)} ms since execution`
      : `realised uplift ${successDeltaPoints.toFixed(1)} points against ${(record.predictedUpliftRate * POINTS_PER_RATE).toFixed(1)} predicted`,
  };
}

/** Share of the recoverable gap won back: one observation of effectiveness, in 0..1. */
function successShare(record: InterventionRecord, realised: number): number {
  if (record.recoverableRate <= 0) return realised > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, realised / record.recoverableRate));
}

export interface LearnResult {
  interventions: Record<string, InterventionRecord>;
  effectiveness: Record<string, BetaPosterior>;
  evaluations: Evaluation[];
  rollbacks: RollbackRecommendation[];
}

/** Evaluates executed interventions once their delay has passed, or in their last window if sooner. */
export function learn(
  interventions: Record<string, InterventionRecord>,
  effectiveness: Record<string, BetaPosterior>,
  window: WindowMetrics,
  cycleNumber: number,
  config: AgentConfig,
): LearnResult {
  const next = { ...interventions };
  let learned = effectiveness;
  const evaluations: Evaluation[] = [];
  const rollbacks: RollbackRecommendation[] = [];
  for (const record of Object.values(interventions)) {
    // A baseline alert has no subject traffic to measure; it simply runs out.
    if (record.status !== 'EXECUTED' || record.executedCycle === null || record.executedCycle >= cycleNumber || record.patternType === null) continue;
    const due = cycleNumber - record.executedCycle >= config.evaluationDelayWindows;
    const lastChance = record.expiresAt !== null && record.expiresAt <= window.end;
    if (!due && !lastChance) continue;
    const evaluation = evaluate(record, window, config);
    evaluations.push(evaluation);
    learned = recordEvidence(learned, record, successShare(record, evaluation.realisedUpliftRate), 1, config);
    next[record.id] = { ...record, status: 'EVALUATED' };
    if (evaluation.rollbackRecommended) {
      rollbacks.push({ interventionId: record.id, target: record.target, reason: evaluation.reason });
    }
  }
  return { interventions: next, effectiveness: learned, evaluations, rollbacks };
}
