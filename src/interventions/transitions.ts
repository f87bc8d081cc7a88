// The one way an intervention's status changes: guarded by the core's lifecycle, and recorded
// (transition, audit entry, event) in the same transaction as the change.
import { canMove, type InterventionStatus } from '../agent';
import type { Client } from '../db/client';
import { appendAudit } from '../db/audit';
import { insertTransition, updateInterventionStatus, type InterventionRow, type StatusFields } from '../db/interventions';
import { addToOutbox } from '../db/outbox';
import { Conflict } from '../errors';

export const interventionTopic = 'intervention';

export interface InterventionEventMessage {
  type: InterventionStatus;
  at: string;
  interventionId: string;
  actor: string;
  reason: string | null;
}

export interface Move {
  to: InterventionStatus;
  actor: string;
  reason: string | null;
  at: Date;
  fields?: StatusFields;
  /** Set when the agent itself made the change inside a cycle, so it is not fed back to it. */
  appliedCycle?: number;
}

/**
 * Moves a locked intervention to its next status: the row, its transition (who, when, why),
 * the audit entry and the event all land in the caller's transaction.
 */
export async function moveIntervention(client: Client, row: InterventionRow, move: Move): Promise<InterventionRow> {
  if (!canMove(row.status, move.to)) {
    throw new Conflict(`intervention ${row.id} is ${row.status}; it cannot become ${move.to}`, row.status);
  }
  await updateInterventionStatus(client, row.id, move.to, move.fields ?? {}, move.at);
  await insertTransition(client, {
    interventionId: row.id,
    fromStatus: row.status,
    toStatus: move.to,
    actor: move.actor,
    reason: move.reason,
    at: move.at,
    appliedCycle: move.appliedCycle,
  });
  await announce(client, row, { from: row.status, ...move });
  return { ...row, ...move.fields, status: move.to, updatedAt: move.at };
}

/** Records the first status of a new intervention the same way every later one is recorded. */
export async function recordProposal(client: Client, row: Announced & Pick<InterventionRow, 'status'>, at: Date, cycleNumber: number): Promise<void> {
  await insertTransition(client, {
    interventionId: row.id,
    fromStatus: null,
    toStatus: row.status,
    actor: 'agent',
    reason: null,
    at,
    appliedCycle: cycleNumber,
  });
  await announce(client, row, { from: null, to: row.status, actor: 'agent', reason: null, at });
}

/** What the audit entry and the event name an intervention by. */
type Announced = Pick<InterventionRow, 'id' | 'cycleNumber' | 'action' | 'target' | 'heartbeat'>;

async function announce(
  client: Client,
  row: Announced,
  change: { from: InterventionStatus | null; to: InterventionStatus; actor: string; reason: string | null; at: Date },
): Promise<void> {
  await appendAudit(client, {
    kind: `intervention.${change.to.toLowerCase()}`,
    actor: change.actor,
    subject: row.id,
    cycleNumber: row.cycleNumber,
    data: { from: change.from, to: change.to, reason: change.reason, action: row.action, target: row.target, heartbeat: row.heartbeat },
    at: change.at,
  });
  const message: InterventionEventMessage = {
    type: change.to,
    at: change.at.toISOString(),
    interventionId: row.id,
    actor: change.actor,
    reason: change.reason,
  };
  await addToOutbox(client, interventionTopic, message);
}
