import { Redis } from 'ioredis';
import { DependencyUnavailable } from '../errors';

const maxReconnectDelayMs = 1_000;

/**
 * A Redis connection that fails fast while Redis is down (no offline queue) and keeps
 * reconnecting, so readiness reports the truth and recovers on its own.
 */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, maxReconnectDelayMs),
  });
  // Connection errors are reported through readiness, not as unhandled events.
  redis.on('error', () => undefined);
  return redis;
}

export async function pingRedis(redis: Redis, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis ping timed out')), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw new DependencyUnavailable('redis', err);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether `work` settled (either way) within `ms`. Work still waiting then is left to itself: a
 * command queued for a Redis that is gone is never answered, even once its client is disconnected
 * (redis/ioredis#2169), so it must not hold a shutdown.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}
