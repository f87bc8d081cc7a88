import type { Queryable } from './client';

export interface OutboxRow {
  id: number;
  topic: string;
  payload: unknown;
}

/** Written in the same transaction as the change it announces: no change without its event. */
export async function addToOutbox(client: Queryable, topic: string, payload: unknown): Promise<void> {
  await client.query('INSERT INTO event_outbox (topic, payload) VALUES ($1, $2)', [topic, JSON.stringify(payload)]);
}

// Any constant shared by every PayOps process: the key of the publishing turn.
const publisherLockKey = 7_310_426;

/**
 * Takes the publishing turn for this transaction, or returns false when another process has it.
 * One publisher at a time keeps the stream in outbox order: with two, a later event could
 * overtake an earlier one (an intervention seen EXECUTED, then APPROVED).
 */
export async function takePublisherTurn(client: Queryable): Promise<boolean> {
  const result = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS taken', [publisherLockKey]);
  return result.rows[0]?.taken === true;
}

/** Unpublished events, oldest first. */
export async function unpublished(client: Queryable, limit: number): Promise<OutboxRow[]> {
  const result = await client.query<OutboxRow>('SELECT id, topic, payload FROM event_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1', [limit]);
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export async function markPublished(client: Queryable, ids: readonly number[], at: Date): Promise<void> {
  await client.query('UPDATE event_outbox SET published_at = $2 WHERE id = ANY($1)', [ids, at]);
}
