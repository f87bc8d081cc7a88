import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
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
