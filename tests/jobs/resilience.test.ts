import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { TestClock, agentWindowEnd, epoch, loopEnv, playWindow, postTransactions, waitForWindow, windowMs } from '../support/loop';
import { runProcess } from '../support/process';
import { startService, testConfig } from '../support/service';
import { healthy, windowTraffic, withOutage } from '../support/traffic';

/** Every window ran once, in order, with no gap: numbers 1..n and each window starting where the last ended. */
async function assertEachWindowOnce(service: Service): Promise<number> {
  const { rows } = await service.db.pool.query<{ number: number; window_start: Date; window_end: Date }>(
    'SELECT number, window_start, window_end FROM cycles ORDER BY number',
  );
  rows.forEach((row, i) => {
    assert.equal(row.number, i + 1, 'cycle numbers are contiguous');
    if (i > 0) assert.equal(row.window_start.getTime(), rows[i - 1]!.window_end.getTime(), `cycle ${row.number} starts where ${i} ended`);
  });
  const { rows: executions } = await service.db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM intervention_transitions WHERE to_status = 'EXECUTED' GROUP BY intervention_id HAVING count(*) > 1",
  );
  assert.equal(executions.length, 0, 'no intervention executed twice');
  return rows.length;
}

describe('two workers and two schedulers', () => {
  let database: TestDatabase;
  const services: Service[] = [];
  const clock = new TestClock();

  before(async () => {
    database = await createTestDatabase('two_of_each');
    const config = testConfig(database.url, 'test-two', loopEnv);
    for (let i = 0; i < 2; i += 1) services.push(await startService(config, { now: clock.now }));
  });
  after(async () => {
    for (const service of services) await service.close();
    await database.drop();
  });

  it('run each window once and each intervention once', async () => {
    const [first, second] = services as [Service, Service];
    for (let k = 0; k < 12; k += 1) await playWindow(k % 2 ? first : second, clock, k, healthy);
    for (let k = 12; k < 16; k += 1) await playWindow(k % 2 ? first : second, clock, k, withOutage(healthy, 'HDFC'));
    await eventually(async () => {
      const { rows } = await first.db.pool.query("SELECT 1 FROM interventions WHERE action = 'SUPPRESS_ISSUER' AND status IN ('EXECUTED', 'EVALUATED')");
      return rows.length > 0;
    }, 'a suppression in force');
    const cycles = await assertEachWindowOnce(first);
    assert.ok(cycles >= 16);
    const { rows } = await first.db.pool.query('SELECT count(*)::int AS n FROM directives');
    assert.equal(rows[0].n, 1, 'one directive for the one suppression');
  });
});

describe('restart mid-run', () => {
  let database: TestDatabase;
  const clock = new TestClock();

  before(async () => {
    database = await createTestDatabase('restart');
  });
  after(async () => {
    await database.drop();
  });

  it('resumes baselines and counters from the stored state', async () => {
    const config = testConfig(database.url, 'test-restart', loopEnv);
    const before = await startService(config, { now: clock.now });
    for (let k = 0; k < 8; k += 1) await playWindow(before, clock, k, healthy);
    const { rows: stateBefore } = await before.db.pool.query('SELECT cycle_number, state FROM agent_state');
    await before.close();

    const after = await startService(config, { now: clock.now });
    try {
      for (let k = 8; k < 12; k += 1) await playWindow(after, clock, k, healthy);
      const { rows: stateAfter } = await after.db.pool.query('SELECT cycle_number, state FROM agent_state');
      assert.equal(stateAfter[0].cycle_number, stateBefore[0].cycle_number + 4, 'the cycle counter continues');
      // Warm-up is 10 windows: only baselines carried across the restart can judge window 12.
      await playWindow(after, clock, 12, withOutage(healthy, 'HDFC'));
      const { rows } = await after.db.pool.query("SELECT cycle_number FROM patterns WHERE target = 'issuer:HDFC'");
      assert.ok(rows.length > 0, 'the outage right after the restart is detected');
      await assertEachWindowOnce(after);
    } finally {
      await after.close();
    }
  });
});

describe('a worker killed mid-job', () => {
  let database: TestDatabase;
  const clock = new TestClock();

  before(async () => {
    database = await createTestDatabase('killed_worker');
  });
  after(async () => {
    await database.drop();
  });

  it('has its job retried by another worker without a duplicated or skipped window', async () => {
    const env = { ...loopEnv, PAYOPS_JOBS_JOB_LOCK_MS: '1000' };
    const config = testConfig(database.url, 'test-killed', env);
    const scheduler = await startService(config, { now: clock.now, roles: ['api', 'scheduler'] });
    const doomed = runProcess({
      ...env,
      DATABASE_URL: database.url,
      PAYOPS_REDIS_KEY_PREFIX: config.redis.key_prefix,
      PAYOPS_ROLE: 'worker',
      PAYOPS_LOGGING_LEVEL: 'info',
    });
    let survivor: Service | undefined;
    try {
      await doomed.listeningUrl();
      await playWindow(scheduler, clock, 0, healthy);
      // A backlog of 150 windows: the worker is still catching up when it is killed.
      const backlog = 150;
      const traffic = Array.from({ length: backlog }, (_, i) => windowTraffic('backlog', epoch + (i + 1) * windowMs, windowMs, 400, healthy)).flat();
      await postTransactions(scheduler, traffic);
      const startedAt = await agentWindowEnd(scheduler);
      clock.afterWindow(backlog);
      await eventually(async () => (await agentWindowEnd(scheduler)) >= startedAt + 5 * windowMs, 'catch-up under way');
      doomed.child.kill('SIGKILL');
      await doomed.exit;
      assert.ok((await agentWindowEnd(scheduler)) < epoch + (backlog + 1) * windowMs, 'killed before the backlog was done');

      survivor = await startService(config, { now: clock.now, roles: ['worker'] });
      await waitForWindow(scheduler, backlog);
      await assertEachWindowOnce(scheduler);
      const { rows } = await scheduler.db.pool.query('SELECT count(*)::int AS n FROM cycles WHERE window_start >= $1', [new Date(epoch)]);
      assert.equal(rows[0].n, backlog + 1);
    } finally {
      await doomed.stop();
      await survivor?.close();
      await scheduler.close();
    }
  });
});
