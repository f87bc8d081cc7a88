import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createMetrics } from '../../src/api/metrics';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/client';
import { createQueueConnection, createQueues, queueNames, type Queues } from '../../src/jobs/queues';
import { startWorkers, type Workers } from '../../src/jobs/workers';
import { openTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort } from '../support/redis-server';

// A one-node Redis Cluster holds every slot, yet refuses any command or script whose keys hash to
// different slots (CROSSSLOT), exactly as a cluster of many nodes would: the service's queues and
// workers run on it here as they would on a real cluster.
let cluster: ChildProcess;
let url: string;
let database: TestDatabase;
let db: Database;
let closeDatabase: () => Promise<void>;
let admin: Redis;
before(async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'payops-cluster-'));
  cluster = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes', '--dir', dir],
    { stdio: 'ignore' },
  );
  url = `redis://127.0.0.1:${port}`;
  admin = new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: null });
  // Refused until the server is up; commands wait and retry.
  admin.on('error', () => undefined);
  await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  await eventually(async () => String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 'the cluster to be ready');
  ({ database, db, close: closeDatabase } = await openTestDatabase('queue_slots', 4));
});
after(async () => {
  admin.disconnect();
  await closeDatabase();
  cluster.kill('SIGKILL');
  await once(cluster, 'exit');
});

it("runs every queue on Redis Cluster: each queue's keys share one slot, and the queues spread over several", async () => {
  const prefix = 'payops-slots';
  const config = loadConfig({ REDIS_URL: url, PAYOPS_REDIS_KEY_PREFIX: prefix, DATABASE_URL: database.url });
  const connection = createQueueConnection(url);
  const publisher = createQueueConnection(url);
  let queues: Queues | undefined;
  let workers: Workers | undefined;
  try {
    queues = createQueues(connection, prefix, { attempts: 1, backoffMs: 10 });
    workers = startWorkers({ db, queues, publisher, config, logger: pino({ level: 'silent' }), now: () => new Date(), metrics: createMetrics().jobs });
    // One job through each queue, worker included: adding, taking, locking and completing all run scripts over several keys.
    const jobs = [
      [queues.cycles, await queues.cycles.add('cycle', { windowEnd: Math.floor(Date.now() / 60_000) * 60_000 })],
      [queues.execute, await queues.execute.add('execute', { interventionId: 'none' })],
      [queues.webhooks, await queues.webhooks.add('webhook', { deliveryId: 1 })],
    ] as const;
    for (const [queue, job] of jobs) await eventually(async () => (await queue.getJobState(job.id!)) === 'completed', `${queue.name} job to complete`);

    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    const slots = new Map<string, Set<number>>();
    for (const key of keys) {
      const queue = Object.values(queueNames).find((name) => key.startsWith(`${prefix}:{${name}}:`));
      // The event stream is one key, the only other key the workers write.
      if (!queue) {
        assert.equal(key, `${prefix}:events`);
        continue;
      }
      const slot = Number(await admin.call('CLUSTER', 'KEYSLOT', key));
      slots.set(queue, (slots.get(queue) ?? new Set()).add(slot));
    }
    assert.deepEqual([...slots.keys()].sort(), Object.values(queueNames).sort(), 'keys of every queue');
    for (const [queue, set] of slots) assert.equal(set.size, 1, `${queue}'s keys hash to one slot`);
    assert.equal(new Set([...slots.values()].map((set) => [...set][0])).size, Object.values(queueNames).length, 'each queue in a slot of its own');
  } finally {
    await workers?.close();
    await queues?.close();
    connection.disconnect();
    publisher.disconnect();
  }
});
