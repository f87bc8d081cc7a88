import { EXPIRABLE_STATUSES, REPORTED_STATUSES, isDue, runScope, type ApprovedScope, type Deadlines } from '../agent/lifecycle';
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

type ReportedTransition = TransitionRow & Pick<InterventionRow, 'params' | 'ttl_seconds' | 'approved_scope'>;

/**
 * The status changes the agent has not yet seen, marked as seen by `cycle` in the same
 * transaction, so each reaches the core exactly once and in order. An execution carries the scope
 * that ran (the proposal narrowed by any approval), so the core never assumes the proposal's.
 */
export async function takeUnappliedEvents(client: Queryable, cycle: number): Promise<InterventionEvent[]> {
  const result = await client.query<ReportedTransition>(
    `UPDATE intervention_transitions t SET applied_cycle = $1
     FROM interventions i
     WHERE t.applied_cycle IS NULL AND i.id = t.intervention_id
     RETURNING t.*, i.params, i.ttl_seconds, i.approved_scope`,
    [cycle],
  );
  return result.rows
    .sort((a, b) => a.id - b.id)
    .filter((row) => REPORTED_STATUSES.includes(row.to_status))
    .map(eventOf);
}

function eventOf(row: ReportedTransition): InterventionEvent {
  const base = { interventionId: row.intervention_id, at: row.at.getTime() };
  switch (row.to_status) {
    case 'EXECUTED':
      return { type: 'EXECUTED', ...base, scope: runScope({ params: row.params, ttlSeconds: row.ttl_seconds }, row.approved_scope) };
    case 'REJECTED':
    case 'ROLLED_BACK':
      return { type: row.to_status, ...base, ...(row.reason ? { reason: row.reason } : {}) };
    default:
      return { type: row.to_status as 'APPROVED' | 'EXPIRED', ...base };
  }
}

/** A row's two clocks, for the one expiry rule. */
export const deadlinesOf = (row: Pick<InterventionRow, 'approval_expires_at' | 'expires_at'>): Deadlines => ({
  approvalEndsAt: row.approval_expires_at?.getTime() ?? null,
  expiresAt: row.expires_at?.getTime() ?? null,
});

export async function interventionsWithStatus(client: Queryable, statuses: readonly InterventionStatus[]): Promise<InterventionRow[]> {
  const result = await client.query<InterventionRow>('SELECT * FROM interventions WHERE status = ANY($1) ORDER BY created_at, id', [statuses]);
  return result.rows;
}

/** Interventions the expiry rule ends by `now`: pending approvals whose time is up, running ones whose TTL is. */
export async function dueForExpiry(client: Queryable, now: Date): Promise<InterventionRow[]> {
  // The query narrows to rows with a clock run out; the rule decides which clock counts.
  const result = await client.query<InterventionRow>(
    `SELECT * FROM interventions
     WHERE status = ANY($2) AND (approval_expires_at <= $1 OR expires_at <= $1)
     ORDER BY id`,
    [now, EXPIRABLE_STATUSES],
  );
  return result.rows.filter((row) => isDue(row.status, deadlinesOf(row), now.getTime()));
}

export async function transitionsOf(client: Queryable, id: string): Promise<TransitionRow[]> {
  const result = await client.query<TransitionRow>('SELECT * FROM intervention_transitions WHERE intervention_id = $1 ORDER BY id', [id]);
  return result.rows;
}

export async function getIntervention(client: Queryable, id: string): Promise<InterventionRow | undefined> {
  const result = await client.query<InterventionRow>('SELECT * FROM interventions WHERE id = $1', [id]);
  return result.rows[0];
}
