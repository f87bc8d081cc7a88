import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import request from 'supertest';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { bearer, keys, startService, testConfig } from '../support/service';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('overload');
});
after(async () => {
  await database.drop();
});

const start = (env: Record<string, string>) => startService(testConfig(database.url, 'test-overload', env), { roles: ['api'] });
const post = (service: Service, tx = makeTransaction()) => request(service.app.server).post('/v1/transactions').set(bearer(keys.ingest)).send(tx);
const shedCount = async (service: Service, reason: string) => {
  const text = (await request(service.app.server).get('/metrics')).text;
  return Number(new RegExp(`^payops_requests_shed_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
};

/** Probes and scrapes answer while everything else is shed. */
async function assertProbesAnswer(service: Service): Promise<void> {
  for (const path of ['/healthz', '/readyz', '/metrics']) assert.equal((await request(service.app.server).get(path)).status, 200, path);
}

describe('shedding when the group-commit queue is over ingest.max_queued_transactions', () => {
  let service: Service;
  before(async () => {
    service = await start({ PAYOPS_INGEST_MAX_QUEUED_TRANSACTIONS: '50', PAYOPS_INGEST_RETRY_AFTER_SECONDS: '3' });
  });
  after(async () => {
    await service.close();
  });

  it('answers 503 overloaded with Retry-After once the queue is full, and every 202 is committed', async () => {
    // A lock holds the commit in flight, as a slow disk or a vacuum would, so the queue grows.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE transactions IN ACCESS EXCLUSIVE MODE');
    const sent = Array.from({ length: 600 }, () => makeTransaction());
    const answers: Promise<request.Response>[] = [];
    try {
      // Each request is sent as soon as it is awaited as a promise.
      answers.push(...sent.slice(0, 300).map((tx) => Promise.resolve(post(service, tx))));
      await eventually(async () => service.ingestor.queued() > 50, 'a full queue');
      // The queue is looked at every 20 ms; the second wave arrives once it has been seen full.
      await new Promise((resolve) => setTimeout(resolve, 100));
      answers.push(...sent.slice(300).map((tx) => Promise.resolve(post(service, tx))));
      await eventually(async () => (await shedCount(service, 'group_commit_queue')) > 0, 'requests shed');
      await assertProbesAnswer(service);
    } finally {
      await blocker.query('COMMIT');
      await blocker.end();
    }
    const settled = await Promise.all(answers);
    const accepted = sent.filter((_, i) => settled[i]!.status === 202).map((tx) => tx.id);
    const shed = settled.filter((res) => res.status === 503);
    assert.equal(accepted.length + shed.length, sent.length, `only 202 and 503: ${[...new Set(settled.map((res) => res.status))].join(', ')}`);
    assert.ok(shed.length >= 300, `the second wave is shed (${shed.length} shed)`);
    for (const res of shed) {
      assert.equal(res.body.error, 'overloaded');
      assert.equal(res.headers['retry-after'], '3');
    }
    const { rows } = await service.db.pool.query<{ id: string }>('SELECT id FROM transactions WHERE id = ANY($1)', [sent.map((tx) => tx.id)]);
    assert.deepEqual(rows.map((row) => row.id).sort(), [...accepted].sort(), 'exactly the answered 202s are stored');
    // Drained, it takes traffic again.
    await eventually(async () => (await post(service)).status === 202, 'recovery');
  });
});

describe('shedding when the heap is over server.max_heap_used_share', () => {
  let service: Service;
  before(async () => {
    service = await start({ PAYOPS_SERVER_MAX_HEAP_USED_SHARE: '0.0001' });
  });
  after(async () => {
    await service.close();
  });

  it('refuses ingestion and GraphQL, keeps probes and metrics', async () => {
    const res = await eventually(async () => {
      const answer = await post(service);
      return answer.status === 503 ? answer : undefined;
    }, 'heap pressure seen');
    assert.equal(res.body.error, 'overloaded');
    assert.match(res.body.message, /heap/);
    assert.equal((await request(service.app.server).post('/graphql').set(bearer(keys.viewer)).send({ query: '{ cycles { number } }' })).status, 503);
    await assertProbesAnswer(service);
    assert.ok((await shedCount(service, 'heap')) >= 2);
  });
});

describe('shedding when the event loop lags over server.max_event_loop_delay_ms', () => {
  let service: Service;
  before(async () => {
    service = await start({ PAYOPS_SERVER_MAX_EVENT_LOOP_DELAY_MS: '50' });
  });
  after(async () => {
    await service.close();
  });

  it('refuses while the loop lags, and takes traffic again once it recovers', async () => {
    assert.equal((await post(service)).status, 202);
    // The service runs in this process: stalling the loop here stalls it there, 300 ms at a time
    // for a few one-second samples, as a loop drowning in work would.
    const lagUntil = Date.now() + 2_500;
    while (Date.now() < lagUntil) {
      const stall = Date.now() + 300;
      while (Date.now() < stall);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const res = await post(service);
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.match(res.body.message, /event_loop_delay/);
    await eventually(async () => (await post(service)).status === 202, 'recovery');
  });
});
