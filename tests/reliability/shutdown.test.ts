import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ConfigError, loadConfig } from '../../src/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { runProcess } from '../support/process';
import { keys } from '../support/service';
import { createTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
let redisLink: TcpProxy;
before(async () => {
  database = await createTestDatabase('shutdown');
  redisLink = await createTcpProxy(6379);
});
after(async () => {
  await redisLink.close();
  await database.drop();
});

describe('shutdown with Redis gone', () => {
  it('exits 0 within redis.close_timeout_ms, not at the grace, and every 202 is committed', async () => {
    // Every role, so workers, the scheduler, queues and the event feed all hold Redis connections.
    // The grace is long: a shutdown that waited on Redis would end there, killed with status 1.
    const running = runProcess({
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${redisLink.port}`,
      PAYOPS_REDIS_KEY_PREFIX: `shutdown-${Date.now()}`,
      PAYOPS_API_KEYS: `${keys.ingest}:ingest`,
      PAYOPS_REDIS_CLOSE_TIMEOUT_MS: '1000',
      PAYOPS_SERVER_SHUTDOWN_GRACE_MS: '60000',
      PAYOPS_JOBS_TICK_MS: '50',
      PAYOPS_LOGGING_LEVEL: 'info',
    });
    try {
      const url = await running.listeningUrl();
      const readiness = async () => (await (await fetch(`${url}/readyz`)).json()) as { redis: string };
      await eventually(async () => (await readiness()).redis === 'up', 'redis connected');

      await redisLink.cut();
      await eventually(async () => (await readiness()).redis === 'down', 'redis seen down');
      const transactions = Array.from({ length: 200 }, () => makeTransaction());
      const answers = transactions.map((tx) =>
        fetch(`${url}/v1/transactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.ingest}` },
          body: JSON.stringify(tx),
        }).then(
          (res) => res.status,
          () => 'no answer',
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      running.child.kill('SIGTERM');
      const statuses = await Promise.all(answers);

      assert.equal(await running.exit, 0, running.output());
      assert.match(running.output(), /shutdown complete/);
      // The outage is in the structured log and readiness, not a stack trace per reconnect attempt.
      assert.doesNotMatch(running.output(), /^Error: connect ECONNREFUSED/m);
      const accepted = transactions.filter((_, i) => statuses[i] === 202).map((tx) => tx.id);
      assert.ok(accepted.length > 0, `ingestion commits without Redis: ${statuses.join(',')}`);
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      const { rows } = await db.query('SELECT count(*)::int AS n FROM transactions WHERE id = ANY($1)', [accepted]);
      await db.end();
      assert.equal(rows[0].n, accepted.length, 'every 202 was committed');
    } finally {
      await running.stop();
      await redisLink.restore();
    }
  });

  it('refuses a close timeout that leaves the commits no time within the grace', () => {
    assert.equal(loadConfig({}).redis.close_timeout_ms, 3_000);
    assert.throws(
      () => loadConfig({ PAYOPS_REDIS_CLOSE_TIMEOUT_MS: '10000', PAYOPS_SERVER_SHUTDOWN_GRACE_MS: '10000' }),
      (err: unknown) =>
        err instanceof ConfigError && err.problems.some((line) => line.startsWith('redis.close_timeout_ms: must be shorter than server.shutdown_grace_ms')),
    );
  });
});
