import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { defaultScenarioOptions, generateScenario } from '../../src/sim/scenarios';

const root = join(import.meta.dirname, '../..');

test('detect streams one score in [0,1] per row, each before the next row is sent', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/detect.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  child.stdin.write('timestamp,value\n');
  const scores: number[] = [];
  const values = [...Array.from({ length: 15 }, (_, i) => 100 + (i % 2)), 400];
  for (const [i, value] of values.entries()) {
    child.stdin.write(`2026-01-01T00:${String(i).padStart(2, '0')}:00Z,${value}\n`);
    const next = await lines.next();
    scores.push(Number(next.value));
  }
  child.stdin.end();
  await new Promise((resolve) => child.on('close', resolve));
  assert.equal(scores.length, values.length);
  assert.ok(scores.every((s) => s >= 0 && s <= 1));
  assert.ok((scores.at(-1) ?? 0) > 0.9, 'the spike scores high');
  assert.ok(scores.slice(0, -1).every((s) => s < 0.5));
});

test('replay --json prints one object per cycle with the pinned keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payops-replay-'));
  const file = join(dir, 'outage.ndjson');
  const options = { ...defaultScenarioOptions, kind: 'outage' as const, seed: 11, windows: 20, attemptsPerWindow: 600, incidentStartWindow: 14, incidentWindows: 4 };
  const lines = [...generateScenario(options)].flatMap((w) => w.transactions.map((t) => JSON.stringify(t)));
  writeFileSync(file, `${lines.join('\n')}\n`);
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', file, '--json'], { cwd: root, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const cycles = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(cycles.length, 20);
  for (const c of cycles) {
    for (const key of ['cycle', 'windowStart', 'windowEnd', 'patterns', 'decision', 'action', 'nrv']) assert.ok(key in c, key);
  }
  const outage = cycles.find((c) => (c.patterns as { type: string; target: string }[]).some((p) => p.type === 'ISSUER_DEGRADATION'));
  assert.ok(outage, 'the outage shows up');
  assert.equal((outage.action as { type: string } | null)?.type, 'SUPPRESS_ISSUER');
  assert.equal(typeof outage.nrv, 'number');
});
