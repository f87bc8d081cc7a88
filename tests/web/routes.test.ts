import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import request from 'supertest';
import { dashboardRoutes } from '../../src/api/dashboard';
import { generateOpenApi } from '../../src/api/openapi';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TestClock, loopEnv, playWindow } from '../support/loop';
import { bearer, keys, startService, testConfig } from '../support/service';
import { healthy } from '../support/traffic';
import { ensureDashboardBuilt } from './browser';

describe('the dashboard routes', () => {
  let database: TestDatabase;
  let service: Service;
  const clock = new TestClock();

  before(async () => {
    ensureDashboardBuilt();
    database = await createTestDatabase('web_routes');
    service = await startService(testConfig(database.url, 'test-web-routes', loopEnv), { now: clock.now });
    for (let k = 0; k < 3; k += 1) await playWindow(service, clock, k, healthy);
  });
  after(async () => {
    await service.close();
    await database.drop();
  });

  it('serves the built page at / without caching it, and its hashed assets for good', async () => {
    const page = await request(service.app.server).get('/');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    assert.ok(asset, 'index.html names its script');
    const script = await request(service.app.server).get(asset);
    assert.equal(script.status, 200);
    assert.match(script.headers['cache-control'] ?? '', /immutable/);
    const missing = await request(service.app.server).get('/no-such-page');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'not_found');
  });

  it('tells the page whether a key is needed and whose a key is', async () => {
    const anonymous = await request(service.app.server).get('/dashboard/session');
    assert.equal(anonymous.status, 200, 'no key is a question, not an error');
    assert.deepEqual(anonymous.body, { authRequired: true, name: null, roles: [] });
    const operator = await request(service.app.server).get('/dashboard/session').set(bearer(keys.operator));
    assert.deepEqual(operator.body.roles, ['operator', 'viewer']);
    const viewer = await request(service.app.server).get('/dashboard/session').set(bearer(keys.viewer));
    assert.deepEqual(viewer.body.roles, ['viewer']);
    const unknown = await request(service.app.server).get('/dashboard/session').set(bearer('no-such-key'));
    assert.equal(unknown.status, 401);
  });

  it("gives viewers each cycle's figures, oldest first, for the charts", async () => {
    assert.equal((await request(service.app.server).get('/dashboard/history')).status, 401);
    assert.equal((await request(service.app.server).get('/dashboard/history').set(bearer(keys.ingest))).status, 403);
    const history = await request(service.app.server).get('/dashboard/history?last=2').set(bearer(keys.viewer));
    assert.equal(history.status, 200);
    assert.equal(history.body.length, 2);
    assert.ok(history.body[0].cycleNumber < history.body[1].cycleNumber);
    const hdfc = history.body[1].issuers.find((i: { name: string }) => i.name === 'HDFC');
    assert.ok(hdfc.volume > 0);
    assert.ok(hdfc.successRate > 0.9 && hdfc.successRate <= 1);
    assert.equal((await request(service.app.server).get('/dashboard/history?last=0').set(bearer(keys.viewer))).status, 400);
  });

  it("keeps the dashboard routes out of the gateways' OpenAPI document", async () => {
    const doc = JSON.parse(await generateOpenApi());
    assert.deepEqual(
      Object.keys(doc.paths).filter((path) => path.startsWith('/dashboard')),
      [],
    );
  });

  it('says so at / when the dashboard has not been built', async () => {
    const app = Fastify().setValidatorCompiler(validatorCompiler).setSerializerCompiler(serializerCompiler);
    await dashboardRoutes(app, { config: service.config, db: service.db, dir: mkdtempSync(join(tmpdir(), 'payops-unbuilt-')) });
    const page = await app.inject({ url: '/' });
    assert.equal(page.statusCode, 503);
    assert.match(page.body, /npm run build/);
    await app.close();
  });
});

describe('the dashboard session without authentication', () => {
  let database: TestDatabase;
  let service: Service;

  before(async () => {
    database = await createTestDatabase('web_routes_open');
    service = await startService(testConfig(database.url, 'test-web-routes-open', { PAYOPS_AUTH: 'off' }));
  });
  after(async () => {
    await service.close();
    await database.drop();
  });

  it('needs no key and lets the page act as an operator', async () => {
    const session = await request(service.app.server).get('/dashboard/session');
    assert.deepEqual(session.body, { authRequired: false, name: null, roles: ['operator', 'viewer'] });
  });
});
