import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import request from 'supertest';
import type { Service } from '../../../src/service';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { TestClock, loopEnv } from '../../support/loop';
import { keys, startService, testConfig } from '../../support/service';
import { codesOf, gql } from './client';

let database: TestDatabase;
let service: Service;

before(async () => {
  database = await createTestDatabase('graphql_limits');
  const limits = { PAYOPS_GRAPHQL_MAX_QUERY_DEPTH: '3', PAYOPS_GRAPHQL_MAX_QUERY_COST: '50', PAYOPS_GRAPHQL_MAX_PAGE_SIZE: '5' };
  service = await startService(testConfig(database.url, 'test-graphql-limits', { ...loopEnv, ...limits }), { now: new TestClock().now });
});
after(async () => {
  await service.close();
  await database.drop();
});

it('takes its depth, cost and page limits from the graphql config section', async () => {
  const deep = await gql(service, '{ cycles(last: 1) { interventions { cycle { number } } } }', {}, keys.viewer);
  assert.deepEqual(codesOf(deep), ['QUERY_TOO_COMPLEX']);
  assert.match(deep.errors![0]!.message, /depth/);

  const costly = await gql(service, '{ cycles(last: 5) { number transactions decision reason windowStart windowEnd patterns { id } } }', {}, keys.viewer);
  assert.deepEqual(codesOf(costly), ['QUERY_TOO_COMPLEX']);
  assert.match(costly.errors![0]!.message, /over the limit of 50/);

  const long = await gql(service, '{ cycles(last: 6) { number } }', {}, keys.viewer);
  assert.deepEqual(codesOf(long), ['BAD_USER_INPUT']);
  assert.match(long.errors![0]!.message, /from 0 to 5/);

  const fits = await gql(service, '{ cycles(last: 5) { number } }', {}, keys.viewer);
  assert.equal(fits.status, 200, JSON.stringify(fits.errors));
});

it('refuses a caller without a valid key before reading the body: no parsing, no cost analysis', async () => {
  const post = (body: string, key?: string) => {
    const req = request(service.app.server).post('/graphql').set('Content-Type', 'application/json');
    if (key) req.set('Authorization', `Bearer ${key}`);
    return req.send(body);
  };
  // Broken JSON and a body far over the limit: either would be a 400 or a 413 had it been read.
  for (const body of ['{"query": "{ cycles {', JSON.stringify({ query: `{ ${'cycles { number } '.repeat(400_000)}}` })]) {
    for (const key of [undefined, 'not-a-configured-key']) {
      const res = await post(body, key);
      assert.equal(res.status, 401, `${body.length} bytes, key ${key}`);
      assert.deepEqual(
        res.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code),
        ['UNAUTHENTICATED'],
      );
    }
  }
  const get = await request(service.app.server).get('/graphql').query({ query: '{ cycles { number } }' });
  assert.equal(get.status, 401);
});

it('limits /graphql bodies to graphql.body_limit_bytes (64 KiB) for known callers', async () => {
  const query = (bytes: number) => JSON.stringify({ query: `{ cycles(last: 1) { number } }${' '.repeat(bytes)}` });
  const over = await request(service.app.server)
    .post('/graphql')
    .set('Authorization', `Bearer ${keys.viewer}`)
    .set('Content-Type', 'application/json')
    .send(query(64 * 1024));
  assert.equal(over.status, 413);
  assert.deepEqual(
    over.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code),
    ['PAYLOAD_TOO_LARGE'],
  );
  const under = await request(service.app.server)
    .post('/graphql')
    .set('Authorization', `Bearer ${keys.viewer}`)
    .set('Content-Type', 'application/json')
    .send(query(60 * 1024));
  assert.equal(under.status, 200, JSON.stringify(under.body));
});

it('costs every request by its own variables, though the document is parsed once and cached', async () => {
  // Six fields a row: one row costs 7, nine rows 55, over the limit of 50.
  const document = 'query Page($n: Int) { cycles(last: $n) { number transactions decision reason windowStart windowEnd } }';
  for (const [n, codes] of [
    [1, []],
    [9, ['QUERY_TOO_COMPLEX']],
    [1, []],
    [9, ['QUERY_TOO_COMPLEX']],
  ] as const) {
    assert.deepEqual(codesOf(await gql(service, document, { n }, keys.viewer)), codes, `last: ${n}`);
  }
});
