import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Service } from '../../../src/service';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { TestClock, epoch, loopEnv, playWindow, postTransactions, waitForWindow, windowMs } from '../../support/loop';
import { keys, startService, testConfig } from '../../support/service';
import { healthy, windowTraffic } from '../../support/traffic';
import { codesOf, gql } from './client';
import { hypothesis, seedIntervention } from './fixtures';

const explained = `
  id action target status blastRadius requiresApproval cycleNumber createdAt params
  nrv { value revenueRecovered interventionCost riskCost effectiveness }
  hypothesis { cause confidence evidence }
  alternatives { action nrv { value } }
  preMortem { requiresApproval risks { description likelihood } violations }
  transitions { from to actor reason at }
  approvals { to actor reason }
  outcome { realisedUpliftRate }
`;

describe('GraphQL queries, mutations and guards', () => {
  let database: TestDatabase;
  let service: Service;
  const clock = new TestClock();
  const seed = (fields: Parameters<typeof seedIntervention>[1] = {}) => seedIntervention(service.db, { createdAt: clock.now(), ...fields });

  before(async () => {
    database = await createTestDatabase('graphql_api');
    service = await startService(testConfig(database.url, 'test-graphql-api', loopEnv), { now: clock.now });
    for (let k = 0; k < 3; k += 1) await playWindow(service, clock, k, healthy, 100);
  });
  after(async () => {
    await service.close();
    await database.drop();
  });

  it('answers health, cycles, patterns and the audit log to a viewer', async () => {
    const answer = await gql(
      service,
      '{ health { cycleNumber system { name status volume successRate } issuers { name status } gateways { name } } cycles(last: 2) { number decision transactions windowStart patterns { type } } patterns { id } auditLog(last: 3) { id kind actor at } }',
      {},
      keys.viewer,
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.errors));
    const data = answer.data!;
    assert.ok(data.health.cycleNumber >= 3);
    assert.equal(data.health.system.name, 'system');
    assert.equal(data.health.system.status, 'HEALTHY');
    assert.equal(data.health.system.volume, 100);
    assert.deepEqual(data.health.issuers.map((i: { name: string }) => i.name).sort(), ['AXIS', 'HDFC', 'ICICI', 'SBI']);
    assert.deepEqual(data.health.gateways, [], 'no attempt named a gateway');
    assert.deepEqual(
      data.cycles.map((c: { number: number }) => c.number),
      [data.health.cycleNumber, data.health.cycleNumber - 1],
    );
    assert.equal(data.auditLog.length, 3);
  });

  it('pages every list with last and a before cursor', async () => {
    const first = await gql(service, '{ cycles(last: 1) { number } }', {}, keys.viewer);
    const newest = first.data!.cycles[0].number as number;
    const next = await gql(service, 'query($before: Int) { cycles(last: 2, before: $before) { number } }', { before: newest }, keys.viewer);
    assert.deepEqual(
      next.data!.cycles.map((c: { number: number }) => c.number),
      [newest - 1, newest - 2],
    );

    const seeded = [];
    for (let i = 0; i < 3; i += 1) seeded.push(await seed({ createdAt: new Date(clock.ms + i * 1000) }));
    const page1 = await gql(service, '{ interventions(last: 2) { id } }', {}, keys.viewer);
    assert.deepEqual(
      page1.data!.interventions.map((i: { id: string }) => i.id),
      [seeded[2]!.id, seeded[1]!.id],
    );
    const page2 = await gql(service, 'query($b: ID) { interventions(last: 2, before: $b) { id } }', { b: seeded[1]!.id }, keys.viewer);
    assert.deepEqual(
      page2.data!.interventions.map((i: { id: string }) => i.id),
      [seeded[0]!.id],
    );

    const audit = await gql(service, '{ auditLog(last: 2) { id } }', {}, keys.viewer);
    const older = await gql(service, 'query($b: ID) { auditLog(last: 2, before: $b) { id } }', { b: audit.data!.auditLog[1].id }, keys.viewer);
    assert.ok(Number(older.data!.auditLog[0].id) < Number(audit.data!.auditLog[1].id));

    const tooMany = await gql(service, '{ auditLog(last: 100000) { id } }', {}, keys.viewer);
    assert.ok(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX'].includes(codesOf(tooMany)[0]!), JSON.stringify(tooMany.errors));
    const badCursor = await gql(service, '{ patterns(before: "nope") { id } }', {}, keys.viewer);
    assert.deepEqual(codesOf(badCursor), ['BAD_USER_INPUT']);
  });

  it('explains an intervention: hypothesis, the options it beat, pre-mortem, who decided and why', async () => {
    const seeded = await seed();
    const approved = await gql(
      service,
      `mutation($id: ID!) { approveIntervention(id: $id, note: "go ahead", scope: { ttlSeconds: 60 }) { ${explained} approvedScope { ttlSeconds } } }`,
      { id: seeded.id },
      keys.operator,
    );
    assert.equal(approved.status, 200, JSON.stringify(approved.errors));
    const intervention = approved.data!.approveIntervention;
    assert.equal(intervention.status, 'APPROVED');
    assert.equal(intervention.approvedScope.ttlSeconds, 60);
    const read = await gql(service, `query($id: ID!) { intervention(id: $id) { ${explained} cycle { number } } }`, { id: seeded.id }, keys.viewer);
    const shown = read.data!.intervention;
    assert.equal(shown.nrv.value, 9000);
    assert.equal(shown.hypothesis.cause, 'ISSUER_OUTAGE');
    assert.equal(shown.hypothesis.evidence.length, 2);
    assert.deepEqual(
      shown.alternatives.map((a: { action: string }) => a.action),
      ['ALERT_OPS', 'REDUCE_RETRIES'],
    );
    assert.equal(shown.alternatives[0].nrv.value, 300);
    assert.equal(shown.preMortem.requiresApproval, true);
    assert.equal(shown.cycle.number, 1);
    assert.deepEqual(
      shown.transitions.map((t: { to: string }) => t.to),
      ['AWAITING_APPROVAL', 'APPROVED'],
    );
    assert.deepEqual(shown.approvals, [{ to: 'APPROVED', actor: approved.data!.approveIntervention.approvals[0].actor, reason: 'go ahead' }]);
    assert.match(shown.approvals[0].actor, /^operator:/);
  });

  it('shows a gateway route with its from and to, its turned-away estimate, and the NRV in its currency', async () => {
    const path = 'gateway:pg_a/issuer:HDFC';
    const to = [
      { gateway: 'pg_b', share: 0.75 },
      { gateway: 'pg_c', share: 0.25 },
    ];
    const route = await seed({
      action: 'ROUTE_GATEWAY',
      target: path,
      subject: path,
      params: { from: 'pg_a', to },
      hypothesis: { ...hypothesis, cause: 'LINK_FAULT', patternType: 'GATEWAY_DEGRADATION', target: path },
      turnedAway: { paymentsPerMinute: 0.5, valuePerMinute: 640, currency: 'INR' },
    });
    const read = await gql(
      service,
      `query($id: ID!) { intervention(id: $id) { action target params heartbeat turnedAway { paymentsPerMinute valuePerMinute currency }
        nrv { value currency retryCostSaved turnedAwayPerWindow turnedAwayValuePerWindow } hypothesis { cause patternType } } }`,
      { id: route.id },
      keys.viewer,
    );
    assert.equal(read.status, 200, JSON.stringify(read.errors));
    assert.deepEqual(read.data!.intervention, {
      action: 'ROUTE_GATEWAY',
      target: path,
      params: { from: 'pg_a', to },
      heartbeat: false,
      turnedAway: { paymentsPerMinute: 0.5, valuePerMinute: 640, currency: 'INR' },
      nrv: { value: 9000, currency: 'INR', retryCostSaved: 0, turnedAwayPerWindow: 12, turnedAwayValuePerWindow: 18_000 },
      hypothesis: { cause: 'LINK_FAULT', patternType: 'GATEWAY_DEGRADATION' },
    });
    for (const type of ['GATEWAY_DEGRADATION', 'TRAFFIC_DROP']) {
      assert.deepEqual((await gql(service, `{ patterns(type: ${type}) { id } }`, {}, keys.viewer)).errors, undefined, type);
    }
  });

  it('marks the heartbeat alert, and reads interventions stored before heartbeats and estimates existed', async () => {
    const heartbeat = await seed({ action: 'ALERT_OPS', target: 'ops_team', subject: 'ops_team', params: {}, heartbeat: true, hypothesis: null });
    const older = await seed();
    // As the migration left a row of the previous version: no estimate, a breakdown without the new fields.
    await service.db.pool.query(
      `UPDATE interventions SET turned_away = DEFAULT, heartbeat = DEFAULT,
         option = jsonb_set(option, '{nrv}', (option->'nrv') - 'currency' - 'retryCostSaved' - 'turnedAwayPerWindow' - 'turnedAwayValuePerWindow')
       WHERE id = $1`,
      [older.id],
    );
    const fields =
      'heartbeat turnedAway { paymentsPerMinute valuePerMinute currency } nrv { currency retryCostSaved turnedAwayPerWindow turnedAwayValuePerWindow }';
    const read = await gql(
      service,
      `query($a: ID!, $b: ID!) { a: intervention(id: $a) { ${fields} } b: intervention(id: $b) { ${fields} } }`,
      { a: heartbeat.id, b: older.id },
      keys.viewer,
    );
    assert.equal(read.status, 200, JSON.stringify(read.errors));
    assert.equal(read.data!.a.heartbeat, true);
    assert.deepEqual(read.data!.b, {
      heartbeat: false,
      turnedAway: { paymentsPerMinute: 0, valuePerMinute: 0, currency: 'INR' },
      nrv: { currency: 'INR', retryCostSaved: 0, turnedAwayPerWindow: 0, turnedAwayValuePerWindow: 0 },
    });
  });

  it('refuses approving twice, approving a rejected or expired one, unknown ids and widened scopes, changing nothing', async () => {
    const approve = (id: string, scope?: Record<string, number>) =>
      gql(service, 'mutation($id: ID!, $scope: ApprovalScope) { approveIntervention(id: $id, scope: $scope) { status } }', { id, scope }, keys.operator);
    const twice = await seed();
    assert.equal((await approve(twice.id)).data!.approveIntervention.status, 'APPROVED');
    const again = await approve(twice.id);
    assert.deepEqual(codesOf(again), ['CONFLICT']);
    // The scheduler may already have executed it.
    assert.match(again.errors![0]!.message, /(APPROVED|EXECUTED), not awaiting approval/);

    const rejected = await seed();
    const reject = await gql(
      service,
      'mutation($id: ID!) { rejectIntervention(id: $id, reason: "too risky") { status approvals { to reason } } }',
      { id: rejected.id },
      keys.operator,
    );
    assert.deepEqual(reject.data!.rejectIntervention, { status: 'REJECTED', approvals: [{ to: 'REJECTED', reason: 'too risky' }] });
    assert.deepEqual(codesOf(await approve(rejected.id)), ['CONFLICT']);

    const expired = await seed({ approvalExpiresAt: new Date(clock.ms - 1_000) });
    const late = await approve(expired.id);
    assert.deepEqual(codesOf(late), ['CONFLICT']);
    // Expired by this refusal, or already by the scheduler's sweep: either way the message says so.
    assert.match(late.errors![0]!.message, /expired/i);
    const afterwards = await gql(service, 'query($id: ID!) { intervention(id: $id) { status } }', { id: expired.id }, keys.viewer);
    assert.equal(afterwards.data!.intervention.status, 'EXPIRED');

    assert.deepEqual(codesOf(await approve('no-such-intervention')), ['NOT_FOUND']);
    const wide = await seed();
    const widened = await approve(wide.id, { ttlSeconds: 100_000 });
    assert.deepEqual(codesOf(widened), ['BAD_USER_INPUT']);
    assert.equal(
      (await gql(service, 'query($id: ID!) { intervention(id: $id) { status } }', { id: wide.id }, keys.viewer)).data!.intervention.status,
      'AWAITING_APPROVAL',
    );

    const rollback = await gql(service, 'mutation($id: ID!) { rollbackIntervention(id: $id, reason: "x") { status } }', { id: wide.id }, keys.operator);
    assert.deepEqual(codesOf(rollback), ['CONFLICT']);
  });

  it('lets each role do exactly its operations', async () => {
    const target = await seed();
    const read = '{ interventions(last: 1) { id } }';
    const approve = `mutation { approveIntervention(id: "${target.id}") { status } }`;
    const cases: [key: string | undefined, operation: string, expected: string | null, status: number][] = [
      [undefined, read, 'UNAUTHENTICATED', 401],
      ['not-a-known-key', read, 'UNAUTHENTICATED', 401],
      [keys.ingest, read, 'FORBIDDEN', 403],
      [keys.viewer, read, null, 200],
      [keys.operator, read, null, 200],
      [undefined, approve, 'UNAUTHENTICATED', 401],
      [keys.ingest, approve, 'FORBIDDEN', 403],
      [keys.viewer, approve, 'FORBIDDEN', 403],
    ];
    for (const [key, operation, expected, status] of cases) {
      const answer = await gql(service, operation, {}, key);
      assert.deepEqual(codesOf(answer), expected ? [expected] : [], `${key} ${operation}`);
      assert.equal(answer.status, status, `${key} ${operation}`);
    }
    const unchanged = await gql(service, `{ intervention(id: "${target.id}") { status transitions { to } } }`, {}, keys.viewer);
    assert.deepEqual(unchanged.data!.intervention, { status: 'AWAITING_APPROVAL', transitions: [{ to: 'AWAITING_APPROVAL' }] });
    const operator = await gql(service, approve, {}, keys.operator);
    assert.equal(operator.data!.approveIntervention.status, 'APPROVED');
  });

  it('refuses queries that are too deep or too costly before running them', async () => {
    const deep = await gql(
      service,
      '{ intervention(id: "x") { cycle { interventions { cycle { interventions { cycle { interventions { id } } } } } } } }',
      {},
      keys.viewer,
    );
    assert.equal(deep.status, 400);
    assert.deepEqual(codesOf(deep), ['QUERY_TOO_COMPLEX']);
    assert.match(deep.errors![0]!.message, /depth/);

    const costly = await gql(
      service,
      'query($n: Int) { interventions(last: $n) { transitions { at } alternatives { nrv { value } } cycle { patterns { id } } } }',
      { n: 500 },
      keys.viewer,
    );
    assert.equal(costly.status, 400);
    assert.deepEqual(codesOf(costly), ['QUERY_TOO_COMPLEX']);
    assert.match(costly.errors![0]!.message, /cost \d+ is over the limit/);
  });

  it('loads a list of interventions with one query per field, not one per row', async () => {
    for (let i = 0; i < 10; i += 1) await seed();
    const pool = service.db.pool;
    const original = pool.query.bind(pool);
    // The scheduler shares the pool, so only the statements these fields need are counted.
    const statements: string[] = [];
    pool.query = ((...args: Parameters<typeof pool.query>) => {
      // Raw SQL comes as a string, the query builder's as a config with its text.
      const query: unknown = args[0];
      if (typeof query === 'string') statements.push(query);
      else if (query && typeof (query as { text?: unknown }).text === 'string') statements.push((query as { text: string }).text);
      return (original as (...a: unknown[]) => unknown)(...args);
    }) as typeof pool.query;
    try {
      const answer = await gql(service, '{ interventions(last: 12) { id transitions { to } approvals { actor } cycle { number } } }', {}, keys.viewer);
      assert.equal(answer.data!.interventions.length, 12);
      assert.equal(statements.filter((sql) => /from "?intervention_transitions"?/i.test(sql)).length, 2, 'transitions and approvals: one query each');
      assert.equal(statements.filter((sql) => sql.includes('FROM cycles WHERE number = ANY')).length, 1, 'every cycle in one query');
    } finally {
      pool.query = original;
    }
  });

  it('lists the gateways in health once attempts name them', async () => {
    const k = 3;
    const viaGateways = windowTraffic('gw', epoch + k * windowMs, windowMs, 100, healthy).map((tx, i) => ({ ...tx, gateway: i % 4 === 0 ? 'pg_b' : 'pg_a' }));
    await postTransactions(service, viaGateways);
    clock.afterWindow(k);
    await waitForWindow(service, k);
    const answer = await gql(service, '{ health { gateways { name status volume successRate latencyP95Ms retryRate } } }', {}, keys.viewer);
    assert.equal(answer.status, 200, JSON.stringify(answer.errors));
    const gateways = answer.data!.health.gateways as { name: string; status: string; volume: number; successRate: number }[];
    assert.deepEqual(gateways.map((g) => [g.name, g.volume]).sort(), [
      ['pg_a', 75],
      ['pg_b', 25],
    ]);
    assert.ok(gateways.every((g) => g.status === 'HEALTHY' && g.successRate > 0.9));
  });
});
