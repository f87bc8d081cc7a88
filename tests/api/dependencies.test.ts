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
let postgresLink: TcpProxy;
let redisLink: TcpProxy;

before(async () => {
  database = await createTestDatabase('dependencies');
  postgresLink = await createTcpProxy(5432);
  redisLink = await createTcpProxy(6379);
  const url = new URL(database.url);
  url.port = String(postgresLink.port);
  service = await startService(
    testConfig(url.toString(), 'test-deps', { REDIS_URL: `redis://127.0.0.1:${redisLink.port}`, PAYOPS_INGEST_RETRY_AFTER_SECONDS: '7' }),
  );
});
after(async () => {
  await service.close();
  await postgresLink.close();
  await redisLink.close();
  await database.drop();
});

const http = () => request(service.app.server);
const postOne = (tx = makeTransaction()) => http().post('/v1/transactions').set(bearer(keys.ingest)).send(tx);

const isReady = async () => (await http().get('/readyz')).status === 200;

describe('readiness and outages', () => {
  it('is ready when Postgres and Redis both answer', async () => {
    await eventually(isReady, 'readiness');
    const res = await http().get('/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ready', postgres: 'up', redis: 'up' });
  });

  it('reports Redis down, keeps committing transactions, and recovers on its own', async () => {
    await redisLink.cut();
    const res = await http().get('/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { status: 'unready', postgres: 'up', redis: 'down' });
    assert.equal((await postOne()).status, 202);
    await redisLink.restore();
    await eventually(isReady, 'readiness');
  });

  it('answers 503 with Retry-After while Postgres is unreachable, stores nothing, then resumes', async () => {
    const before = await countTransactions(service.db);
    await postgresLink.cut();
    const ready = await http().get('/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.postgres, 'down');

    const tx = makeTransaction();
    const single = await postOne(tx);
    assert.equal(single.status, 503);
    assert.equal(single.headers['retry-after'], '7');
    assert.equal(single.body.error, 'unavailable');
    const batch = await http().post('/v1/transactions/batch').set(bearer(keys.ingest)).send({ transactions: [makeTransaction()] });
    assert.equal(batch.status, 503);
    // GraphQL answers at once with an error clients can switch on, rather than hanging.
    const started = Date.now();
    const graphql = await http().post('/graphql').set(bearer(keys.viewer)).send({ query: '{ cycles { number } interventions { id } }' });
    assert.ok(Date.now() - started < 5_000, 'no hang');
    assert.ok(graphql.body.errors?.length > 0, JSON.stringify(graphql.body));
    assert.ok(graphql.body.errors.every((e: { extensions: { code: string } }) => e.extensions.code === 'SERVICE_UNAVAILABLE'), JSON.stringify(graphql.body.errors));

    await postgresLink.restore();
    await eventually(isReady, 'readiness');
    const recovered = await http().post('/graphql').set(bearer(keys.viewer)).send({ query: '{ cycles { number } }' });
    assert.deepEqual(recovered.body.errors, undefined, 'GraphQL recovers without a restart');
    // The client retries what got no 202; idempotency makes that safe.
    assert.deepEqual((await postOne(tx)).body, { accepted: 1, duplicates: 0 });
    assert.equal(await countTransactions(service.db), before + 1);
  });
});
