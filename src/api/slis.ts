import { Gauge, type Registry } from 'prom-client';
import { keptValues, MS_PER_SECOND, type DimensionMetrics } from '../agent';
import type { Database } from '../db/client';
import { distinctValues, interventionCounts, lastJudgedWindow, latestWindow, outboxBacklog, webhookDeliveryCounts } from '../db/slis';
import type { Queues } from '../jobs/queues';
import type { ScrapeRefresh } from './metrics';

export interface SliDeps {
  db: Database;
  queues: Pick<Queues, 'cycles' | 'execute' | 'webhooks'>;
  /** Whether the queue connection is up: asking a queue while Redis is down would wait for it. */
  queuesReachable: () => boolean;
  cycleIntervalSeconds: number;
  /** Issuers, methods, gateways and unclassified error codes shown by name; the rest add up under `other`. */
  topValues: number;
  /** How many values of a dimension the agent judges by name (agent.max_dimension_values); the rest fold into `other`. */
  maxDimensionValues: number;
  timeoutMs: number;
  now: () => Date;
}

const OTHER = 'other';
const queueStates = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Bounds a read, so a scrape answers even while a dependency hangs. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The `limit` largest entries by name, the rest summed under `other`: label sets stay bounded whatever arrives. */
function folded(counts: Record<string, number>, limit: number): Map<string, number> {
  const kept = keptValues(new Map(Object.entries(counts)), limit);
  const out = new Map<string, number>();
  for (const [name, count] of Object.entries(counts)) {
    const label = kept.has(name) ? name : OTHER;
    out.set(label, (out.get(label) ?? 0) + count);
  }
  return out;
}

/**
 * The service's own SLIs, read from Postgres and the queues when Prometheus scrapes: every process
 * reports the same shared values, so dashboards take max() across instances.
 */
export function registerSlis(registry: Registry, deps: SliDeps): ScrapeRefresh {
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) => new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const cycleLag = gauge('payops_cycle_lag_seconds', 'Wall time since the end of the last window a cycle judged');
  const cycleInterval = gauge('payops_cycle_interval_seconds', 'Length of one observation window (agent.cycle_interval)');
  const queueDepth = gauge('payops_queue_jobs', 'Jobs per queue and state', ['queue', 'state']);
  const outboxEvents = gauge('payops_outbox_backlog_events', 'Committed events not yet published to the Redis stream');
  const outboxAge = gauge('payops_outbox_oldest_event_age_seconds', 'Age of the oldest unpublished event (0 when none waits): publish lag');
  const deliveries = gauge('payops_webhook_deliveries', 'Ops-alert deliveries by status: pending, delivered, dead (dead letters)', ['status']);
  const interventions = gauge('payops_interventions', 'Interventions by status and action', ['status', 'action']);
  const successRate = gauge(
    'payops_window_success_rate',
    'Success rate in the last judged window, per issuer, method and gateway (top N by volume, the rest as other) and system',
    ['dimension', 'value'],
  );
  const attempts = gauge(
    'payops_window_attempts',
    'Attempts in the last judged window, per issuer, method and gateway (top N by volume, the rest as other) and system',
    ['dimension', 'value'],
  );
  const unclassified = gauge(
    'payops_unclassified_error_codes',
    'Failed attempts in the last judged window per error code in neither taxonomy list (top N, the rest as other)',
    ['code'],
  );
  const foldedValues = gauge(
    'payops_window_folded_values',
    'Distinct issuers, methods and gateways of the last judged window beyond agent.max_dimension_values, judged together as other (ingestion takes them all)',
    ['dimension'],
  );
  cycleInterval.set(deps.cycleIntervalSeconds);

  const windowGauges = (dimension: string, entries: Record<string, DimensionMetrics>) => {
    const kept = keptValues(new Map(Object.entries(entries).map(([name, m]) => [name, m.volume])), deps.topValues);
    const totals = new Map<string, { volume: number; successes: number }>();
    for (const [name, m] of Object.entries(entries)) {
      const label = kept.has(name) ? name : OTHER;
      const total = totals.get(label) ?? { volume: 0, successes: 0 };
      total.volume += m.volume;
      total.successes += m.successes;
      totals.set(label, total);
    }
    for (const [value, total] of totals) {
      attempts.set({ dimension, value }, total.volume);
      if (total.volume > 0) successRate.set({ dimension, value }, total.successes / total.volume);
    }
  };

  const fromPostgres = async () => {
    const [judged, window, backlog, byStatus, byDelivery] = await within(
      deps.timeoutMs,
      Promise.all([
        lastJudgedWindow(deps.db.pool),
        latestWindow(deps.db.pool),
        outboxBacklog(deps.db.pool),
        interventionCounts(deps.db.pool),
        webhookDeliveryCounts(deps.db.pool),
      ]),
    );
    const now = deps.now().getTime();
    cycleLag.reset();
    foldedValues.reset();
    if (judged.windowEnd !== null) {
      cycleLag.set((now - judged.windowEnd) / MS_PER_SECOND);
      const distinct = await within(
        deps.timeoutMs,
        distinctValues(deps.db.pool, judged.windowEnd - deps.cycleIntervalSeconds * MS_PER_SECOND, judged.windowEnd),
      );
      for (const dimension of ['issuer', 'method', 'gateway'] as const)
        foldedValues.set({ dimension }, Math.max(0, distinct[dimension] - deps.maxDimensionValues));
    }
    outboxEvents.set(backlog.events);
    outboxAge.set(backlog.oldestAt === null ? 0 : Math.max(0, now - backlog.oldestAt) / MS_PER_SECOND);
    deliveries.reset();
    for (const status of ['pending', 'delivered', 'dead']) deliveries.set({ status }, 0);
    for (const row of byDelivery) deliveries.set({ status: row.status }, row.count);
    interventions.reset();
    for (const row of byStatus) interventions.set({ status: row.status, action: row.action }, row.count);
    successRate.reset();
    attempts.reset();
    if (window) {
      windowGauges('system', { system: window.system });
      windowGauges('issuer', window.issuers);
      windowGauges('method', window.methods);
      windowGauges('gateway', window.gateways);
    }
    unclassified.reset();
    for (const [code, count] of folded(judged.unclassifiedErrorCodes, deps.topValues)) unclassified.set({ code }, count);
  };

  const fromQueues = async () => {
    if (!deps.queuesReachable()) throw new Error('queues unreachable');
    const queues = [deps.queues.cycles, deps.queues.execute, deps.queues.webhooks];
    const counts = await within(deps.timeoutMs, Promise.all(queues.map((queue) => queue.getJobCounts(...queueStates))));
    queues.forEach((queue, i) => queueStates.forEach((state) => queueDepth.set({ queue: queue.name, state }, counts[i]![state] ?? 0)));
  };

  return async () => {
    const [postgres, queues] = await Promise.allSettled([fromPostgres(), fromQueues()]);
    // Stale values would read as a healthy backlog; absent ones read as unknown.
    if (postgres.status === 'rejected')
      [cycleLag, outboxEvents, outboxAge, deliveries, interventions, successRate, attempts, unclassified, foldedValues].forEach((g) => g.reset());
    if (queues.status === 'rejected') queueDepth.reset();
  };
}
