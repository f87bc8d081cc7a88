import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { AgentConfig } from '../agent/config';
import type { JobMetrics } from '../api/metrics';
import { runCycle } from '../agent/cycle';
import { approvalEndsAt, canMove, expiresAtOf, expiryReason, IN_FORCE_STATUSES } from '../agent/lifecycle';
import { initialAgentState } from '../agent/state';
import type { ChosenIntervention, CycleResult } from '../agent/types';
import { appendAudit } from '../db/audit';
import { inTransaction, type Database } from '../db/client';
import { insertCycle, insertPatterns, lockAgentState, saveAgentState } from '../db/cycles';
import { removeDirective } from '../db/directives';
import { insertIntervention, interventionsWithStatus, lockIntervention, takeUnappliedEvents, type InterventionRow } from '../db/interventions';
import { addToOutbox } from '../db/outbox';
import { aggregateWindow } from '../db/windows';
import { moveIntervention, recordProposal } from './lifecycle';

export const cycleTopic = 'cycle';

export interface CycleDeps {
  db: Database;
  agent: AgentConfig;
  maxCatchUpWindows: number;
  logger: Logger;
  /** Wall clock for stored timestamps and approval deadlines; the core itself runs on event time. */
  now: () => Date;
  metrics: JobMetrics;
}

export interface WindowOutcome {
  result: CycleResult;
  /** Interventions that may run now without an operator (the execute worker takes them). */
  executable: string[];
  /** Windows too old to catch up, skipped before this one. */
  skipped: number;
}

const MS_PER_SECOND = 1000;

/**
 * Runs, in order, every window that is due up to `windowEnd` and has not run yet. Each window
 * is one transaction under the agent-state lock, so a duplicate job, a second worker or a
 * retry after a crash finds the window done and changes nothing.
 */
export async function runDueWindows(deps: CycleDeps, windowEnd: number): Promise<WindowOutcome[]> {
  const intervalMs = deps.agent.cycleIntervalSeconds * MS_PER_SECOND;
  const outcomes: WindowOutcome[] = [];
  for (;;) {
    const stopTimer = deps.metrics.cycleDuration.startTimer();
    const outcome = await inTransaction(deps.db, (client) => runNextWindow(client, deps, windowEnd, intervalMs));
    if (!outcome) return outcomes;
    // Counted after commit: a window rolled back and retried is counted once.
    stopTimer();
    deps.metrics.windowsSkipped.inc(outcome.skipped);
    for (const pattern of outcome.result.patterns) deps.metrics.patterns.inc({ type: pattern.type });
    outcomes.push(outcome);
  }
}

async function runNextWindow(client: PoolClient, deps: CycleDeps, windowEnd: number, intervalMs: number): Promise<WindowOutcome | null> {
  const stored = await lockAgentState(client, initialAgentState());
  let start = stored.windowEnd ?? windowEnd - intervalMs;
  if (start + intervalMs > windowEnd) return null;

  const oldestAllowed = windowEnd - deps.maxCatchUpWindows * intervalMs;
  let skipped = 0;
  if (start < oldestAllowed) {
    skipped = (oldestAllowed - start) / intervalMs;
    await appendAudit(client, {
      kind: 'cycle.skipped',
      actor: 'agent',
      subject: null,
      cycleNumber: stored.cycleNumber,
      data: { from: new Date(start).toISOString(), to: new Date(oldestAllowed).toISOString(), windows: skipped },
      at: deps.now(),
    });
    start = oldestAllowed;
  }

  const window = await aggregateWindow(deps.db, start, start + intervalMs, deps.agent.maxDimensionValues);
  const cycleNumber = stored.state.cycle + 1;
  const events = await takeUnappliedEvents(client, cycleNumber);
  const result = runCycle(stored.state, window, deps.agent, events);
  const now = deps.now();

  await insertCycle(client, result);
  await insertPatterns(client, result.patterns);
  const executable = await storeDecision(client, result, deps, now);
  await applyIncidentEvents(client, result, now);
  // Evaluations first: an intervention measured in its last window keeps its outcome when it expires.
  await applyEvaluations(client, result, now);
  await applyExpiries(client, result, now);
  await appendAudit(client, {
    kind: 'cycle.completed',
    actor: 'agent',
    subject: `cycle:${cycleNumber}`,
    cycleNumber,
    data: {
      windowStart: new Date(result.windowStart).toISOString(),
      windowEnd: new Date(result.windowEnd).toISOString(),
      transactions: result.metrics.system.volume,
      decision: result.decision.kind,
      reason: result.decision.reason,
      patterns: result.patterns.map((p) => ({ type: p.type, target: p.target, zScore: p.zScore })),
      eventsApplied: events.length,
    },
    at: now,
  });
  await addToOutbox(client, cycleTopic, { number: cycleNumber });
  await saveAgentState(client, { cycleNumber, windowEnd: result.windowEnd, state: result.state });
  deps.logger.info({ cycle: cycleNumber, decision: result.decision.kind, patterns: result.patterns.length }, 'cycle completed');
  return { result, executable, skipped };
}

async function storeDecision(client: PoolClient, result: CycleResult, deps: CycleDeps, now: Date): Promise<string[]> {
  const executable: string[] = [];
  for (const chosen of result.decision.chosen) {
    const row = interventionRow(chosen, result, deps, now);
    if (!(await insertIntervention(client, row))) continue;
    await recordProposal(client, row, now, result.cycleNumber);
    if (row.status === 'PROPOSED') executable.push(row.id);
  }
  for (const refused of result.decision.refused) {
    await appendAudit(client, {
      kind: 'option.refused',
      actor: 'agent',
      subject: refused.option.id,
      cycleNumber: result.cycleNumber,
      data: { action: refused.option.action, target: refused.option.target, nrv: refused.option.nrv.nrv, reason: refused.reason },
      at: now,
    });
  }
  return executable;
}

function interventionRow(chosen: ChosenIntervention, result: CycleResult, deps: CycleDeps, now: Date): InterventionRow {
  const { record, option, preMortem } = chosen;
  return {
    id: record.id,
    cycle_number: result.cycleNumber,
    action: record.action,
    target: record.target,
    subject: record.subject,
    params: record.params,
    status: record.status,
    nrv: option.nrv.nrv,
    option,
    // The options it beat, with their NRV breakdowns, so the choice explains itself.
    alternatives: result.options.filter((other) => other.id !== option.id),
    pre_mortem: preMortem,
    hypothesis: result.hypotheses.find((h) => h.id === option.hypothesisId) ?? null,
    blast_radius: record.blastRadius,
    requires_approval: record.requiresApproval,
    heartbeat: record.heartbeat,
    turned_away: record.turnedAway,
    ttl_seconds: record.ttlSeconds,
    approved_scope: null,
    created_at: now,
    approval_expires_at: record.status === 'AWAITING_APPROVAL' ? new Date(approvalEndsAt(now.getTime(), deps.agent)) : null,
    executed_at: null,
    expires_at: record.status === 'SHADOW' ? new Date(expiresAtOf(now.getTime(), record.ttlSeconds)) : null,
    outcome: null,
    updated_at: now,
  };
}

/** A target that has recovered is released before its TTL: its directives stop at once. */
async function applyIncidentEvents(client: PoolClient, result: CycleResult, now: Date): Promise<void> {
  const resolved = new Set(result.incidentEvents.filter((e) => e.type === 'resolved').map((e) => e.incident.target));
  for (const event of result.incidentEvents) {
    await appendAudit(client, {
      kind: `incident.${event.type}`,
      actor: 'agent',
      subject: event.incident.target,
      cycleNumber: result.cycleNumber,
      data: { type: event.incident.type, target: event.incident.target, peakZScore: event.incident.peakZScore, windowsSeen: event.incident.windowsSeen },
      at: now,
    });
  }
  if (resolved.size === 0) return;
  for (const row of await interventionsWithStatus(client, IN_FORCE_STATUSES)) {
    if (row.action === 'ALERT_OPS' || !resolved.has(row.subject)) continue;
    const locked = await lockIntervention(client, row.id);
    if (!locked || !canMove(locked.status, 'EXPIRED')) continue;
    const reason = `released early: ${row.subject} recovered`;
    // Not marked as applied: the core learns of the release from the next cycle's events.
    await moveIntervention(client, locked, { to: 'EXPIRED', actor: 'agent', reason, at: now });
    await removeDirective(client, row.id, reason, now);
  }
}

/** Mirrors the core's own expiries (TTL or approval window run out in event time). */
async function applyExpiries(client: PoolClient, result: CycleResult, now: Date): Promise<void> {
  for (const record of result.expired) {
    const locked = await lockIntervention(client, record.id);
    if (!locked || !canMove(locked.status, 'EXPIRED')) continue;
    const reason = expiryReason(locked.status);
    await moveIntervention(client, locked, { to: 'EXPIRED', actor: 'agent', reason, at: now, appliedCycle: result.cycleNumber });
    await removeDirective(client, record.id, reason, now);
  }
}

/** Stores each outcome the learning stage measured, and rolls back what made things worse. */
async function applyEvaluations(client: PoolClient, result: CycleResult, now: Date): Promise<void> {
  for (const evaluation of result.evaluations) {
    const locked = await lockIntervention(client, evaluation.interventionId);
    if (!locked || !canMove(locked.status, 'EVALUATED')) continue;
    const evaluated = await moveIntervention(client, locked, {
      to: 'EVALUATED',
      actor: 'agent',
      reason: evaluation.reason,
      at: now,
      fields: { outcome: evaluation },
      appliedCycle: result.cycleNumber,
    });
    if (!evaluation.rollbackRecommended) continue;
    const reason = `automatic rollback: ${evaluation.reason}`;
    await moveIntervention(client, evaluated, { to: 'ROLLED_BACK', actor: 'agent', reason, at: now });
    await removeDirective(client, evaluated.id, reason, now);
  }
}
