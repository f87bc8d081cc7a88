import type { InterventionEvent, InterventionStatus, Params, TurnedAway } from '../agent/types';
import type { Queryable } from './client';

export interface InterventionRow {
  id: string;
  cycle_number: number;
  action: string;
  target: string;
  subject: string;
  params: Params;
  status: InterventionStatus;
  nrv: number;
  option: unknown;
  alternatives: unknown;
  pre_mortem: unknown;
  hypothesis: unknown;
  blast_radius: number;
  requires_approval: boolean;
  heartbeat: boolean;
  turned_away: TurnedAway;
  ttl_seconds: number;
  approved_scope: ApprovedScope | null;
  created_at: Date;
  approval_expires_at: Date | null;
  executed_at: Date | null;
  expires_at: Date | null;
  outcome: unknown;
  updated_at: Date;
}

/** What an operator may narrow when approving: a shorter TTL, a smaller share of traffic. */
export interface ApprovedScope {
  ttlSeconds?: number;
  trafficShare?: number;
}

export type NewIntervention = Pick<
  InterventionRow,
  'id' | 'cycle_number' | 'action' | 'target' | 'subject' | 'params' | 'status' | 'nrv' | 'option' | 'alternatives' | 'pre_mortem' | 'hypothesis' | 'blast_radius' | 'requires_approval' | 'heartbeat' | 'turned_away' | 'ttl_seconds' | 'created_at' | 'approval_expires_at'
>;

/** Inserts a proposal; an id already stored (a retried cycle) is left as it is. Returns whether it was new. */
export async function insertIntervention(client: Queryable, row: NewIntervention): Promise<boolean> {
  const result = await client.query(
    `INSERT INTO interventions (id, cycle_number, action, target, subject, params, status, nrv, option, alternatives,
       pre_mortem, hypothesis, blast_radius, requires_approval, ttl_seconds, created_at, approval_expires_at, heartbeat, turned_away, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $16)
     ON CONFLICT (id) DO NOTHING`,
    [
      row.id, row.cycle_number, row.action, row.target, row.subject, JSON.stringify(row.params), row.status, row.nrv,
      JSON.stringify(row.option), JSON.stringify(row.alternatives), JSON.stringify(row.pre_mortem), JSON.stringify(row.hypothesis),
      row.blast_radius, row.requires_approval, row.ttl_seconds, row.created_at, row.approval_expires_at, row.heartbeat, JSON.stringify(row.turned_away),
    ],
  );
  return (result.rowCount ?? 0) > 0;
}

/** The row, locked until the caller's transaction ends, so two status changes cannot interleave. */
export async function lockIntervention(client: Queryable, id: string): Promise<InterventionRow | undefined> {
  const result = await client.query<InterventionRow>('SELECT * FROM interventions WHERE id = $1 FOR UPDATE', [id]);
  return result.rows[0];
}

export type StatusFields = Partial<Pick<InterventionRow, 'executed_at' | 'expires_at' | 'outcome' | 'approved_scope'>>;

export async function updateInterventionStatus(client: Queryable, id: string, status: InterventionStatus, fields: StatusFields, at: Date): Promise<void> {
  await client.query(
    `UPDATE interventions SET status = $2, updated_at = $3,
       executed_at = COALESCE($4, executed_at), expires_at = COALESCE($5, expires_at),
       outcome = COALESCE($6, outcome), approved_scope = COALESCE($7, approved_scope)
     WHERE id = $1`,
    [
      id, status, at, fields.executed_at ?? null, fields.expires_at ?? null,
      fields.outcome === undefined ? null : JSON.stringify(fields.outcome),
      fields.approved_scope === undefined ? null : JSON.stringify(fields.approved_scope),
    ],
  );
}

export interface TransitionRow {
  id: number;
  intervention_id: string;
  from_status: InterventionStatus | null;
  to_status: InterventionStatus;
  actor: string;
  reason: string | null;
  at: Date;
  applied_cycle: number | null;
}

export async function insertTransition(
  client: Queryable,
  transition: { interventionId: string; from: InterventionStatus | null; to: InterventionStatus; actor: string; reason: string | null; at: Date; appliedCycle?: number },
): Promise<void> {
  await client.query(
    'INSERT INTO intervention_transitions (intervention_id, from_status, to_status, actor, reason, at, applied_cycle) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [transition.interventionId, transition.from, transition.to, transition.actor, transition.reason, transition.at, transition.appliedCycle ?? null],
  );
}

const reportedStatuses = new Set<InterventionStatus>(['APPROVED', 'EXECUTED', 'REJECTED', 'EXPIRED', 'ROLLED_BACK']);

/**
 * The status changes the agent has not yet seen, marked as seen by `cycle` in the same
 * transaction, so each reaches the core exactly once and in order.
 */
export async function takeUnappliedEvents(client: Queryable, cycle: number): Promise<InterventionEvent[]> {
  const result = await client.query<TransitionRow>(
    `UPDATE intervention_transitions SET applied_cycle = $1
     WHERE applied_cycle IS NULL RETURNING *`,
    [cycle],
  );
  return result.rows
    .sort((a, b) => a.id - b.id)
    .filter((row) => reportedStatuses.has(row.to_status))
    .map((row) => ({ type: row.to_status, interventionId: row.intervention_id, at: row.at.getTime(), ...(row.reason ? { reason: row.reason } : {}) }) as InterventionEvent);
}

export async function interventionsWithStatus(client: Queryable, statuses: readonly InterventionStatus[]): Promise<InterventionRow[]> {
  const result = await client.query<InterventionRow>('SELECT * FROM interventions WHERE status = ANY($1) ORDER BY created_at, id', [statuses]);
  return result.rows;
}

/** Pending approvals whose time is up, and running interventions whose TTL is. */
export async function dueForExpiry(client: Queryable, now: Date): Promise<InterventionRow[]> {
  const result = await client.query<InterventionRow>(
    `SELECT * FROM interventions
     WHERE (status = 'AWAITING_APPROVAL' AND approval_expires_at <= $1)
        OR (status IN ('EXECUTED', 'EVALUATED', 'SHADOW') AND expires_at <= $1)
     ORDER BY id`,
    [now],
  );
  return result.rows;
}

export async function transitionsOf(client: Queryable, id: string): Promise<TransitionRow[]> {
  const result = await client.query<TransitionRow>('SELECT * FROM intervention_transitions WHERE intervention_id = $1 ORDER BY id', [id]);
  return result.rows;
}

export async function getIntervention(client: Queryable, id: string): Promise<InterventionRow | undefined> {
  const result = await client.query<InterventionRow>('SELECT * FROM interventions WHERE id = $1', [id]);
  return result.rows[0];
}
