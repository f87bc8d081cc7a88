import type { Queryable } from './client';

export interface WebhookDeliveryRow {
  id: number;
  intervention_id: string;
  url: string;
  payload: unknown;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  last_error: string | null;
}

/** One delivery per (intervention, url); re-inserting returns the ids already there. */
export async function insertWebhookDeliveries(client: Queryable, interventionId: string, urls: readonly string[], payload: unknown): Promise<number[]> {
  if (urls.length === 0) return [];
  const result = await client.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (intervention_id, url, payload)
     SELECT $1, url, $3 FROM unnest($2::text[]) AS url
     ON CONFLICT (intervention_id, url) DO UPDATE SET intervention_id = EXCLUDED.intervention_id
     RETURNING id`,
    [interventionId, urls, JSON.stringify(payload)],
  );
  return result.rows.map((row) => Number(row.id));
}

export async function getDelivery(client: Queryable, id: number): Promise<WebhookDeliveryRow | undefined> {
  const result = await client.query<WebhookDeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
  const row = result.rows[0];
  return row && { ...row, id: Number(row.id) };
}

export async function recordDeliveryAttempt(
  client: Queryable,
  id: number,
  outcome: { status: WebhookDeliveryRow['status']; error: string | null; at: Date },
): Promise<void> {
  await client.query(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, last_error = $3,
       delivered_at = CASE WHEN $2 = 'delivered' THEN $4 ELSE delivered_at END
     WHERE id = $1 AND status = 'pending'`,
    [id, outcome.status, outcome.error, outcome.at],
  );
}
