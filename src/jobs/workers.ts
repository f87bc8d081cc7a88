import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobMetrics } from '../api/metrics';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { runDueWindows } from './cycle';
import { publishOutbox } from './events';
import { executeIntervention } from '../interventions/operations';
import {
  createQueueConnection,
  executeJobId,
  queueNames,
  queuePrefix,
  webhookJobId,
  type CycleJob,
  type ExecuteJob,
  type Queues,
  type WebhookJob,
} from './queues';
import { deliverWebhook } from './webhooks';

export interface WorkerDeps {
  db: Database;
  queues: Queues;
  publisher: Redis;
  config: Config;
  logger: Logger;
  now: () => Date;
  metrics: JobMetrics;
}

export interface Workers {
  close(): Promise<void>;
}

/** The cycle, execute and webhook workers; each job is idempotent by its key, so retries are safe. */
export function startWorkers(deps: WorkerDeps): Workers {
  const { config, logger } = deps;
  const prefix = config.redis.key_prefix;
  const publish = () =>
    publishOutbox(deps.db, deps.publisher, prefix).catch((err: unknown) => {
      // The scheduler's next tick publishes what is left in the outbox.
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'publishing events deferred');
    });
  const queueExecutions = (ids: readonly string[]) =>
    Promise.all(ids.map((interventionId) => deps.queues.execute.add('execute', { interventionId }, { jobId: executeJobId(interventionId) })));

  const connections: Redis[] = [];
  const worker = <T>(name: string, concurrency: number, process: (job: Job<T>) => Promise<void>) => {
    const connection = createQueueConnection(config.redis.url);
    connections.push(connection);
    const w = new Worker<T>(name, process, {
      connection,
      prefix: queuePrefix(prefix, name),
      concurrency,
      lockDuration: config.jobs.job_lock_ms,
      stalledInterval: config.jobs.job_lock_ms,
    });
    // Zero from the start, so rate() sees the first failure.
    deps.metrics.jobRetries.inc({ queue: name }, 0);
    deps.metrics.jobFailures.inc({ queue: name }, 0);
    w.on('failed', (job, err) => {
      // attemptsMade already counts this attempt when 'failed' fires.
      const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1);
      (final ? deps.metrics.jobFailures : deps.metrics.jobRetries).inc({ queue: name });
      logger.warn({ queue: name, job: job?.id, attempt: job?.attemptsMade, final, err: err.message }, 'job failed');
    });
    w.on('error', (err) => logger.warn({ queue: name, err: err.message }, 'worker error'));
    return w;
  };

  const workers = [
    // One window at a time: cycles are ordered by nature (each starts from the previous state).
    worker<CycleJob>(queueNames.cycles, 1, async (job) => {
      const outcomes = await runDueWindows(
        { db: deps.db, agent: config.agent, maxCatchUpWindows: config.jobs.max_catch_up_windows, logger, now: deps.now, metrics: deps.metrics },
        job.data.windowEnd,
      );
      await publish();
      await queueExecutions(outcomes.flatMap((outcome) => outcome.executable));
    }),
    worker<ExecuteJob>(queueNames.execute, 4, async (job) => {
      const execution = await executeIntervention(
        deps.db,
        job.data.interventionId,
        { probeShare: config.actions.probe_share, webhooks: config.actions.webhooks },
        deps.now(),
      );
      await publish();
      await Promise.all(
        execution.webhookDeliveries.map((deliveryId) =>
          deps.queues.webhooks.add(
            'webhook',
            { deliveryId },
            {
              jobId: webhookJobId(deliveryId),
              attempts: config.actions.webhook_attempts,
              backoff: { type: 'exponential', delay: config.actions.webhook_backoff_ms },
            },
          ),
        ),
      );
    }),
    worker<WebhookJob>(queueNames.webhooks, 4, async (job) => {
      const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const attempt = await deliverWebhook(
        deps.db,
        job.data.deliveryId,
        { secret: config.actions.webhook_secret, timeoutMs: config.actions.webhook_timeout_ms },
        isLastAttempt,
        deps.now,
      );
      if (!attempt) return;
      deps.metrics.webhookAttempts.inc({ outcome: attempt.outcome });
      // A throw is what makes the queue retry with backoff.
      if (attempt.error !== null) throw new Error(`webhook ${attempt.url} failed: ${attempt.error}`);
      await publish();
    }),
  ];

  return {
    async close() {
      // A graceful close with Redis unreachable waits for it forever (taskforcesh/bullmq#4656), so
      // then the workers stop without waiting: a running job's Postgres work still completes, and
      // its lock lapses for a retry elsewhere (every job is idempotent).
      const force = connections.some((connection) => connection.status !== 'ready');
      await Promise.all(workers.map((w) => w.close(force)));
      connections.forEach((connection) => connection.disconnect());
    },
  };
}
