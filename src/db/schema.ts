import { bigint, doublePrecision, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

// One row per authorisation attempt. The id is the gateway's idempotency key, so a retried
// POST can never count twice. Windows are read by event time, hence the event_time index;
// to partition by day later, partition on event_time and move idempotency to a keyed table.
export const transactions = pgTable(
  'transactions',
  {
    id: text('id').primaryKey(),
    eventTime: timestamp('event_time', { withTimezone: true, mode: 'date' }).notNull(),
    issuer: text('issuer').notNull(),
    method: text('method').notNull(),
    status: text('status', { enum: ['success', 'failed'] }).notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    latencyMs: doublePrecision('latency_ms').notNull(),
    retryCount: integer('retry_count').notNull(),
    errorCode: text('error_code'),
    merchantId: text('merchant_id'),
    gateway: text('gateway'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [index('transactions_event_time_idx').on(table.eventTime)],
);
