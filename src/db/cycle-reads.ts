import type { Queryable } from './client';
import { upgradeCycleRow, type CycleRow } from './cycles';

/** Cycles by number, for the GraphQL loaders and the event feed. */
export async function cyclesByNumbers(client: Queryable, numbers: readonly number[]): Promise<CycleRow[]> {
  const result = await client.query<CycleRow>('SELECT * FROM cycles WHERE number = ANY($1)', [numbers]);
  return result.rows.map(upgradeCycleRow);
}
