// Reads of interventions for the GraphQL API: pages for lists, batches for its loaders.
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { InterventionStatus } from '../agent';
import { on, type Client } from './client';
import type { InterventionRow, TransitionRow } from './interventions';
import { interventions, interventionTransitions } from './schema';

/** Newest first; `beforeId` pages further back from that intervention (ties on time broken by id). */
export async function interventionsPage(client: Client, page: { limit: number; status?: InterventionStatus; beforeId?: string }): Promise<InterventionRow[]> {
  const conditions: SQL[] = [];
  if (page.status) conditions.push(eq(interventions.status, page.status));
  if (page.beforeId !== undefined) {
    conditions.push(sql`(${interventions.createdAt}, ${interventions.id}) < (SELECT created_at, id FROM interventions WHERE id = ${page.beforeId})`);
  }
  return on(client)
    .select()
    .from(interventions)
    .where(and(...conditions))
    .orderBy(desc(interventions.createdAt), desc(interventions.id))
    .limit(page.limit);
}

export async function interventionsByIds(client: Client, ids: readonly string[]): Promise<InterventionRow[]> {
  return on(client)
    .select()
    .from(interventions)
    .where(inArray(interventions.id, [...ids]));
}

export async function interventionsOfCycles(client: Client, cycleNumbers: readonly number[]): Promise<InterventionRow[]> {
  return on(client)
    .select()
    .from(interventions)
    .where(inArray(interventions.cycleNumber, [...cycleNumbers]))
    .orderBy(asc(interventions.createdAt), asc(interventions.id));
}

/** Every status change of each intervention, oldest first. */
export async function transitionsOfMany(client: Client, ids: readonly string[]): Promise<TransitionRow[]> {
  return on(client)
    .select()
    .from(interventionTransitions)
    .where(inArray(interventionTransitions.interventionId, [...ids]))
    .orderBy(asc(interventionTransitions.id));
}
