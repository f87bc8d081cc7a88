import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from './support/database';
import { keys } from './support/service';
import { makeTransaction } from './support/transactions';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('main');
});
after(async () => {
  await database.drop();
});

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function run(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATABASE_URL: database.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, exit: once(child, 'exit').then(([code]) => code as number | null) };
}

async function listeningUrl(running: Running): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(running.output());
    if (match) return match[1]!;
    if (Date.now() > deadline || running.child.exitCode !== null) throw new Error(`service did not start:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
    const url = await listeningUrl(running);
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

  it('announces the unauthenticated development mode loudly', async () => {
    const running = run({ PAYOPS_AUTH: 'off' });
    await listeningUrl(running);
    running.child.kill('SIGTERM');
    await running.exit;
    assert.match(running.output(), /AUTHENTICATION IS OFF/);
  });
});
