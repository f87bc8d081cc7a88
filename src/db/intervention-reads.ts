// Reads of interventions for the GraphQL API: pages for lists, batches for its loaders.
import type { InterventionStatus } from '../agent/types';
import type { Queryable } from './client';
import type { InterventionRow, TransitionRow } from './interventions';

/** Newest first; `beforeId` pages further back from that intervention (ties on time broken by id). */
export async function interventionsPage(
  client: Queryable,
  page: { limit: number; status?: InterventionStatus; beforeId?: string },
): Promise<InterventionRow[]> {
  const result = await client.query<InterventionRow>(
    `SELECT * FROM interventions
     WHERE ($2::text IS NULL OR status = $2)
       AND ($3::text IS NULL OR (created_at, id) < (SELECT created_at, id FROM interventions WHERE id = $3))
     ORDER BY created_at DESC, id DESC LIMIT $1`,
    [page.limit, page.status ?? null, page.beforeId ?? null],
  );
  return result.rows;
}

export async function interventionsByIds(client: Queryable, ids: readonly string[]): Promise<InterventionRow[]> {
  const result = await client.query<InterventionRow>('SELECT * FROM interventions WHERE id = ANY($1)', [ids]);
  return result.rows;
}

export async function interventionsOfCycles(client: Queryable, cycleNumbers: readonly number[]): Promise<InterventionRow[]> {
  const result = await client.query<InterventionRow>('SELECT * FROM interventions WHERE cycle_number = ANY($1) ORDER BY created_at, id', [cycleNumbers]);
  return result.rows;
}

/** Every status change of each intervention, oldest first. */
export async function transitionsOfMany(client: Queryable, ids: readonly string[]): Promise<TransitionRow[]> {
  const result = await client.query<TransitionRow>('SELECT * FROM intervention_transitions WHERE intervention_id = ANY($1) ORDER BY id', [ids]);
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}
