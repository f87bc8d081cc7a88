import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { ConfigError } from '../../src/config';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bearer, keys, startService, testConfig } from '../support/service';
import { eventually } from '../support/eventually';
import { createTcpProxy, type TcpProxy } from '../support/tcp-proxy';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('rate_limits');
});
after(async () => {
  await database.drop();
});

// Windows are fixed and aligned (every process agrees on them): an hour long, so no test straddles two.
const limits = {
  PAYOPS_SERVER_RATE_LIMIT_MAX: '40',
  PAYOPS_SERVER_RATE_LIMIT_MAX_ANONYMOUS: '20',
  PAYOPS_SERVER_RATE_LIMIT_WINDOW_MS: '3600000',
  PAYOPS_SERVER_RATE_LIMIT_SYNC_MS: '50',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function statuses(service: Service, count: number, headers: () => Record<string, string>): Promise<number[]> {
  const answers: number[] = [];
  for (let i = 0; i < count; i += 1) answers.push((await request(service.app.server).get('/v1/routing/directives').set(headers())).status);
  return answers;
}
const limited = (answers: number[]) => answers.filter((status) => status === 429).length;

describe('rate limits shared by every process through Redis', () => {
  const services: Service[] = [];
  before(async () => {
    // One configuration, so both processes share the Redis key prefix as a deployment does.
    const config = testConfig(database.url, 'test-rate-shared', limits);
    for (let i = 0; i < 2; i += 1) services.push(await startService(config, { roles: ['api'] }));
    // Asked directly: a request would count against the address's limit.
    for (const service of services) await eventually(async () => service.redis.status === 'ready', 'redis connected');
  });
  after(async () => {
    for (const service of services) await service.close();
  });

  it("counts a key's requests to one process against its limit in the other", async () => {
    const [a, b] = services as [Service, Service];
    assert.equal(limited(await statuses(a, 30, () => bearer(keys.ingest))), 0);
    assert.equal(limited(await statuses(b, 1, () => bearer(keys.ingest))), 0);
    // Processes reconcile every 50 ms here; a loaded CI machine can delay a round or two. A process
    // reads the shared count back when it adds its own, so b's one more request brings it a's last ones.
    await sleep(1200);
    assert.equal(limited(await statuses(b, 1, () => bearer(keys.ingest))), 0);
    await sleep(1200);
    // 32 spent of 40: b lets eight more through, not 38.
    const answers = await statuses(b, 28, () => bearer(keys.ingest));
    assert.equal(limited(answers), 20);
    // Another key has its own bucket.
    assert.equal(limited(await statuses(b, 5, () => bearer(keys.viewer))), 0);
  });

  it('limits callers without a configured key by address, however many wrong keys they try', async () => {
    const [a] = services as [Service];
    const answers = await statuses(a, 30, () => bearer(`guess-${randomUUID()}`));
    assert.equal(answers.filter((status) => status === 401).length, 20);
    assert.equal(limited(answers), 10);
    // Probes and scrapes from the same address still answer.
    for (const path of ['/healthz', '/readyz', '/metrics']) assert.equal((await request(a.app.server).get(path)).status, 200, path);
  });
});

describe('rate limits while Redis is down', () => {
  let service: Service;
  let redisLink: TcpProxy;
  before(async () => {
    redisLink = await createTcpProxy(6379);
    service = await startService(testConfig(database.url, 'test-rate-local', { ...limits, REDIS_URL: `redis://127.0.0.1:${redisLink.port}` }), {
      roles: ['api'],
    });
  });
  after(async () => {
    // Closed with its Redis link still cut: a shutdown must not wait for Redis (tests/reliability/shutdown.test.ts).
    await service.close();
    await redisLink.close();
  });

  it("keeps limiting on each process's own counts, without waiting for Redis", async () => {
    await redisLink.cut();
    const started = Date.now();
    const answers = await statuses(service, 45, () => bearer(keys.ingest));
    assert.deepEqual([answers.slice(0, 40).every((status) => status === 200), limited(answers)], [true, 5]);
    assert.ok(Date.now() - started < 5_000, 'no request waits for Redis');
  });
});

describe('anonymous callers behind a proxy (server.trust_proxy)', () => {
  // The test client connects from 127.0.0.1: that is the proxy's address here.
  const forwardedFor = (client: string) => () => ({ 'X-Forwarded-For': client });

  it('is off by default: X-Forwarded-For is ignored and every caller shares the proxy address', async () => {
    const service = await startService(testConfig(database.url, 'test-rate-proxy-off', limits), { roles: ['api'] });
    try {
      assert.equal(service.config.server.trust_proxy, false);
      const answers = [...(await statuses(service, 15, forwardedFor('203.0.113.1'))), ...(await statuses(service, 15, forwardedFor('203.0.113.2')))];
      // 20 anonymous requests per address: the second client is limited by the first one's use.
      assert.equal(limited(answers), 10);
    } finally {
      await service.close();
    }
  });

  it('limits each forwarded client by its own address once the proxy is trusted', async () => {
    const service = await startService(testConfig(database.url, 'test-rate-proxy-on', { ...limits, PAYOPS_SERVER_TRUST_PROXY: '127.0.0.1' }), {
      roles: ['api'],
    });
    try {
      assert.deepEqual(service.config.server.trust_proxy, ['127.0.0.1']);
      assert.equal(limited(await statuses(service, 15, forwardedFor('203.0.113.1'))), 0);
      assert.equal(limited(await statuses(service, 15, forwardedFor('203.0.113.2'))), 0);
      // Each client still has its limit, whatever else it sends.
      assert.equal(limited(await statuses(service, 10, forwardedFor('203.0.113.1'))), 5);
    } finally {
      await service.close();
    }
  });

  it('refuses a trusted proxy that is not an address or range, naming the key', () => {
    for (const value of ['not-an-ip', '10.0.0.0/33', '10.0.0.1,,']) {
      assert.throws(
        () => testConfig(database.url, 'test-rate-proxy-bad', { PAYOPS_SERVER_TRUST_PROXY: value }),
        (err: unknown) => err instanceof ConfigError && err.problems.some((line) => line.startsWith('server.trust_proxy')),
        value,
      );
    }
    assert.equal(testConfig(database.url, 'test-rate-proxy-true', { PAYOPS_SERVER_TRUST_PROXY: 'true' }).server.trust_proxy, true);
  });
});
