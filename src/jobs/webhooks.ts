import { createHmac } from 'node:crypto';
import { appendAudit } from '../db/audit';
import { inTransaction, withPostgres, type Database } from '../db/client';
import { getDelivery, recordDeliveryAttempt } from '../db/webhooks';

export interface WebhookSettings {
  secret: string;
  timeoutMs: number;
}

export const signatureHeader = 'x-payops-signature';
export const deliveryHeader = 'x-payops-delivery';
/** The payload's `event`, so a receiver can route a page and a heartbeat apart without parsing the body. */
export const eventHeader = 'x-payops-event';

/**
 * An alert is a page, except the minimum-action-frequency rule's heartbeat: a distinct event
 * type, so paging tools can drop or log heartbeats instead of waking someone.
 */
export type AlertEvent = 'ops.alert' | 'ops.heartbeat';
export const alertEvent = (heartbeat: boolean): AlertEvent => (heartbeat ? 'ops.heartbeat' : 'ops.alert');

/** `sha256=<hex HMAC of the body>`: receivers recompute it with the shared secret. */
export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export interface DeliveryAttempt {
  outcome: 'delivered' | 'failed' | 'dead';
  /** Why the receiver did not take it (HTTP status, network error), null when delivered. */
  error: string | null;
  url: string;
}

/**
 * Sends one ops alert and says how it went (null when it was no longer pending): the caller
 * retries a `failed` one with backoff; after the last attempt the delivery is dead-lettered
 * (status `dead`) and the audit says so. The delivery id travels in a header, so a receiver can
 * drop the rare repeat after a crash mid-send.
 */
export async function deliverWebhook(db: Database, deliveryId: number, settings: WebhookSettings, isLastAttempt: boolean, now: () => Date): Promise<DeliveryAttempt | null> {
  const delivery = await withPostgres(() => getDelivery(db.pool, deliveryId));
  if (!delivery || delivery.status !== 'pending') return null;
  const body = JSON.stringify(delivery.payload);
  let error: string | null = null;
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [signatureHeader]: signBody(settings.secret, body),
        [deliveryHeader]: String(delivery.id),
        // Deliveries queued before events had types were all pages.
        [eventHeader]: (delivery.payload as { event?: AlertEvent }).event ?? alertEvent(false),
      },
      body,
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    if (!response.ok) error = `HTTP ${response.status}`;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const status = error === null ? 'delivered' : isLastAttempt ? 'dead' : 'pending';
  await inTransaction(db, async (client) => {
    await recordDeliveryAttempt(client, delivery.id, { status, error, at: now() });
    if (status === 'dead') {
      await appendAudit(client, {
        kind: 'webhook.dead_lettered',
        actor: 'agent',
        subject: delivery.intervention_id,
        cycleNumber: null,
        data: { url: delivery.url, attempts: delivery.attempts + 1, error },
        at: now(),
      });
    }
  });
  return { outcome: status === 'pending' ? 'failed' : status, error, url: delivery.url };
}
