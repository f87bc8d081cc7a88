import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';

export const queueNames = { cycles: 'cycles', execute: 'execute', webhooks: 'webhooks' } as const;

export interface CycleJob {
  /** End (exclusive, epoch ms) of the newest window due; the worker runs every window up to it. */
  windowEnd: number;
}
export interface ExecuteJob {
  interventionId: string;
}
export interface WebhookJob {
  deliveryId: number;
}

export interface Queues {
  cycles: Queue<CycleJob>;
  execute: Queue<ExecuteJob>;
  webhooks: Queue<WebhookJob>;
  close(): Promise<void>;
}

/** BullMQ needs connections that retry forever instead of failing a command mid-outage. */
export function createQueueConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false });
  redis.on('error', () => undefined);
  return redis;
}

/**
 * A queue's key prefix, `<prefix>:{<name>}`. Redis Cluster runs a command only when all its keys
 * hash to one slot, and BullMQ's scripts touch many keys of a queue at once: the hash tag makes
 * every key of a queue hash by the queue's name alone, while the queues spread over the cluster.
 */
export const queuePrefix = (prefix: string, name: string) => `${prefix}:{${name}}`;

// Ids are the idempotency keys: the same window or intervention is only ever one job.
export const cycleJobId = (windowEnd: number) => `cycle-${windowEnd}`;
export const executeJobId = (interventionId: string) => `execute-${interventionId.replace(/:/g, '_')}`;
export const webhookJobId = (deliveryId: number) => `webhook-${deliveryId}`;

export function createQueues(connection: Redis, prefix: string, defaults: { attempts: number; backoffMs: number }): Queues {
  // Finished jobs are kept a while so a re-added id is recognised as done, not run again.
  const defaultJobOptions: JobsOptions = {
    attempts: defaults.attempts,
    backoff: { type: 'exponential', delay: defaults.backoffMs },
    removeOnComplete: { count: 5_000 },
    removeOnFail: { count: 5_000 },
  };
  const options = (name: string) => ({ connection, prefix: queuePrefix(prefix, name), defaultJobOptions, skipWaitingForReady: true });
  const cycles = new Queue<CycleJob>(queueNames.cycles, options(queueNames.cycles));
  const execute = new Queue<ExecuteJob>(queueNames.execute, options(queueNames.execute));
  const webhooks = new Queue<WebhookJob>(queueNames.webhooks, options(queueNames.webhooks));
  // Unheard, BullMQ prints each reconnect failure with its stack to stderr; an outage is reported
  // by readiness and payops_dependency_up instead.
  for (const queue of [cycles, execute, webhooks]) queue.on('error', () => undefined);
  return {
    cycles,
    execute,
    webhooks,
    async close() {
      await Promise.all([cycles.close(), execute.close(), webhooks.close()]);
    },
  };
}
