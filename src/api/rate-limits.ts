import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import { bearerKey, developer, type Authenticator } from './auth';
import { ApiError } from './errors';

interface Bucket {
  /** Start (epoch ms) of the fixed window this count belongs to: every process agrees on it. */
  window: number;
  /** Requests this process let through in the window. */
  local: number;
  /** Of those, the ones not yet added to the shared count. */
  unsynced: number;
  /** The shared count across processes at the last reconciliation, this process's included. */
  shared: number;
}

export interface ReconciledLimits {
  /** The store class @fastify/rate-limit instantiates; every instance is this one store. */
  Store: FastifyRateLimitStoreCtor;
  /** Adds this process's new counts to Redis and reads back the totals; a Redis outage leaves local counts in charge. */
  reconcile(): Promise<void>;
  stop(): void;
}

/**
 * Rate-limit counts kept in memory per process and reconciled through Redis every `syncMs`: a
 * limit holds across processes (to within what they let through between two reconciliations)
 * without a Redis round trip on each request, and each process keeps limiting on its own counts
 * while Redis is down.
 */
export function reconciledLimits(deps: { redis: Redis; prefix: string; timeWindowMs: number; syncMs: number }): ReconciledLimits {
  const buckets = new Map<string, Bucket>();
  const redisKey = (key: string, window: number) => `${deps.prefix}:ratelimit:${key}:${window}`;

  const store: FastifyRateLimitStore = {
    incr(key, callback, timeWindow) {
      const now = Date.now();
      const window = Math.floor(now / timeWindow) * timeWindow;
      let bucket = buckets.get(key);
      if (!bucket || bucket.window !== window) {
        bucket = { window, local: 0, unsynced: 0, shared: 0 };
        buckets.set(key, bucket);
      }
      bucket.local += 1;
      bucket.unsynced += 1;
      callback(null, { current: Math.max(bucket.local, bucket.shared + bucket.unsynced), ttl: window + timeWindow - now });
    },
    child: () => store,
  };

  let running: Promise<void> | null = null;
  async function sync(): Promise<void> {
    const window = Math.floor(Date.now() / deps.timeWindowMs) * deps.timeWindowMs;
    for (const [key, bucket] of buckets) if (bucket.window < window) buckets.delete(key);
    const pending = [...buckets].filter(([, bucket]) => bucket.unsynced > 0).map(([key, bucket]) => ({ key, bucket, delta: bucket.unsynced }));
    if (pending.length === 0) return;
    const pipeline = deps.redis.pipeline();
    for (const { key, bucket, delta } of pending) {
      pipeline.incrby(redisKey(key, bucket.window), delta);
      pipeline.pexpire(redisKey(key, bucket.window), 2 * deps.timeWindowMs);
    }
    const results = await pipeline.exec();
    pending.forEach(({ bucket, delta }, i) => {
      const [err, total] = results?.[2 * i] ?? [new Error('not run'), null];
      if (err) return;
      bucket.unsynced -= delta;
      bucket.shared = Number(total);
    });
  }

  const reconcile = () => {
    // One reconciliation at a time, so a delta is never sent twice.
    running ??= sync()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void reconcile(), deps.syncMs);
  timer.unref();

  return {
    Store: class {
      constructor() {
        return store;
      }
    } as unknown as FastifyRateLimitStoreCtor,
    reconcile,
    stop: () => clearInterval(timer),
  };
}

export interface RateLimitDeps {
  server: Config['server'];
  prefix: string;
  redis: Redis;
  authenticator: Authenticator;
}

/**
 * Limits every request, before authentication so a flood of bad keys is throttled too, and 404s
 * included (URL probing). A configured key is limited by its digest wherever it is used; anything
 * else by address, so a random wrong key gets no bucket of its own.
 */
export async function registerRateLimits(app: FastifyInstance, deps: RateLimitDeps): Promise<void> {
  const { server, authenticator } = deps;
  const limits = reconciledLimits({ redis: deps.redis, prefix: deps.prefix, timeWindowMs: server.rate_limit_window_ms, syncMs: server.rate_limit_sync_ms });
  app.addHook('onClose', async () => limits.stop());
  await app.register(rateLimit, {
    // One instance-wide hook (below) instead of one per route, so it runs before authentication.
    global: false,
    store: limits.Store,
    timeWindow: server.rate_limit_window_ms,
    keyGenerator: (request) => {
      // Without authentication every caller is the developer, limited as one key.
      if (!authenticator.enabled) return `key:${developer.digest}`;
      const key = bearerKey(request.headers.authorization);
      const identity = key ? authenticator.identify(key) : null;
      return identity ? `key:${identity.digest}` : `ip:${request.ip}`;
    },
    allowList: (request) => request.routeOptions.config.probe === true,
    max: (_request, key) => (key.startsWith('key:') ? server.rate_limit_max : server.rate_limit_max_anonymous),
    errorResponseBuilder: (_request, context) => new ApiError(429, 'rate_limited', `over ${context.max} requests in the window; retry in ${context.after}`),
  });
  app.addHook('onRequest', app.rateLimit());
}
