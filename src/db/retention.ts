import { MS_PER_SECOND, SECONDS_PER_HOUR, type InterventionStatus } from '../agent';
import type { Config } from '../config';
import { withPostgres, type Database, type Queryable } from './client';
import { periodicStep, type PeriodicStep } from './periodic';

/** The `retention` config keys (transactions go by partition, elsewhere). */
export type RetentionSettings = Config['retention'];

/** Statuses no move leaves: anything else is live (pending, in force, shadow) and is never pruned. */
export const finishedStatuses: readonly InterventionStatus[] = ['REJECTED', 'EXPIRED', 'ROLLED_BACK'];

/** The newest cycles the dashboard's history reads (its largest `last`): kept whatever their age. */
export const dashboardHistoryCycles = 500;

export type PrunedTable = 'event_outbox' | 'webhook_deliveries' | 'cycles' | 'patterns' | 'interventions';

const cutoff = (now: Date, hours: number) => new Date(now.getTime() - hours * SECONDS_PER_HOUR * MS_PER_SECOND);

// Each statement deletes at most one batch ($2 rows) and says how many it took. Rows are picked by
// ctid so the delete needs no second lookup; a batch keeps locks and WAL per statement small.
const batches: Record<PrunedTable, (now: Date, settings: RetentionSettings) => [string, unknown[]]> = {
  // Only published events: an unpublished one has yet to reach the stream.
  event_outbox: (now, s) => [
    `DELETE FROM event_outbox WHERE ctid IN (
       SELECT ctid FROM event_outbox WHERE published_at < $1 ORDER BY id LIMIT $2)`,
    [cutoff(now, s.outbox_hours), s.prune_batch_rows],
  ],
  // Delivered and dead-lettered alerts (the audit log keeps the dead letter); a pending one is still being sent.
  webhook_deliveries: (now, s) => [
    `DELETE FROM webhook_deliveries WHERE ctid IN (
       SELECT ctid FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1 ORDER BY id LIMIT $2)`,
    [cutoff(now, s.webhook_deliveries_hours), s.prune_batch_rows],
  ],
  // The detector's history lives in agent_state, not here; the newest cycles stay for the dashboard.
  cycles: (now, s) => [
    `DELETE FROM cycles WHERE ctid IN (
       SELECT ctid FROM cycles
       WHERE window_end < $1 AND number <= (SELECT max(number) FROM cycles) - $3
       ORDER BY number LIMIT $2)`,
    [cutoff(now, s.cycles_hours), s.prune_batch_rows, dashboardHistoryCycles],
  ],
  // Patterns carry no time: those of cycles older than the first cycle inside the horizon go.
  patterns: (now, s) => [
    `DELETE FROM patterns WHERE ctid IN (
       SELECT ctid FROM patterns
       WHERE cycle_number < (SELECT min(number) FROM cycles WHERE window_start >= $1)
       ORDER BY cycle_number LIMIT $2)`,
    [cutoff(now, s.patterns_hours), s.prune_batch_rows],
  ],
  // A finished intervention goes with its transitions and directive, unless the core has yet to see
  // one of its transitions (applied_cycle null): those reach the next cycle first. A finished row
  // never moves again, so no new unapplied transition can appear once it is picked.
  interventions: (now, s) => [
    `WITH doomed AS (
       SELECT id FROM interventions i
       WHERE status = ANY($3) AND updated_at < $1
         AND NOT EXISTS (SELECT 1 FROM intervention_transitions t WHERE t.intervention_id = i.id AND t.applied_cycle IS NULL)
       ORDER BY updated_at LIMIT $2
       FOR UPDATE SKIP LOCKED),
     transitions AS (DELETE FROM intervention_transitions WHERE intervention_id IN (SELECT id FROM doomed)),
     directives AS (DELETE FROM directives WHERE intervention_id IN (SELECT id FROM doomed))
     DELETE FROM interventions WHERE id IN (SELECT id FROM doomed)`,
    [cutoff(now, s.interventions_hours), s.prune_batch_rows, finishedStatuses],
  ],
};

export const prunedTables = Object.keys(batches) as PrunedTable[];

/** Deletes one batch of `table`'s expired rows; returns how many went (a full batch means more may be left). */
export async function pruneBatch(client: Queryable, table: PrunedTable, settings: RetentionSettings, now: Date): Promise<number> {
  const [text, values] = batches[table](now, settings);
  return (await client.query(text, values)).rowCount ?? 0;
}

export interface PruneReport {
  deleted: Record<PrunedTable, number>;
  /** True when the time budget ran out with full batches still coming: call again soon. */
  more: boolean;
}

/**
 * Prunes every table in batches until each is done or `budgetMs` has passed, so one call stays
 * inside a scheduler step however large the backlog (the first run on an old database).
 */
export async function pruneExpired(client: Queryable, settings: RetentionSettings, now: Date, budgetMs: number): Promise<PruneReport> {
  const started = performance.now();
  const deleted = Object.fromEntries(prunedTables.map((table) => [table, 0])) as Record<PrunedTable, number>;
  let pending = [...prunedTables];
  while (pending.length > 0) {
    if (performance.now() - started >= budgetMs) return { deleted, more: true };
    const next: PrunedTable[] = [];
    for (const table of pending) {
      const n = await pruneBatch(client, table, settings, now);
      deleted[table] += n;
      if (n === settings.prune_batch_rows) next.push(table);
    }
    pending = next;
  }
  return { deleted, more: false };
}

/** Well inside a scheduler step's 5 s, so a backlog never makes the step time out. */
const pruneBudgetMs = 2_000;

export type Pruner = PeriodicStep<PruneReport>;

/**
 * The scheduler's retention step: prunes every `prune_interval_seconds`, or at the next call while a
 * backlog is left. Several schedulers may prune at once: a row two of them pick is deleted once.
 */
export function createPruner(db: Database, settings: RetentionSettings): Pruner {
  return periodicStep(async (now) => {
    const report = await withPostgres(() => pruneExpired(db.pool, settings, now, pruneBudgetMs));
    return { report, nextDue: report.more ? 0 : now.getTime() + settings.prune_interval_seconds * MS_PER_SECOND };
  });
}
