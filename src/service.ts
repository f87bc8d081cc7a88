import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { buildApp, probeTimeoutMs } from './api/app';
import { createIngestor, type Ingestor } from './api/ingest';
import { createMetrics } from './api/metrics';
import { registerSlis } from './api/slis';
import { serviceRoles, type Config, type ServiceRole } from './config';
import type { Database } from './db/client';
import { openMigratedDatabase } from './db/migrate';
import { createPartitionKeeper } from './db/partitions';
import { createPruner } from './db/retention';
import { createRollupCompactor } from './db/rollup-compaction';
import { createQueueConnection, createQueues, type Queues } from './jobs/queues';
import { createRedis, settlesWithin } from './jobs/redis';
import { startScheduler, type Scheduler } from './jobs/scheduler';
import { startWorkers, type Workers } from './jobs/workers';

export { serviceRoles, type ServiceRole };

export interface Service {
  config: Config;
  app: FastifyInstance;
  db: Database;
  redis: Redis;
  queues: Queues;
  ingestor: Ingestor;
  workers: Workers | null;
  scheduler: Scheduler | null;
  /** Stops taking requests and jobs, finishes in-flight commits, then closes the pools. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** What this process runs; all three by default. The HTTP app is built in every role (health, metrics). */
  roles?: readonly ServiceRole[];
  /** Wall clock, handed in so tests can hold time still. */
  now?: () => Date;
}

/** The wiring of the whole service: config -> db -> redis -> queues -> workers -> api. Tests build exactly this. */
export async function createService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const roles = new Set(options.roles ?? serviceRoles);
  const now = options.now ?? (() => new Date());
  const db = await openMigratedDatabase(config.database, logger);
  const redis = createRedis(config.redis.url);
  const queueConnection = createQueueConnection(config.redis.url);
  const queues = createQueues(queueConnection, config.redis.key_prefix, { attempts: config.jobs.job_attempts, backoffMs: config.jobs.job_backoff_ms });
  // Half the grace the scheduler waits after a window closes: the other half covers the commit.
  const lateAfterSeconds = config.jobs.window_grace_seconds / 2;
  const ingestor = createIngestor(db, {
    groupCommitMaxItems: config.ingest.group_commit_max_items,
    groupCommitMaxInflight: config.ingest.group_commit_max_inflight,
    lateAfterSeconds,
    windowSeconds: config.agent.cycleIntervalSeconds,
    dedupHorizonHours: config.retention.dedup_horizon_hours,
    partitionHours: config.retention.partition_hours,
  });
  const metrics = createMetrics();
  const slis = registerSlis(metrics.registry, {
    db,
    queues,
    queuesReachable: () => queueConnection.status === 'ready',
    cycleIntervalSeconds: config.agent.cycleIntervalSeconds,
    topValues: config.metrics.top_values,
    maxDimensionValues: config.agent.maxDimensionValues,
    timeoutMs: probeTimeoutMs,
    now,
  });
  const app = await buildApp({ config, db, redis, ingestor, metrics, slis, logger, now, roles: [...roles], serveSubscriptions: roles.has('api') });
  const workers = roles.has('worker') ? startWorkers({ db, queues, publisher: redis, config, logger, now, metrics: metrics.jobs }) : null;
  const scheduler = roles.has('scheduler')
    ? startScheduler({
        db,
        queues,
        publisher: redis,
        prefix: config.redis.key_prefix,
        cycleIntervalSeconds: config.agent.cycleIntervalSeconds,
        windowGraceSeconds: config.jobs.window_grace_seconds,
        tickMs: config.jobs.tick_ms,
        auditDir: config.audit.export_dir,
        prune: createPruner(db, config.retention),
        partitions: createPartitionKeeper(db, config.retention),
        compactRollups: createRollupCompactor(db, {
          windowSeconds: config.agent.cycleIntervalSeconds,
          intervalSeconds: config.jobs.rollup_compaction_interval_seconds,
          settleSeconds: lateAfterSeconds,
        }),
        logger,
        now,
      })
    : null;
  return {
    config,
    app,
    db,
    redis,
    queues,
    ingestor,
    workers,
    scheduler,
    async close() {
      // In-flight requests are answered first; they need Postgres only.
      await app.close();
      // What waits on Redis shares one deadline, so a Redis that is gone cannot hold the process.
      const deadline = Date.now() + config.redis.close_timeout_ms;
      const redisDone = (work: Promise<unknown>) => settlesWithin(work, deadline - Date.now());
      const stopped = await redisDone(Promise.all([scheduler?.stop(), workers?.close()]));
      await ingestor.drain();
      const queuesClosed = await redisDone(queues.close());
      if (!stopped || !queuesClosed)
        logger.warn(
          { timeoutMs: config.redis.close_timeout_ms },
          'Redis did not answer during shutdown (redis.close_timeout_ms); its connections are dropped, jobs left running are retried once their locks lapse',
        );
      // Waits for queries still running (a job's transaction), so what they commit is committed.
      await db.close();
      queueConnection.disconnect();
      redis.disconnect();
    },
  };
}
