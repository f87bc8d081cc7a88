import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './support/database';
import { runProcess } from './support/process';
import { keys } from './support/service';
import { makeTransaction } from './support/transactions';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('main');
});
after(async () => {
  await database.drop();
});

const run = (env: Record<string, string>) => runProcess({ DATABASE_URL: database.url, ...env });

describe('the service process', () => {
  it('exits non-zero with one line per bad configuration key', async () => {
    const running = run({ PAYOPS_AGENT_ANOMALY_THRESHOLD: 'high', PAYOPS_LOGGING_LEVEL: 'loud' });
    assert.equal(await running.exit, 2);
    const lines = running.output().trim().split('\n');
    assert.equal(lines.length, 2, running.output());
    assert.ok(lines.some((line) => line.startsWith('config: agent.anomaly_threshold:')));
    assert.ok(lines.some((line) => line.startsWith('config: logging.level:')));
  });

  it('migrates, becomes ready, ingests, and stops cleanly on SIGTERM', async () => {
    const running = run({ PAYOPS_API_KEYS: `${keys.ingest}:ingest` });
    const url = await running.listeningUrl();
    let ready = await fetch(`${url}/readyz`);
    for (let tries = 0; ready.status !== 200 && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await fetch(`${url}/readyz`);
    }
    assert.equal(ready.status, 200);
    const posted = await fetch(`${url}/v1/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.ingest}` },
      body: JSON.stringify(makeTransaction()),
    });
    assert.equal(posted.status, 202);
    running.child.kill('SIGTERM');
    assert.equal(await running.exit, 0);
    assert.match(running.output(), /shutdown complete/);
    assert.doesNotMatch(running.output(), new RegExp(keys.ingest));
  });

  it('finishes in-flight commits on SIGTERM: every answered POST is a stored 202', async () => {
    const running = run({ PAYOPS_API_KEYS: `${keys.ingest}:ingest`, PAYOPS_ROLE: 'api' });
    const url = await running.listeningUrl();
    const transactions = Array.from({ length: 300 }, () => makeTransaction());
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
    assert.equal(await running.exit, 0);
    const answered = transactions.filter((_, i) => statuses[i] !== 'no answer');
    assert.ok(answered.length > 0, 'some requests were in flight');
    assert.ok(
      statuses.every((status) => status === 202 || status === 'no answer' || status === 503),
      statuses.join(','),
    );
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const { rows } = await db.query('SELECT id FROM transactions WHERE id = ANY($1)', [transactions.filter((_, i) => statuses[i] === 202).map((tx) => tx.id)]);
    await db.end();
    assert.equal(rows.length, statuses.filter((status) => status === 202).length, 'every 202 was committed');
  });

  it('announces the unauthenticated development mode loudly', async () => {
    const running = run({ PAYOPS_AUTH: 'off' });
    await running.listeningUrl();
    running.child.kill('SIGTERM');
    await running.exit;
    assert.match(running.output(), /AUTHENTICATION IS OFF/);
  });

  it('builds into plain JavaScript that node runs without tsx (npm run build:server, npm start)', async () => {
    execFileSync('npm', ['run', '-s', 'build:server'], { stdio: 'pipe' });
    const child = spawn(process.execPath, ['dist/main.js'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: database.url, PAYOPS_API_KEYS: `${keys.ingest}:ingest`, PAYOPS_ROLE: 'api' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    let url: string | undefined;
    for (let tries = 0; !url && tries < 300 && child.exitCode === null; tries += 1) {
      url = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(output)?.[1];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(url, output);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const posted = await fetch(`${url}/v1/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.ingest}` },
      body: JSON.stringify(makeTransaction()),
    });
    assert.equal(posted.status, 202);
    child.kill('SIGTERM');
    assert.deepEqual(await once(child, 'exit'), [0, null]);
  });
});
