import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { GatewayShare, Transaction } from '../../src/agent';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TestClock, epoch, loopEnv, postTransactions, waitForWindow, windowMs } from '../support/loop';
import { bearer, keys, startService, testConfig } from '../support/service';
import { healthy, windowTraffic } from '../support/traffic';

const warmWindows = 12;
const gateways = ['pg_a', 'pg_b', 'pg_c'];

/** Window k's healthy traffic spread over three gateways; with `linkDown`, HDFC's payments through pg_a fail. */
function gatewayTraffic(k: number, linkDown: boolean): Transaction[] {
  return windowTraffic('route', epoch + k * windowMs, windowMs, 1_200, healthy).map((tx, i) => {
    const gateway = gateways[i % gateways.length]!;
    const broken = linkDown && tx.issuer === 'HDFC' && gateway === 'pg_a';
    return broken ? { ...tx, gateway, status: 'failed', errorCode: 'GATEWAY_TIMEOUT' } : { ...tx, gateway };
  });
}

interface Directive {
  id: string;
  action: string;
  target: string;
  params: { from?: string; to?: GatewayShare[]; trafficShare?: number };
}

// The whole service path of a route: SQL aggregates by gateway, the core's localisation and plan,
// the stored decision, the execute worker, and the directive a gateway reads.
describe("a gateway x issuer link fault is routed around on the agent's own authority", () => {
  let database: TestDatabase;
  let service: Service;
  const clock = new TestClock();

  before(async () => {
    database = await createTestDatabase('jobs_routing');
    service = await startService(testConfig(database.url, 'test-jobs-routing', loopEnv), { now: clock.now });
  });
  after(async () => {
    await service.close();
    await database.drop();
  });

  it("sends HDFC's pg_a payments through the other gateways within 2 windows, and suppresses nothing", async () => {
    const play = async (k: number, linkDown: boolean) => {
      await postTransactions(service, gatewayTraffic(k, linkDown));
      clock.afterWindow(k);
      await waitForWindow(service, k);
    };
    for (let k = 0; k < warmWindows; k += 1) await play(k, false);

    let route: Directive | undefined;
    for (let k = warmWindows; k < warmWindows + 2 && !route; k += 1) {
      await play(k, true);
      // The execute worker runs after the cycle commits: give it a moment before reading.
      for (let tries = 0; tries < 40 && !route; tries += 1) {
        const res = await request(service.app.server).get('/v1/routing/directives').set(bearer(keys.ingest));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        route = (res.body.directives as Directive[]).find((d) => d.action === 'ROUTE_GATEWAY');
        if (!route) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    assert.ok(route, 'a ROUTE_GATEWAY directive within 2 windows of the fault');
    assert.match(route.target, /^gateway:pg_a\/issuer:HDFC(\/method:\w+)?$/);
    assert.equal(route.params.from, 'pg_a');
    const to = route.params.to ?? [];
    assert.ok(to.length > 0 && to.every((share) => share.gateway !== 'pg_a'), JSON.stringify(to));
    assert.ok(Math.abs(to.reduce((sum, share) => sum + share.share, 0) - 1) < 1e-9, 'the shares sum to 1');

    const { rows } = await service.db.pool.query<{ action: string; requires_approval: boolean; status: string }>(
      'SELECT action, requires_approval, status FROM interventions WHERE id = $1',
      [route.id],
    );
    assert.deepEqual(rows[0], { action: 'ROUTE_GATEWAY', requires_approval: false, status: 'EXECUTED' });
    const { rows: steered } = await service.db.pool.query("SELECT id FROM interventions WHERE action IN ('SUPPRESS_ISSUER', 'REROUTE_METHOD')");
    assert.deepEqual(steered, [], 'no payer is turned away for a fault the gateways can route around');
  });
});
