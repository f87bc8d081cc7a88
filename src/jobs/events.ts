import type { Redis } from 'ioredis';
import { inTransaction, type Database } from '../db/client';
import { markPublished, takePublisherTurn, unpublished } from '../db/outbox';

export const eventStreamKey = (prefix: string) => `${prefix}:events`;

/** Enough history for a subscriber that reconnects within minutes to miss nothing. */
const streamMaxLength = 10_000;

export interface StreamEvent {
  /** The outbox id: subscribers use it to drop a duplicate after a publisher retry. */
  id: number;
  topic: string;
  payload: unknown;
}

/**
 * Moves committed events from the outbox to the Redis stream every API process reads.
 * If Redis is down the rows stay unpublished and go out on a later call.
 */
export async function publishOutbox(db: Database, redis: Redis, prefix: string, limit = 500): Promise<number> {
  return inTransaction(db, async (client) => {
    // The process holding the turn publishes everything that is waiting, this call's events included.
    if (!(await takePublisherTurn(client))) return 0;
    const rows = await unpublished(client, limit);
    if (rows.length === 0) return 0;
    const pipeline = redis.pipeline();
    for (const row of rows) {
      const event: StreamEvent = { id: row.id, topic: row.topic, payload: row.payload };
      pipeline.xadd(eventStreamKey(prefix), 'MAXLEN', '~', String(streamMaxLength), '*', 'event', JSON.stringify(event));
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('redis pipeline did not run');
    await markPublished(
      client,
      rows.map((row) => row.id),
      new Date(),
    );
    return rows.length;
  });
}
