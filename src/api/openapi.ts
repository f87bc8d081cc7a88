import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../config';
import { createDatabase } from '../db/client';
import { buildApp } from './app';
import { createIngestor } from './ingest';
import { createMetrics } from './metrics';

export const openApiPath = 'openapi/openapi.json';

/** The OpenAPI document of the routes as built, with no connection opened. */
export async function generateOpenApi(): Promise<string> {
  const config = loadConfig({});
  const db = createDatabase(config.database);
  const redis = new Redis({ lazyConnect: true });
  const ingestor = createIngestor(db, {
    groupCommitMaxItems: 1,
    groupCommitMaxInflight: 1,
    lateAfterSeconds: 1,
    windowSeconds: 1,
    dedupHorizonHours: 1,
    partitionHours: 1,
  });
  const app = await buildApp({
    config,
    db,
    redis,
    ingestor,
    metrics: createMetrics(),
    slis: null,
    logger: pino({ level: 'silent' }),
    now: () => new Date(),
    roles: ['api'],
    serveSubscriptions: false,
  });
  await app.ready();
  const document = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  await db.close();
  redis.disconnect();
  return document;
}
