import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type {
  ActionType,
  ApprovedScope,
  Evaluation,
  Hypothesis,
  InterventionStatus,
  MetricName,
  Params,
  PatternDimension,
  PatternType,
  PreMortem,
  TurnedAway,
  ValuedOption,
} from '../agent';

/** Amounts stored before they carried a currency were rupees, the only currency the dashboard showed. */
export const legacyCurrency = 'INR';

/** What an intervention stored before the estimate existed is taken to turn away: nothing. */
export const noTurnedAway: TurnedAway = { paymentsPerMinute: 0, valuePerMinute: 0, currency: legacyCurrency };

// One row per authorisation attempt. window_time places the row in exactly one observation window:
// its event time, or, for a row that arrives after its window may already have been judged, its
// arrival (see insertTransactions). The table is partitioned by window_time (migration
// 0006_partitioned_transactions, src/db/partitions.ts): drizzle describes the columns only. Ids live
// in transaction_ids, the one table that can hold a key unique across partitions.
export const transactions = pgTable(
  'transactions',
  {
    id: text('id').notNull(),
    eventTime: timestamp('event_time', { withTimezone: true, mode: 'date' }).notNull(),
    windowTime: timestamp('window_time', { withTimezone: true, mode: 'date' }).notNull(),
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
  // BRIN: rows arrive in window-time order (a late row takes its arrival's), and nothing reads them
  // by window_time but partition upkeep, so a block-range summary serves it without a btree insert per row.
  (table) => [index('transactions_window_time_idx').using('brin', table.windowTime).with({ autosummarize: true })],
);

/**
 * The gateway's idempotency keys: a retried POST can never count twice while its key is younger
 * than the dedup horizon (retention.dedup_horizon_hours). window_time is the stored row's, so
 * expired keys are found by it and pruned with the partitions.
 */
export const transactionIds = pgTable(
  'transaction_ids',
  {
    id: text('id').primaryKey(),
    windowTime: timestamp('window_time', { withTimezone: true, mode: 'date' }).notNull(),
  },
  // BRIN: keys arrive in window-time order, so a summary per block range (made as each range fills)
  // finds the expired ones, at almost no cost per insert.
  (table) => [index('transaction_ids_window_time_idx').using('brin', table.windowTime).with({ autosummarize: true })],
);

/**
 * What one ingest statement added to one window (window_time: the window's start) for one issuer,
 * method and gateway (null: attempts naming none): appended in the commit that stores the rows, and
 * merged when the cycle reads the window. Names are raw; folding into `other` happens when read.
 * Partitioned by window_time like transactions, and dropped with them.
 */
export const windowRollups = pgTable(
  'window_rollups',
  {
    windowTime: timestamp('window_time', { withTimezone: true, mode: 'date' }).notNull(),
    issuer: text('issuer').notNull(),
    method: text('method').notNull(),
    gateway: text('gateway'),
    volume: integer('volume').notNull(),
    successes: integer('successes').notNull(),
    retries: integer('retries').notNull(),
    retrySuccesses: integer('retry_successes').notNull(),
    latencySumMs: doublePrecision('latency_sum_ms').notNull(),
    // Sums of integers, exact up to 2^53 and never overflowing as a bigint sum of large amounts would.
    amountMinorSum: doublePrecision('amount_minor_sum').notNull(),
    /** amount_minor summed per currency: currencies[i] has currency_amounts[i]. */
    currencies: text('currencies').array().notNull(),
    currencyAmounts: doublePrecision('currency_amounts').array().notNull(),
    /** Failed attempts per error code: error_codes[i] has error_code_counts[i]. */
    errorCodes: text('error_codes').array().notNull(),
    errorCodeCounts: integer('error_code_counts').array().notNull(),
    /** Latency histogram (src/agent/histogram.ts): latency_buckets[i] holds latency_counts[i] attempts. */
    latencyBuckets: integer('latency_buckets').array().notNull(),
    latencyCounts: integer('latency_counts').array().notNull(),
  },
  // BRIN: rollups are appended in window-time order, so a window's read skips every block range
  // summarized (as each fills) outside it, at almost no cost per insert.
  (table) => [index('window_rollups_window_time_idx').using('brin', table.windowTime).with({ autosummarize: true })],
);

/** The agent's state after the last cycle: one row, locked by the cycle that advances it. */
export const agentState = pgTable('agent_state', {
  id: integer('id').primaryKey(),
  cycleNumber: integer('cycle_number').notNull(),
  /** End (exclusive) of the last window run; the next cycle starts here. */
  windowEnd: timestamp('window_end', { withTimezone: true, mode: 'date' }),
  state: jsonb('state').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** One row per observation window, keyed by the window: a window never runs twice. */
export const cycles = pgTable(
  'cycles',
  {
    number: integer('number').primaryKey(),
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
    windowEnd: timestamp('window_end', { withTimezone: true, mode: 'date' }).notNull(),
    transactions: integer('transactions').notNull(),
    decision: text('decision', { enum: ['ACTION', 'NO_ACTION', 'FORCED_ACTION'] }).notNull(),
    reason: text('reason').notNull(),
    metrics: jsonb('metrics').notNull(),
    hypotheses: jsonb('hypotheses').notNull(),
    options: jsonb('options').notNull(),
    refused: jsonb('refused').notNull(),
    incidentEvents: jsonb('incident_events').notNull(),
    evaluations: jsonb('evaluations').notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('cycles_window_start_idx').on(table.windowStart)],
);

export const patterns = pgTable(
  'patterns',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    cycleNumber: integer('cycle_number').notNull(),
    type: text('type').$type<PatternType>().notNull(),
    dimension: text('dimension').$type<PatternDimension>().notNull(),
    target: text('target').notNull(),
    metric: text('metric').$type<MetricName>().notNull(),
    zScore: doublePrecision('z_score').notNull(),
    observed: doublePrecision('observed').notNull(),
    baseline: doublePrecision('baseline').notNull(),
    severity: doublePrecision('severity').notNull(),
    relativeChange: doublePrecision('relative_change').notNull().default(0),
    volume: integer('volume').notNull(),
  },
  (table) => [index('patterns_cycle_idx').on(table.cycleNumber), index('patterns_type_idx').on(table.type, table.cycleNumber)],
);

/** An intervention and everything that explains it; its status moves only through transitions. */
export const interventions = pgTable(
  'interventions',
  {
    id: text('id').primaryKey(),
    cycleNumber: integer('cycle_number').notNull(),
    action: text('action').$type<ActionType>().notNull(),
    target: text('target').notNull(),
    subject: text('subject').notNull(),
    params: jsonb('params').$type<Params>().notNull(),
    status: text('status').$type<InterventionStatus>().notNull(),
    nrv: doublePrecision('nrv').notNull(),
    option: jsonb('option').$type<ValuedOption>().notNull(),
    /** The options it beat, with their NRV breakdowns, so the choice explains itself. */
    alternatives: jsonb('alternatives').$type<ValuedOption[]>().notNull(),
    preMortem: jsonb('pre_mortem').$type<PreMortem>().notNull(),
    hypothesis: jsonb('hypothesis').$type<Hypothesis>(),
    blastRadius: doublePrecision('blast_radius').notNull(),
    requiresApproval: boolean('requires_approval').notNull(),
    /** The minimum-action-frequency rule's baseline alert: sent and shown as a heartbeat, never a page. */
    heartbeat: boolean('heartbeat').notNull().default(false),
    /** Good payments the move is expected to turn away, per minute, when proposed. */
    turnedAway: jsonb('turned_away').$type<TurnedAway>().notNull().default(noTurnedAway),
    ttlSeconds: integer('ttl_seconds').notNull(),
    /** Narrowed by an operator approving with a smaller scope. */
    approvedScope: jsonb('approved_scope').$type<ApprovedScope>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    approvalExpiresAt: timestamp('approval_expires_at', { withTimezone: true, mode: 'date' }),
    executedAt: timestamp('executed_at', { withTimezone: true, mode: 'date' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    outcome: jsonb('outcome').$type<Evaluation>(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [index('interventions_status_idx').on(table.status), index('interventions_cycle_idx').on(table.cycleNumber)],
);

/**
 * Every status change with who, when and why. Rows the agent has not yet seen
 * (applied_cycle null) are fed to the next cycle, so the core's picture matches the world's.
 */
export const interventionTransitions = pgTable(
  'intervention_transitions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    interventionId: text('intervention_id').notNull(),
    fromStatus: text('from_status').$type<InterventionStatus>(),
    toStatus: text('to_status').$type<InterventionStatus>().notNull(),
    actor: text('actor').notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    appliedCycle: integer('applied_cycle'),
  },
  (table) => [
    index('transitions_intervention_idx').on(table.interventionId),
    index('transitions_unapplied_idx')
      .on(table.id)
      .where(sql`applied_cycle IS NULL`),
  ],
);

/** What gateways must apply now: one directive per executed intervention. */
export const directives = pgTable(
  'directives',
  {
    interventionId: text('intervention_id').primaryKey(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    params: jsonb('params').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    removedAt: timestamp('removed_at', { withTimezone: true, mode: 'date' }),
    removedReason: text('removed_reason'),
  },
  (table) => [
    index('directives_live_idx')
      .on(table.expiresAt)
      .where(sql`removed_at IS NULL`),
  ],
);

/** One ops alert to one webhook; unique per (intervention, url) so a retry never sends a second alert. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    interventionId: text('intervention_id').notNull(),
    url: text('url').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'dead'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [uniqueIndex('webhook_deliveries_once_idx').on(table.interventionId, table.url)],
);

/** Append-only record of every decision and action (a trigger refuses UPDATE and DELETE). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    actor: text('actor').notNull(),
    subject: text('subject'),
    cycleNumber: integer('cycle_number'),
    data: jsonb('data').notNull(),
  },
  (table) => [index('audit_log_at_idx').on(table.at)],
);

/** Events committed with the change they describe, published to Redis after commit (outbox). */
export const eventOutbox = pgTable(
  'event_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    index('event_outbox_unpublished_idx')
      .on(table.id)
      .where(sql`published_at IS NULL`),
  ],
);
