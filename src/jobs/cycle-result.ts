// Writes what one cycle of the core decided into the database, inside the cycle's transaction:
// the cycle and its patterns, new proposals, the status changes the core made (evaluations,
// rollbacks, expiries, releases), the audit entries and the events that announce them.
import type { PoolClient } from 'pg';
import {
  approvalEndsAt,
  byNrv,
  canMove,
  expiresAtOf,
  expiryReason,
  IN_FORCE_STATUSES,
  type AgentConfig,
  type ChosenIntervention,
  type CycleResult,
  type ValuedOption,
} from '../agent';
import { appendAudit } from '../db/audit';
import { insertCycle, insertPatterns } from '../db/cycles';
import { removeDirective } from '../db/directives';
import { insertIntervention, interventionsWithStatus, lockIntervention, type NewIntervention } from '../db/interventions';
import { addToOutbox } from '../db/outbox';
import { moveIntervention, recordProposal } from '../interventions/transitions';

export const cycleTopic = 'cycle';

/** Runners-up an intervention row keeps; the cycle's own row keeps every option it weighed. */
const keptAlternatives = 5;

/**
 * The options the chosen one beat, best first, with their NRV breakdowns, so the choice explains
 * itself: at most `keptAlternatives`, so a row does not copy every option of a wide incident's cycle.
 */
export const alternativesTo = (options: readonly ValuedOption[], chosenId: string): ValuedOption[] =>
  options
    .filter((other) => other.id !== chosenId)
    .sort(byNrv)
    .slice(0, keptAlternatives);

/** Stores the cycle's result; returns the interventions that may run now without an operator. */
export async function writeCycleResult(client: PoolClient, result: CycleResult, agent: AgentConfig, eventsApplied: number, now: Date): Promise<string[]> {
  await insertCycle(client, result);
  await insertPatterns(client, result.patterns);
  const executable = await storeDecision(client, result, agent, now);
  await applyIncidentEvents(client, result, now);
  // Evaluations first: an intervention measured in its last window keeps its outcome when it expires.
  await applyEvaluations(client, result, now);
  await applyExpiries(client, result, now);
  await appendAudit(client, {
    kind: 'cycle.completed',
    actor: 'agent',
    subject: `cycle:${result.cycleNumber}`,
    cycleNumber: result.cycleNumber,
    data: {
      windowStart: new Date(result.windowStart).toISOString(),
      windowEnd: new Date(result.windowEnd).toISOString(),
      transactions: result.metrics.system.volume,
      decision: result.decision.kind,
      reason: result.decision.reason,
      patterns: result.patterns.map((p) => ({ type: p.type, target: p.target, zScore: p.zScore })),
      eventsApplied,
    },
    at: now,
  });
  await addToOutbox(client, cycleTopic, { number: result.cycleNumber });
  return executable;
}

async function storeDecision(client: PoolClient, result: CycleResult, agent: AgentConfig, now: Date): Promise<string[]> {
  const executable: string[] = [];
  for (const chosen of result.decision.chosen) {
    const row = interventionRow(chosen, result, agent, now);
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

function interventionRow(chosen: ChosenIntervention, result: CycleResult, agent: AgentConfig, now: Date): NewIntervention {
  const { record, option, preMortem } = chosen;
  return {
    id: record.id,
    cycleNumber: result.cycleNumber,
    action: record.action,
    target: record.target,
    subject: record.subject,
    params: record.params,
    status: record.status,
    nrv: option.nrv.nrv,
    option,
    alternatives: alternativesTo(result.options, option.id),
    preMortem,
    hypothesis: result.hypotheses.find((h) => h.id === option.hypothesisId) ?? null,
    blastRadius: record.blastRadius,
    requiresApproval: record.requiresApproval,
    heartbeat: record.heartbeat,
    turnedAway: record.turnedAway,
    ttlSeconds: record.ttlSeconds,
    createdAt: now,
    approvalExpiresAt: record.status === 'AWAITING_APPROVAL' ? new Date(approvalEndsAt(now.getTime(), agent)) : null,
    // A shadow decision holds its target for its TTL as if it ran.
    expiresAt: record.status === 'SHADOW' ? new Date(expiresAtOf(now.getTime(), record.ttlSeconds)) : null,
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
