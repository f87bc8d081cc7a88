import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { probeRoute } from './overload';

export interface Metrics {
  registry: Registry;
  accepted: Counter;
  duplicates: Counter;
  rejected: Counter<'reason'>;
  dependencyUp: Gauge<'dependency'>;
  shed: Counter<'reason'>;
  /** Written by the workers of this process (zero in an API-only process). */
  jobs: JobMetrics;
}

export interface JobMetrics {
  cycleDuration: Histogram;
  windowsSkipped: Counter;
  patterns: Counter<'type'>;
  /** Attempts that failed and will be tried again. */
  jobRetries: Counter<'queue'>;
  /** Jobs that failed their last attempt. */
  jobFailures: Counter<'queue'>;
  webhookAttempts: Counter<'outcome'>;
}

/** One registry per app, so several apps in one process (tests, benchmarks) do not collide. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    accepted: new Counter({ name: 'payops_transactions_accepted_total', help: 'Transactions newly committed', registers: [registry] }),
    duplicates: new Counter({ name: 'payops_transactions_duplicates_total', help: 'Transactions whose id was already stored', registers: [registry] }),
    rejected: new Counter({
      name: 'payops_transactions_rejected_total',
      help: 'Ingestion requests refused, by error code',
      labelNames: ['reason'],
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'payops_dependency_up',
      help: 'Whether Postgres and Redis answered the last probe (readiness or scrape): 1 up, 0 down',
      labelNames: ['dependency'],
      registers: [registry],
    }),
    shed: new Counter({
      name: 'payops_requests_shed_total',
      help: 'Requests refused with 503 overloaded, by what was over its limit',
      labelNames: ['reason'],
      registers: [registry],
    }),
    jobs: {
      cycleDuration: new Histogram({
        name: 'payops_cycle_duration_seconds',
        help: 'Time to judge one window: aggregate, run the core, store everything it decided',
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
      windowsSkipped: new Counter({
        name: 'payops_cycle_windows_skipped_total',
        help: 'Windows never judged because they were older than jobs.max_catch_up_windows after downtime',
        registers: [registry],
      }),
      patterns: new Counter({
        name: 'payops_patterns_detected_total',
        help: 'Patterns the cycles found, by type',
        labelNames: ['type'],
        registers: [registry],
      }),
      jobRetries: new Counter({
        name: 'payops_job_retries_total',
        help: 'Job attempts that failed and will be retried, by queue',
        labelNames: ['queue'],
        registers: [registry],
      }),
      jobFailures: new Counter({
        name: 'payops_job_failures_total',
        help: 'Jobs that failed their last attempt, by queue',
        labelNames: ['queue'],
        registers: [registry],
      }),
      webhookAttempts: new Counter({
        name: 'payops_webhook_attempts_total',
        help: 'Ops-alert webhook attempts by outcome: delivered, failed (to be retried) or dead (dead-lettered)',
        labelNames: ['outcome'],
        registers: [registry],
      }),
    },
  };
}

/** Reads state kept elsewhere (dependencies, Postgres, queues) into gauges just before a scrape. */
export type ScrapeRefresh = () => Promise<unknown>;

export function registerMetrics(app: FastifyInstance, metrics: Metrics, refreshers: readonly ScrapeRefresh[]): void {
  const requests = new Histogram({
    name: 'payops_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (route.startsWith('/v1/transactions') && reply.statusCode >= 400) {
      metrics.rejected.inc({ reason: String(reply.statusCode) });
    }
  });
  app.get('/metrics', { schema: { hide: true }, config: probeRoute }, async (_request, reply) => {
    // Each refresher bounds its own waiting; one failing leaves its gauges stale, not the scrape broken.
    await Promise.allSettled(refreshers.map((refresh) => refresh()));
    reply.header('Content-Type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
