// Interventions and their transitions, in the shapes the drizzle schema defines.
import { and, asc, eq, inArray, isNull, lte, or } from 'drizzle-orm';
import { EXPIRABLE_STATUSES, isDue, REPORTED_STATUSES, runScope, type Deadlines, type InterventionEvent, type InterventionStatus } from '../agent';
import { on, type Client } from './client';
import { interventions, interventionTransitions } from './schema';

export type InterventionRow = typeof interventions.$inferSelect;
/** A proposal as the cycle stores it: the later fields (execution, outcome, approval) are filled by its transitions. */
export type NewIntervention = Omit<typeof interventions.$inferInsert, 'approvedScope' | 'executedAt' | 'outcome' | 'updatedAt'> &
  Pick<InterventionRow, 'createdAt' | 'heartbeat'>;
export type TransitionRow = typeof interventionTransitions.$inferSelect;

/** Inserts a proposal; an id already stored (a retried cycle) is left as it is. Returns whether it was new. */
export async function insertIntervention(client: Client, row: NewIntervention): Promise<boolean> {
  const inserted = await on(client)
    .insert(interventions)
    .values({ ...row, updatedAt: row.createdAt })
    .onConflictDoNothing()
    .returning({ id: interventions.id });
  return inserted.length > 0;
}

/** The row, locked until the caller's transaction ends, so two status changes cannot interleave. */
export async function lockIntervention(client: Client, id: string): Promise<InterventionRow | undefined> {
  const [row] = await on(client).select().from(interventions).where(eq(interventions.id, id)).for('update');
  return row;
}

export type StatusFields = Partial<Pick<InterventionRow, 'executedAt' | 'expiresAt' | 'outcome' | 'approvedScope'>>;

/** A field left out keeps its stored value. */
export async function updateInterventionStatus(client: Client, id: string, status: InterventionStatus, fields: StatusFields, at: Date): Promise<void> {
  await on(client)
    .update(interventions)
    .set({ ...fields, status, updatedAt: at })
    .where(eq(interventions.id, id));
}

export async function insertTransition(client: Client, transition: Omit<typeof interventionTransitions.$inferInsert, 'id'>): Promise<void> {
  await on(client).insert(interventionTransitions).values(transition);
}

/**
 * The status changes the agent has not yet seen, marked as seen by `cycle` in the same
 * transaction, so each reaches the core exactly once and in order. An execution carries the scope
 * that ran (the proposal narrowed by any approval), so the core never assumes the proposal's.
 */
export async function takeUnappliedEvents(client: Client, cycle: number): Promise<InterventionEvent[]> {
  const rows = await on(client)
    .update(interventionTransitions)
    .set({ appliedCycle: cycle })
    .from(interventions)
    .where(and(isNull(interventionTransitions.appliedCycle), eq(interventions.id, interventionTransitions.interventionId)))
    .returning({
      id: interventionTransitions.id,
      interventionId: interventionTransitions.interventionId,
      to: interventionTransitions.toStatus,
      reason: interventionTransitions.reason,
      at: interventionTransitions.at,
      params: interventions.params,
      ttlSeconds: interventions.ttlSeconds,
      approvedScope: interventions.approvedScope,
    });
  return rows
    .sort((a, b) => a.id - b.id)
    .filter((row) => REPORTED_STATUSES.includes(row.to))
    .map(eventOf);
}

type ReportedTransition = Pick<TransitionRow, 'interventionId' | 'reason' | 'at'> &
  Pick<InterventionRow, 'params' | 'ttlSeconds' | 'approvedScope'> & { to: InterventionStatus };

function eventOf(row: ReportedTransition): InterventionEvent {
  const base = { interventionId: row.interventionId, at: row.at.getTime() };
  switch (row.to) {
    case 'EXECUTED':
      return { type: 'EXECUTED', ...base, scope: runScope(row, row.approvedScope) };
    case 'REJECTED':
    case 'ROLLED_BACK':
      return { type: row.to, ...base, ...(row.reason ? { reason: row.reason } : {}) };
    default:
      return { type: row.to as 'APPROVED' | 'EXPIRED', ...base };
  }
}

/** A row's two clocks, for the one expiry rule. */
export const deadlinesOf = (row: Pick<InterventionRow, 'approvalExpiresAt' | 'expiresAt'>): Deadlines => ({
  approvalEndsAt: row.approvalExpiresAt?.getTime() ?? null,
  expiresAt: row.expiresAt?.getTime() ?? null,
});

export async function interventionsWithStatus(client: Client, statuses: readonly InterventionStatus[]): Promise<InterventionRow[]> {
  return on(client)
    .select()
    .from(interventions)
    .where(inArray(interventions.status, [...statuses]))
    .orderBy(asc(interventions.createdAt), asc(interventions.id));
}

/** Interventions the expiry rule ends by `now`: pending approvals whose time is up, running ones whose TTL is. */
export async function dueForExpiry(client: Client, now: Date): Promise<InterventionRow[]> {
  // The query narrows to rows with a clock run out; the rule decides which clock counts.
  const candidates = await on(client)
    .select()
    .from(interventions)
    .where(and(inArray(interventions.status, [...EXPIRABLE_STATUSES]), or(lte(interventions.approvalExpiresAt, now), lte(interventions.expiresAt, now))))
    .orderBy(asc(interventions.id));
  return candidates.filter((row) => isDue(row.status, deadlinesOf(row), now.getTime()));
}

export async function transitionsOf(client: Client, id: string): Promise<TransitionRow[]> {
  return on(client).select().from(interventionTransitions).where(eq(interventionTransitions.interventionId, id)).orderBy(asc(interventionTransitions.id));
}

export async function getIntervention(client: Client, id: string): Promise<InterventionRow | undefined> {
  const [row] = await on(client).select().from(interventions).where(eq(interventions.id, id));
  return row;
}
