import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { countTransactions } from '../../src/db/transactions';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bearer, keys, startService, testConfig } from '../support/service';
import { createTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/eventually';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
let service: Service;
let apiOnly: Service;
let postgresLink: TcpProxy;
let redisLink: TcpProxy;

before(async () => {
  database = await createTestDatabase('dependencies');
  postgresLink = await createTcpProxy(5432);
  redisLink = await createTcpProxy(6379);
  const url = new URL(database.url);
  url.port = String(postgresLink.port);
  const config = testConfig(url.toString(), 'test-deps', { REDIS_URL: `redis://127.0.0.1:${redisLink.port}`, PAYOPS_INGEST_RETRY_AFTER_SECONDS: '7' });
  service = await startService(config);
  // The way a scaled-out API process runs behind a load balancer (npm start -- --role api).
  apiOnly = await startService(config, { roles: ['api'] });
});
after(async () => {
  await apiOnly.close();
  await service.close();
  await postgresLink.close();
  await redisLink.close();
  await database.drop();
});

const http = () => request(service.app.server);
const postOne = (tx = makeTransaction()) => http().post('/v1/transactions').set(bearer(keys.ingest)).send(tx);

const isReady = async () => (await http().get('/readyz')).status === 200;

const dependencyUp = async (app: Service) => {
  const text = (await request(app.app.server).get('/metrics')).text;
  return Object.fromEntries([...text.matchAll(/^payops_dependency_up\{dependency="(\w+)"\} (\d)$/gm)].map(([, name, value]) => [name, Number(value)]));
};

describe('readiness and outages', () => {
  it('is ready when Postgres and Redis both answer, naming what each process runs and needs', async () => {
    await eventually(isReady, 'readiness');
    const res = await http().get('/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ready', postgres: 'up', redis: 'up', roles: ['api', 'worker', 'scheduler'], needs: ['postgres', 'redis'] });
    const api = await request(apiOnly.app.server).get('/readyz');
    assert.deepEqual(api.body, { status: 'ready', postgres: 'up', redis: 'up', roles: ['api'], needs: ['postgres'] });
    assert.deepEqual(await dependencyUp(apiOnly), { postgres: 1, redis: 1 });
  });

  it('keeps an API process ready through a Redis outage, reporting Redis down; workers and schedulers are not', async () => {
    await redisLink.cut();
    const api = await request(apiOnly.app.server).get('/readyz');
    assert.equal(api.status, 200);
    assert.deepEqual(api.body, { status: 'ready', postgres: 'up', redis: 'down', roles: ['api'], needs: ['postgres'] });
    assert.deepEqual(await dependencyUp(apiOnly), { postgres: 1, redis: 0 });
    const all = await http().get('/readyz');
    assert.equal(all.status, 503);
    assert.equal(all.headers['retry-after'], '7');
    assert.deepEqual(all.body, { status: 'unready', postgres: 'up', redis: 'down', roles: ['api', 'worker', 'scheduler'], needs: ['postgres', 'redis'] });
    assert.equal((await request(apiOnly.app.server).post('/v1/transactions').set(bearer(keys.ingest)).send(makeTransaction())).status, 202);
    assert.equal((await postOne()).status, 202);
    await redisLink.restore();
    await eventually(isReady, 'readiness');
    await eventually(async () => (await dependencyUp(apiOnly)).redis === 1, 'redis seen up again');
  });

  it('answers 503 with Retry-After while Postgres is unreachable, stores nothing, then resumes', async () => {
    const before = await countTransactions(service.db);
    await postgresLink.cut();
    const ready = await http().get('/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.postgres, 'down');
    // Without Postgres nothing can be committed, so an API process leaves the balancer too.
    assert.equal((await request(apiOnly.app.server).get('/readyz')).status, 503);

    const tx = makeTransaction();
    const single = await postOne(tx);
    assert.equal(single.status, 503);
    assert.equal(single.headers['retry-after'], '7');
    assert.equal(single.body.error, 'unavailable');
    const batch = await http()
      .post('/v1/transactions/batch')
      .set(bearer(keys.ingest))
      .send({ transactions: [makeTransaction()] });
    assert.equal(batch.status, 503);
    // GraphQL answers at once with an error clients can switch on, rather than hanging.
    const started = Date.now();
    const graphql = await http().post('/graphql').set(bearer(keys.viewer)).send({ query: '{ cycles { number } interventions { id } }' });
    assert.ok(Date.now() - started < 5_000, 'no hang');
    assert.ok(graphql.body.errors?.length > 0, JSON.stringify(graphql.body));
    assert.ok(
      graphql.body.errors.every((e: { extensions: { code: string } }) => e.extensions.code === 'SERVICE_UNAVAILABLE'),
      JSON.stringify(graphql.body.errors),
    );

    await postgresLink.restore();
    await eventually(isReady, 'readiness');
    const recovered = await http().post('/graphql').set(bearer(keys.viewer)).send({ query: '{ cycles { number } }' });
    assert.deepEqual(recovered.body.errors, undefined, 'GraphQL recovers without a restart');
    // The client retries what got no 202; idempotency makes that safe.
    assert.deepEqual((await postOne(tx)).body, { accepted: 1, duplicates: 0 });
    assert.equal(await countTransactions(service.db), before + 1);
  });
});
