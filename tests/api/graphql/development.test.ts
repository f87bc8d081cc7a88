import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { Service } from '../../../src/service';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startService, testConfig } from '../../support/service';
import { gql } from './client';

describe('GraphQL in the unauthenticated development mode', () => {
  let database: TestDatabase;
  let service: Service;

  before(async () => {
    database = await createTestDatabase('graphql_dev');
    service = await startService(testConfig(database.url, 'test-graphql-dev', { PAYOPS_AUTH: 'off' }), { roles: ['api'] });
  });
  after(async () => {
    await service.close();
    await database.drop();
  });

  it('serves GraphiQL and answers without a key, as the developer', async () => {
    const ide = await request(service.app.server).get('/graphiql');
    assert.equal(ide.status, 200);
    assert.match(ide.text, /graphiql/i);
    const answer = await gql(service, '{ health { cycleNumber system { status volume } } }');
    assert.deepEqual(answer.data, { health: { cycleNumber: 0, system: { status: 'HEALTHY', volume: 0 } } });
  });
});

describe('GraphQL with authentication on', () => {
  let database: TestDatabase;
  let service: Service;

  before(async () => {
    database = await createTestDatabase('graphql_prod');
    service = await startService(testConfig(database.url, 'test-graphql-prod'), { roles: ['api'] });
  });
  after(async () => {
    await service.close();
    await database.drop();
  });

  it('has no GraphiQL', async () => {
    assert.equal((await request(service.app.server).get('/graphiql')).status, 404);
  });
});
