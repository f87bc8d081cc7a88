// Reads the demo console needs: the cycles it has not shown yet and what each one decided.
import { asc, eq } from 'drizzle-orm';
import { on, type Client, type Queryable } from './client';
import { upgradeCycleRow, type CycleRow } from './cycles';
import type { InterventionRow } from './interventions';
import { interventions } from './schema';

/** Cycles after `afterNumber` whose window started at or after `since`, oldest first. */
export async function cyclesSince(client: Queryable, afterNumber: number, since: Date): Promise<CycleRow[]> {
  const result = await client.query<CycleRow>('SELECT * FROM cycles WHERE number > $1 AND window_start >= $2 ORDER BY number', [afterNumber, since]);
  return result.rows.map(upgradeCycleRow);
}

export async function interventionsOfCycle(client: Client, cycleNumber: number): Promise<InterventionRow[]> {
  return on(client).select().from(interventions).where(eq(interventions.cycleNumber, cycleNumber)).orderBy(asc(interventions.createdAt), asc(interventions.id));
}

export async function countAwaitingApproval(client: Queryable): Promise<number> {
  const result = await client.query<{ n: string }>("SELECT count(*) AS n FROM interventions WHERE status = 'AWAITING_APPROVAL'");
  return Number(result.rows[0]?.n ?? 0);
}
