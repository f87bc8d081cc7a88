import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import request from 'supertest';
import type { Params } from '../../src/agent';
import type { NewIntervention } from '../../src/db/interventions';
import { approveIntervention, executeIntervention, expireDue, rollbackIntervention } from '../../src/interventions/operations';
import { deliverWebhook, eventHeader } from '../../src/jobs/webhooks';
import type { Service } from '../../src/service';
import { hypothesis, seedAlert, seedIntervention } from '../api/graphql/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bearer, keys, startService, testConfig } from '../support/service';

// The service side of each action, driven directly: only the API runs, so no cycle of the core
// proposes anything here, and every move is one this file seeded.
describe('ROUTE_GATEWAY and heartbeat alerts through execute, approval, rollback and expiry', () => {
  let database: TestDatabase;
  let service: Service;
  let hook: { url: string; calls: { body: string; headers: IncomingMessage['headers'] }[]; server: Server };
  const settings = { probeShare: 0.05, webhooks: [] as string[] };
  const now = new Date('2030-01-01T08:00:00Z');
  const path = 'gateway:pg_a/issuer:HDFC/method:upi';
  const to = [
    { gateway: 'pg_b', share: 0.6 },
    { gateway: 'pg_c', share: 0.4 },
  ];

  const seedRoute = (fields: Partial<NewIntervention> = {}) =>
    seedIntervention(service.db, {
      action: 'ROUTE_GATEWAY',
      target: path,
      subject: path,
      params: { from: 'pg_a', to },
      hypothesis: { ...hypothesis, cause: 'LINK_FAULT', patternType: 'GATEWAY_DEGRADATION', target: path },
      status: 'PROPOSED',
      requiresApproval: false,
      approvalExpiresAt: null,
      createdAt: now,
      ...fields,
    });
  const directives = async () => {
    const res = await request(service.app.server).get('/v1/routing/directives').set(bearer(keys.ingest));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.directives as { id: string; action: string; target: string; params: Params }[];
  };
  const audited = async (id: string) =>
    (
      await service.db.pool.query<{ kind: string; data: { action: string; heartbeat: boolean } }>(
        'SELECT kind, data FROM audit_log WHERE subject = $1 ORDER BY id',
        [id],
      )
    ).rows;

  before(async () => {
    const calls: { body: string; headers: IncomingMessage['headers'] }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        calls.push({ body, headers: req.headers });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hook = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, server };
    database = await createTestDatabase('jobs_interventions');
    service = await startService(testConfig(database.url, 'test-jobs-interventions'), { roles: ['api'], now: () => now });
  });
  after(async () => {
    await service.close();
    await database.drop();
    hook.server.close();
  });

  it('puts a route in force as a directive with from, to and its share, once, and rolls it back', async () => {
    const route = await seedRoute();
    assert.deepEqual(await executeIntervention(service.db, route.id, settings, now), { executed: true, webhookDeliveries: [] });
    assert.equal((await executeIntervention(service.db, route.id, settings, now)).executed, false, 'a retried job changes nothing');
    assert.deepEqual(await directives(), [
      {
        id: route.id,
        action: 'ROUTE_GATEWAY',
        target: path,
        params: { from: 'pg_a', to, trafficShare: 1 },
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 600_000).toISOString(),
      },
    ]);

    const rolledBack = await rollbackIntervention(service.db, route.id, 'operator:test', 'pg_a says the link is fixed', now);
    assert.equal(rolledBack.status, 'ROLLED_BACK');
    assert.deepEqual(await directives(), []);
    const entries = await audited(route.id);
    assert.deepEqual(
      entries.map((e) => e.kind),
      ['intervention.proposed', 'intervention.executed', 'intervention.rolled_back'],
    );
    assert.ok(entries.every((e) => e.data.action === 'ROUTE_GATEWAY'));
  });

  it('routes only the share an operator approved, or that containment allows, and ends it when its TTL runs out', async () => {
    const approved = await seedRoute({ status: 'AWAITING_APPROVAL', requiresApproval: true, approvalExpiresAt: new Date(now.getTime() + 60_000) });
    await approveIntervention(service.db, approved.id, 'operator:test', null, { trafficShare: 0.5 }, now);
    await executeIntervention(service.db, approved.id, settings, now);
    const contained = await seedRoute({ params: { from: 'pg_a', to, trafficShare: 0.3 } });
    await executeIntervention(service.db, contained.id, settings, now);
    const shares = Object.fromEntries((await directives()).map((d) => [d.id, d.params.trafficShare]));
    assert.deepEqual(shares, { [approved.id]: 0.5, [contained.id]: 0.3 });

    const expired = await expireDue(service.db, new Date(now.getTime() + 601_000), pino({ level: 'silent' }));
    assert.equal(expired, 2);
    assert.deepEqual(await directives(), []);
    assert.equal((await audited(approved.id)).at(-1)!.kind, 'intervention.expired');
  });

  it('sends the heartbeat alert as ops.heartbeat and a real alert as ops.alert, each marked in the audit', async () => {
    const alert = (heartbeat: boolean) => seedAlert(service.db, heartbeat, now);
    const sent = new Map<string, { event: string; heartbeat: boolean; header: unknown }>();
    for (const heartbeat of [true, false]) {
      const row = await alert(heartbeat);
      const { webhookDeliveries } = await executeIntervention(service.db, row.id, { ...settings, webhooks: [hook.url] }, now);
      assert.equal(webhookDeliveries.length, 1);
      await deliverWebhook(service.db, webhookDeliveries[0]!, { secret: 's', timeoutMs: 2_000 }, true, () => now);
      const call = hook.calls.at(-1)!;
      const body = JSON.parse(call.body);
      assert.equal(body.interventionId, row.id);
      sent.set(String(heartbeat), { event: body.event, heartbeat: body.heartbeat, header: call.headers[eventHeader] });
      assert.ok((await audited(row.id)).every((e) => e.data.heartbeat === heartbeat));
    }
    assert.deepEqual(sent.get('true'), { event: 'ops.heartbeat', heartbeat: true, header: 'ops.heartbeat' });
    assert.deepEqual(sent.get('false'), { event: 'ops.alert', heartbeat: false, header: 'ops.alert' });
  });
});
