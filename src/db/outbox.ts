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

/** Unpublished events, oldest first, locked so two publishers never send the same rows. */
export async function lockUnpublished(client: Queryable, limit: number): Promise<OutboxRow[]> {
  const result = await client.query<OutboxRow>(
    'SELECT id, topic, payload FROM event_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
    [limit],
  );
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export async function markPublished(client: Queryable, ids: readonly number[], at: Date): Promise<void> {
  await client.query('UPDATE event_outbox SET published_at = $2 WHERE id = ANY($1)', [ids, at]);
}
