import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { buildApp } from './api/app';
import { createIngestor, type Ingestor } from './api/ingest';
import { createMetrics } from './api/metrics';
import type { Config } from './config';
import type { Database } from './db/client';
import { openMigratedDatabase } from './db/migrate';
import { createRedis } from './jobs/redis';

export interface Service {
  config: Config;
  app: FastifyInstance;
  db: Database;
  redis: Redis;
  ingestor: Ingestor;
  /** Stops taking requests, finishes in-flight commits, then closes the pools. */
  close(): Promise<void>;
}

/** The wiring of the whole service: config -> db -> redis -> api. Tests build exactly this. */
export async function createService(config: Config, logger: Logger): Promise<Service> {
  const db = await openMigratedDatabase(config.database, logger);
  const redis = createRedis(config.redis.url);
  const ingestor = createIngestor(db, {
    groupCommitMaxItems: config.ingest.group_commit_max_items,
    groupCommitMaxInflight: config.ingest.group_commit_max_inflight,
  });
  const app = await buildApp({ config, db, redis, ingestor, metrics: createMetrics(), logger });
  return {
    config,
    app,
    db,
    redis,
    ingestor,
    async close() {
      await app.close();
      await ingestor.drain();
      await db.close();
      redis.disconnect();
    },
  };
}
