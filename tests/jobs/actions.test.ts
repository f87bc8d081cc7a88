import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { getIntervention, interventionsWithStatus } from '../../src/db/interventions';
import { signBody } from '../../src/jobs/webhooks';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { TestClock, loopEnv, obeyDirectives, playWindow } from '../support/loop';
import { bearer, keys, startService, testConfig } from '../support/service';
import { healthy, withOutage, type Mix } from '../support/traffic';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

/** A webhook receiver that answers 500 to the first `failures` calls of each delivery, then 200. */
async function receiver(failures: number): Promise<{ url: string; calls: Received[]; server: Server }> {
  const calls: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      calls.push({ body, headers: req.headers });
      const attempts = calls.filter((call) => call.headers['x-payops-delivery'] === req.headers['x-payops-delivery']).length;
      res.statusCode = attempts <= failures ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, server };
}

/**
 * A receiver's check of the Standard Webhooks scheme, written from its specification
 * (standardwebhooks.com) and not from the service's code: HMAC-SHA256 keyed by the base64 after
 * `whsec_`, over `id.timestamp.body`, any one of the space-separated `v1,` signatures, and a
 * timestamp within the tolerance of the receiver's clock.
 */
function verifyStandardWebhook(secret: string, headers: IncomingMessage['headers'], body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string' || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const presented = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && presented.length === expected.length && timingSafeEqual(presented, expected);
  });
}

describe('ops alerts go to webhooks, signed, retried and dead-lettered', () => {
  let database: TestDatabase;
  let service: Service;
  const clock = new TestClock();
  let flaky: Awaited<ReturnType<typeof receiver>>;
  let broken: Awaited<ReturnType<typeof receiver>>;
  const secret = `whsec_${Buffer.from('a test secret of thirty-two bytes').toString('base64')}`;

  before(async () => {
    flaky = await receiver(2);
    broken = await receiver(Number.POSITIVE_INFINITY);
    database = await createTestDatabase('webhooks');
    service = await startService(
      testConfig(database.url, 'test-webhooks', {
        ...loopEnv,
        // A quiet cycle forces the original's baseline ALERT_OPS.
        PAYOPS_AGENT_MIN_ACTION_FREQUENCY_CYCLES: '2',
        PAYOPS_ACTIONS_WEBHOOKS: `[${flaky.url}, ${broken.url}]`,
        PAYOPS_ACTIONS_WEBHOOK_SECRET: secret,
        PAYOPS_ACTIONS_WEBHOOK_ATTEMPTS: '3',
        PAYOPS_ACTIONS_WEBHOOK_BACKOFF_MS: '20',
      }),
      { now: clock.now },
    );
  });
  after(async () => {
    await service.close();
    await database.drop();
    flaky.server.close();
    broken.server.close();
  });

  it('delivers once after retries, and dead-letters after the last attempt', async () => {
    for (let k = 0; k < 2; k += 1) await playWindow(service, clock, k, healthy);
    const deliveries = await eventually(async () => {
      const { rows } = await service.db.pool.query(
        "SELECT * FROM webhook_deliveries WHERE intervention_id = (SELECT min(intervention_id) FROM webhook_deliveries) AND status <> 'pending'",
      );
      return rows.length === 2 ? rows : undefined;
    }, 'both deliveries of the first alert settled');
    const byUrl = new Map(deliveries.map((row) => [row.url, row]));
    assert.equal(byUrl.get(flaky.url).status, 'delivered');
    assert.equal(byUrl.get(flaky.url).attempts, 3);
    assert.equal(byUrl.get(broken.url).status, 'dead');
    assert.equal(byUrl.get(broken.url).attempts, 3);

    const calls = flaky.calls.filter((call) => call.headers['x-payops-delivery'] === String(byUrl.get(flaky.url).id));
    assert.equal(calls.length, 3, 'two failures, then the delivery');
    const delivered = calls.at(-1)!;
    const nowSeconds = Math.floor(clock.ms / 1000);
    assert.ok(verifyStandardWebhook(secret, delivered.headers, delivered.body, nowSeconds), JSON.stringify(delivered.headers));
    // Retries carry the same id, so a receiver keeps one; the signature holds only for the body sent.
    assert.deepEqual(new Set(calls.map((call) => call.headers['webhook-id'])), new Set([delivered.headers['webhook-id']]));
    assert.equal(verifyStandardWebhook(secret, delivered.headers, delivered.body.replace('ALERT_OPS', 'ALERT_OPZ'), nowSeconds), false);
    assert.equal(
      verifyStandardWebhook(`whsec_${Buffer.from('another secret of thirty-two byte').toString('base64')}`, delivered.headers, delivered.body, nowSeconds),
      false,
    );
    // A captured delivery replayed ten minutes later is out of the tolerance window.
    assert.equal(verifyStandardWebhook(secret, delivered.headers, delivered.body, nowSeconds + 600), false);
    // The deprecated header is still sent for receivers not yet moved to the standard one.
    assert.equal(delivered.headers['x-payops-signature'], signBody(secret, delivered.body));
    const payload = JSON.parse(delivered.body);
    assert.equal(payload.action, 'ALERT_OPS');
    // The quiet cycle's baseline alert is the heartbeat, never a page.
    assert.deepEqual([payload.event, payload.heartbeat, delivered.headers['x-payops-event']], ['ops.heartbeat', true, 'ops.heartbeat']);
    const { rows } = await service.db.pool.query("SELECT data FROM audit_log WHERE kind = 'webhook.dead_lettered' AND subject = $1", [
      byUrl.get(broken.url).intervention_id,
    ]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].data.url, broken.url);

    // The worker counts an attempt once its job settles, a moment after the row does.
    await eventually(async () => {
      const metrics = (await request(service.app.server).get('/metrics')).text;
      const count = (series: string) =>
        Number(
          metrics
            .split('\n')
            .find((line) => line.startsWith(`${series} `))
            ?.split(' ')[1] ?? 0,
        );
      const attempts = (outcome: string) => count(`payops_webhook_attempts_total{outcome="${outcome}"}`);
      // Each failed attempt before the last is a job retry; the last one is the job's failure.
      return (
        attempts('delivered') >= 1 &&
        attempts('dead') >= 1 &&
        attempts('failed') >= 4 &&
        count('payops_job_retries_total{queue="webhooks"}') >= 1 &&
        count('payops_job_failures_total{queue="webhooks"}') >= 1
      );
    }, 'webhook outcomes, job retries and the dead letter counted in /metrics');
  });
});

describe('an action that makes things worse', () => {
  let database: TestDatabase;
  let service: Service;
  const clock = new TestClock();

  before(async () => {
    database = await createTestDatabase('rollback');
    // The service's 5% probe, as the agent would keep on a large bank: HDFC's own traffic is then too thin to
    // measure, so the move is judged by the system's change, which the collapse below makes worse.
    service = await startService(testConfig(database.url, 'test-rollback', { ...loopEnv, PAYOPS_AGENT_MAX_PROBE_SHARE: '0.05' }), { now: clock.now });
  });
  after(async () => {
    await service.close();
    await database.drop();
  });

  it('is rolled back automatically, its directive removed, and the audit says why', async () => {
    for (let k = 0; k < 12; k += 1) await playWindow(service, clock, k, healthy);
    await playWindow(service, clock, 12, withOutage(healthy, 'HDFC'));
    const suppression = await eventually(async () => {
      const executed = await interventionsWithStatus(service.db.pool, ['EXECUTED']);
      return executed.find((row) => row.action === 'SUPPRESS_ISSUER');
    }, 'an executed suppression');

    // After the suppression everything gets worse: every issuer drops to 50%.
    const collapse: Mix = Object.fromEntries(
      Object.entries(healthy).map(([issuer, b]) => [issuer, { ...b, successRate: 0.5, failureCode: 'ISSUER_UNAVAILABLE' }]),
    );
    for (let k = 13; k < 18; k += 1) await playWindow(service, clock, k, await obeyDirectives(service, collapse, 'ICICI'));
    const rolledBack = await eventually(async () => {
      const row = await getIntervention(service.db.pool, suppression.id);
      return row?.status === 'ROLLED_BACK' ? row : undefined;
    }, 'automatic rollback');
    assert.equal(rolledBack.outcome?.rollbackRecommended, true);
    const live = await request(service.app.server).get('/v1/routing/directives').set(bearer(keys.ingest));
    // Other moves may have started meanwhile (everything is failing); this one's directive is gone.
    assert.deepEqual(
      live.body.directives.filter((d: { id: string }) => d.id === suppression.id),
      [],
    );
    const { rows } = await service.db.pool.query("SELECT actor, data FROM audit_log WHERE subject = $1 AND kind = 'intervention.rolled_back'", [
      suppression.id,
    ]);
    assert.equal(rows[0].actor, 'agent');
    assert.match(rows[0].data.reason, /automatic rollback: success -\d/);
  });
});
