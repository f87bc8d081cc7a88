import { createHmac } from 'node:crypto';
import { MS_PER_SECOND } from '../agent';
import { appendAudit } from '../db/audit';
import { inTransaction, withPostgres, type Database } from '../db/client';
import { getDelivery, recordDeliveryAttempt } from '../db/webhooks';
import { webhookSecretPrefix } from '../config';
import { alertEvent, type AlertEvent } from '../interventions/operations';

export interface WebhookSettings {
  secret: string;
  timeoutMs: number;
}

/** Deprecated: sent for one more release beside the Standard Webhooks headers, which replace it. */
export const signatureHeader = 'x-payops-signature';
export const deliveryHeader = 'x-payops-delivery';
// Standard Webhooks (https://www.standardwebhooks.com): the id and timestamp are signed with the
// body, so a receiver that checks the timestamp's age cannot be fed a captured delivery later.
export const webhookIdHeader = 'webhook-id';
export const webhookTimestampHeader = 'webhook-timestamp';
export const webhookSignatureHeader = 'webhook-signature';
/** The payload's `event`, so a receiver can route a page and a heartbeat apart without parsing the body. */
export const eventHeader = 'x-payops-event';

/** The deprecated `sha256=<hex HMAC of the body>`, keyed by the secret string as configured; no replay protection. */
export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/**
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the bytes the secret's base64 after
 * `whsec_` encodes (the Standard Webhooks convention, so their libraries verify it as is).
 */
export function signStandard(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice(webhookSecretPrefix.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The same for every attempt of a delivery, so a receiver drops a repeat by it. */
export const webhookMessageId = (deliveryId: number) => `msg_payops_${deliveryId}`;

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
export async function deliverWebhook(
  db: Database,
  deliveryId: number,
  settings: WebhookSettings,
  isLastAttempt: boolean,
  now: () => Date,
): Promise<DeliveryAttempt | null> {
  const delivery = await withPostgres(() => getDelivery(db.pool, deliveryId));
  if (!delivery || delivery.status !== 'pending') return null;
  const body = JSON.stringify(delivery.payload);
  const id = webhookMessageId(delivery.id);
  const timestamp = Math.floor(now().getTime() / MS_PER_SECOND);
  let error: string | null = null;
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [webhookIdHeader]: id,
        [webhookTimestampHeader]: String(timestamp),
        [webhookSignatureHeader]: signStandard(settings.secret, id, timestamp, body),
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
