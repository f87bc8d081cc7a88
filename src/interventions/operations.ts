// What can be done to an intervention, by an operator (approve, reject, roll back) or by the
// service (execute, expire): each one transaction that moves the row and its directive together.
import type { Logger } from 'pino';
import { canMove, directiveParams, expiresAtOf, expiryReason, isDue, isInForce, runScope, type ApprovedScope } from '../agent';
import { inTransaction, type Database } from '../db/client';
import { insertDirective, removeDirective } from '../db/directives';
import { deadlinesOf, dueForExpiry, lockIntervention, type InterventionRow } from '../db/interventions';
import { insertWebhookDeliveries } from '../db/webhooks';
import { Conflict, NotFound, ValidationError } from '../errors';
import { moveIntervention } from './transitions';

/**
 * An alert is a page, except the minimum-action-frequency rule's heartbeat: a distinct event
 * type, so paging tools can drop or log heartbeats instead of waking someone.
 */
export type AlertEvent = 'ops.alert' | 'ops.heartbeat';
export const alertEvent = (heartbeat: boolean): AlertEvent => (heartbeat ? 'ops.heartbeat' : 'ops.alert');

export interface ActionSettings {
  probeShare: number;
  webhooks: readonly string[];
}

/** Who did it, as stored in transitions and the audit log; never the key itself. */
export type Actor = string;

async function locked(client: Parameters<typeof lockIntervention>[0], id: string): Promise<InterventionRow> {
  const row = await lockIntervention(client, id);
  if (!row) throw new NotFound(`intervention ${id}`);
  return row;
}

export interface Execution {
  executed: boolean;
  webhookDeliveries: number[];
}

/**
 * Puts an autonomous or approved intervention into force: a routing directive with its TTL,
 * or the ops alerts. Anything not waiting to run is left alone, so a retried job is harmless.
 */
export async function executeIntervention(db: Database, id: string, settings: ActionSettings, now: Date): Promise<Execution> {
  return inTransaction(db, async (client) => {
    const row = await lockIntervention(client, id);
    if (!row || !canMove(row.status, 'EXECUTED')) return { executed: false, webhookDeliveries: [] };
    const scope = runScope(row, row.approvedScope);
    const expiresAt = new Date(expiresAtOf(now.getTime(), scope.ttlSeconds));
    let webhookDeliveries: number[] = [];
    if (row.action === 'ALERT_OPS') {
      const payload = {
        event: alertEvent(row.heartbeat),
        heartbeat: row.heartbeat,
        interventionId: row.id,
        action: row.action,
        subject: row.subject,
        params: row.params,
        nrv: row.nrv,
        hypothesis: row.hypothesis,
        at: now.toISOString(),
      };
      webhookDeliveries = await insertWebhookDeliveries(client, row.id, settings.webhooks, payload);
    } else {
      await insertDirective(client, {
        intervention_id: row.id,
        action: row.action,
        target: row.target,
        params: directiveParams(row.action, row.params, settings.probeShare, scope.trafficShare),
        created_at: now,
        expires_at: expiresAt,
      });
    }
    await moveIntervention(client, row, { to: 'EXECUTED', actor: 'agent', reason: null, at: now, fields: { executedAt: now, expiresAt } });
    return { executed: true, webhookDeliveries };
  });
}

/** An operator's yes. A smaller scope (shorter TTL, smaller share of traffic) may come with it. */
export async function approveIntervention(
  db: Database,
  id: string,
  actor: Actor,
  note: string | null,
  scope: ApprovedScope,
  now: Date,
): Promise<InterventionRow> {
  const outcome = await inTransaction(db, async (client) => {
    const row = await locked(client, id);
    if (row.status === 'AWAITING_APPROVAL' && isDue(row.status, deadlinesOf(row), now.getTime())) {
      await moveIntervention(client, row, { to: 'EXPIRED', actor: 'agent', reason: expiryReason(row.status), at: now });
      return { expired: true as const };
    }
    if (row.status !== 'AWAITING_APPROVAL') throw new Conflict(`intervention ${id} is ${row.status}, not awaiting approval`, row.status);
    validateScope(row, scope);
    const hasScope = scope.ttlSeconds !== undefined || scope.trafficShare !== undefined;
    return {
      expired: false as const,
      row: await moveIntervention(client, row, { to: 'APPROVED', actor, reason: note, at: now, fields: hasScope ? { approvedScope: scope } : {} }),
    };
  });
  // The expiry is committed before the refusal is reported, so the operator sees the truth.
  if (outcome.expired) throw new Conflict(`intervention ${id} expired before it was approved`, 'EXPIRED');
  return outcome.row;
}

function validateScope(row: InterventionRow, scope: ApprovedScope): void {
  const problems = [];
  if (scope.ttlSeconds !== undefined && !(Number.isInteger(scope.ttlSeconds) && scope.ttlSeconds > 0 && scope.ttlSeconds <= row.ttlSeconds)) {
    problems.push({ field: 'ttlSeconds', reason: `must be a whole number of seconds from 1 to the proposed ${row.ttlSeconds}` });
  }
  if (scope.trafficShare !== undefined && !(scope.trafficShare > 0 && scope.trafficShare <= 1)) {
    problems.push({ field: 'trafficShare', reason: 'must be above 0 and at most 1' });
  }
  if (problems.length) throw new ValidationError(problems, 'an approval may only narrow the proposal');
}

export async function rejectIntervention(db: Database, id: string, actor: Actor, reason: string, now: Date): Promise<InterventionRow> {
  return inTransaction(db, async (client) => {
    const row = await locked(client, id);
    if (row.status !== 'AWAITING_APPROVAL') throw new Conflict(`intervention ${id} is ${row.status}, not awaiting approval`, row.status);
    return moveIntervention(client, row, { to: 'REJECTED', actor, reason, at: now });
  });
}

export async function rollbackIntervention(db: Database, id: string, actor: Actor, reason: string, now: Date): Promise<InterventionRow> {
  return inTransaction(db, async (client) => {
    const row = await locked(client, id);
    if (!isInForce(row.status)) throw new Conflict(`intervention ${id} is ${row.status}; only one in force can be rolled back`, row.status);
    const rolledBack = await moveIntervention(client, row, { to: 'ROLLED_BACK', actor, reason, at: now });
    await removeDirective(client, id, `rolled back: ${reason}`, now);
    return rolledBack;
  });
}

/** Pending approvals and TTLs that have run out by the wall clock; each expiry also ends its directive. */
export async function expireDue(db: Database, now: Date, logger: Logger): Promise<number> {
  const due = await inTransaction(db, (client) => dueForExpiry(client, now));
  for (const candidate of due) {
    await inTransaction(db, async (client) => {
      const row = await lockIntervention(client, candidate.id);
      if (!row || row.status !== candidate.status) return;
      const reason = expiryReason(row.status);
      await moveIntervention(client, row, { to: 'EXPIRED', actor: 'agent', reason, at: now });
      await removeDirective(client, row.id, reason, now);
    });
    logger.info({ intervention: candidate.id }, 'intervention expired');
  }
  return due.length;
}
