import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'graphql-ws';
import type { Config } from '../../../src/config';
import { publishOutbox } from '../../../src/jobs/events';
import type { Service } from '../../../src/service';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { eventually } from '../../support/eventually';
import { TestClock, loopEnv, playWindow } from '../../support/loop';
import { keys, startService, testConfig } from '../../support/service';
import { createTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { withOutage } from '../../support/traffic';
import { collect, gql, wsClient, type Feed } from './client';
import { seedIntervention } from './fixtures';

const warmWindows = 12;
// HDFC carries 25% of traffic: above the 20% autonomy limit, so its suppression waits for an operator.
const bigHdfc = {
  HDFC: { share: 0.25, successRate: 0.95 },
  ICICI: { share: 0.25, successRate: 0.95 },
  AXIS: { share: 0.25, successRate: 0.95 },
  SBI: { share: 0.25, successRate: 0.95 },
};

type Event = {
  interventionEvents: {
    type: string;
    actor: string;
    reason: string | null;
    intervention: { id: string; action: string; status: string; hypothesis: { cause: string } | null };
  };
};
const eventsQuery = 'subscription { interventionEvents { type at actor reason intervention { id action status hypothesis { cause } } } }';

/** Stored and published like any other event, on a target no test traffic uses. */
async function probe(writer: Service): Promise<string> {
  const row = await seedIntervention(writer.db, { status: 'SHADOW', target: 'issuer:PROBE', subject: 'issuer:PROBE' });
  await publishOutbox(writer.db, writer.redis, writer.config.redis.key_prefix);
  return row.id;
}

/** Subscriptions start asynchronously on the server: probe until every feed has seen an event. */
async function untilLive(writer: Service, feeds: Feed<unknown>[]): Promise<void> {
  await eventually(async () => {
    if (feeds.every((feed) => feed.items.length > 0)) return true;
    await probe(writer);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return false;
  }, 'subscriptions live');
}

const typesFor = (feed: Feed<Event>, id: string) => feed.items.filter((e) => e.interventionEvents.intervention.id === id).map((e) => e.interventionEvents.type);

describe('intervention events over graphql-ws, across API processes', () => {
  let database: TestDatabase;
  let config: Config;
  let main: Service;
  let second: Service;
  let proxied: Service;
  let proxy: TcpProxy;
  const clients: Client[] = [];
  const clock = new TestClock();

  before(async () => {
    database = await createTestDatabase('graphql_subscriptions');
    // A 5% probe keeps HDFC's suppression above the autonomy limit at this test's thin volume, so it asks for approval.
    config = testConfig(database.url, 'test-graphql-subs', { ...loopEnv, PAYOPS_AGENT_APPROVAL_TTL_SECONDS: '30', PAYOPS_AGENT_MAX_PROBE_SHARE: '0.05' });
    main = await startService(config, { now: clock.now });
    // Two more API-only processes on the same database and event stream; the last reaches Redis through a proxy we can cut.
    second = await startService(config, { roles: ['api'], now: clock.now });
    const redisPort = Number(new URL(config.redis.url).port || 6379);
    proxy = await createTcpProxy(redisPort);
    proxied = await startService({ ...config, redis: { ...config.redis, url: `redis://127.0.0.1:${proxy.port}` } }, { roles: ['api'], now: clock.now });
    for (const service of [main, second, proxied]) await service.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await Promise.all(clients.map(async (client) => client.dispose()));
    for (const service of [proxied, second, main]) await service?.close();
    await proxy?.close();
    await database?.drop();
  });

  const client = (service: Service, key?: string, headers?: Record<string, string>) => {
    const created = wsClient(service, key, headers);
    clients.push(created);
    return created;
  };

  it('refuses a connection without a viewer key, and checks a key sent on the upgrade request', async () => {
    const attempts: [string, string | undefined, Record<string, string> | undefined][] = [
      ['no key', undefined, undefined],
      ['unknown key', 'not-a-known-key', undefined],
      ['gateway key', keys.ingest, undefined],
      ['bad upgrade header', keys.viewer, { Authorization: 'Bearer not-a-known-key' }],
    ];
    for (const [label, key, headers] of attempts) {
      const feed = collect<Event>(client(main, key, headers), eventsQuery);
      await eventually(async () => feed.errors.length > 0, `${label} refused`);
    }
    const viewer = collect<Event>(client(main, keys.viewer, { Authorization: `Bearer ${keys.viewer}` }), eventsQuery);
    await untilLive(main, [viewer]);
    assert.equal(viewer.errors.length, 0);
  });

  it('delivers every status change to subscribers of every API process; approval by mutation leads to EXECUTED on the feed', async () => {
    const feeds = [main, second, proxied].map((service) => collect<Event>(client(service, keys.viewer), eventsQuery));
    const cycles = collect<{ cycleCompleted: { number: number; decision: string } }>(
      client(second, keys.viewer),
      'subscription { cycleCompleted { number decision transactions } }',
    );
    await untilLive(main, feeds);

    let k = 0;
    for (; k < warmWindows; k += 1) await playWindow(main, clock, k, bigHdfc);
    await eventually(async () => cycles.items.length > 0, 'a cycleCompleted event');
    const outage = withOutage(bigHdfc, 'HDFC');
    const pending = await eventually(
      async () => {
        const found = feeds[0]!.items.find(
          (e) => e.interventionEvents.type === 'AWAITING_APPROVAL' && e.interventionEvents.intervention.action === 'SUPPRESS_ISSUER',
        );
        if (!found) await playWindow(main, clock, k++, outage);
        return found?.interventionEvents.intervention;
      },
      'a suppression awaiting approval on the feed',
      30_000,
    );
    assert.equal(pending.hypothesis?.cause, 'ISSUER_OUTAGE');

    const approved = await gql(
      second,
      'mutation($id: ID!) { approveIntervention(id: $id, note: "approved from the dashboard") { status } }',
      { id: pending.id },
      keys.operator,
    );
    assert.equal(approved.data?.approveIntervention.status, 'APPROVED', JSON.stringify(approved.errors));
    for (const feed of feeds) {
      await eventually(async () => typesFor(feed, pending.id).includes('EXECUTED'), 'EXECUTED on every process');
      assert.deepEqual(typesFor(feed, pending.id).slice(0, 3), ['AWAITING_APPROVAL', 'APPROVED', 'EXECUTED']);
      const approval = feed.items.find((e) => e.interventionEvents.intervention.id === pending.id && e.interventionEvents.type === 'APPROVED')!;
      assert.match(approval.interventionEvents.actor, /^operator:/);
      assert.equal(approval.interventionEvents.reason, 'approved from the dashboard');
    }
    // Every process saw the same events in the same order.
    const ids = (feed: Feed<Event>) => feed.items.map((e) => `${e.interventionEvents.intervention.id}:${e.interventionEvents.type}`);
    const seenByAll = ids(feeds[0]!).filter((id) => ids(feeds[1]!).includes(id) && ids(feeds[2]!).includes(id));
    assert.deepEqual(
      ids(feeds[1]!).filter((id) => seenByAll.includes(id)),
      seenByAll,
    );
  });

  it('loses no event while the feed cannot reach Redis: it resumes from the last one read', async () => {
    const feed = collect<Event>(client(proxied, keys.viewer), eventsQuery);
    await untilLive(main, [feed]);
    await proxy.cut();
    const during = [await probe(main), await probe(main), await probe(main)];
    await new Promise((resolve) => setTimeout(resolve, 500));
    await proxy.restore();
    await eventually(async () => during.every((id) => typesFor(feed, id).includes('SHADOW')), 'the events published during the cut', 20_000);
    for (const id of during) assert.deepEqual(typesFor(feed, id), ['SHADOW'], 'each exactly once');
  });
});
