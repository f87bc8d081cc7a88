import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { defaultAgentConfig, detect as detectWindow, initialAgentState, observe, type MetricName } from '../../src/agent';
import type { SeriesReading } from '../../src/agent/detect';
import { DAY_START, WINDOW_MS, trafficWindow } from '../../src/sim/daily';
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

/** Runs the detect CLI over a whole input at once, returning its output lines. */
function detect(input: string): string[] {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/detect.ts'], { cwd: root, input, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.split('\n').filter((l) => l !== '');
}

const SCORE_LINE = /^(0|1)\.\d{6}$/;

test('detect prints one score per data row whatever the rows hold, and never NaN', () => {
  const good = Array.from(
    { length: 300 },
    (_, i) => `2026-01-01 ${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${100 + (i % 7)}`,
  );
  const bad = [
    '2026-01-02 00:00:00,',
    '2026-01-02 00:01:00,abc',
    '2026-01-02 00:02:00,NaN',
    '2026-01-02 00:03:00,Infinity',
    '2026-01-02 00:04:00,1e400',
    '2026-01-02 00:05:00,-1e300',
    'not a time,5',
    ',7',
    '2026-01-02 00:05:00,0',
    '2026-01-02 00:05:00,0',
    '"2026-01-02 00:06:00","101"',
    '2026-01-02 00:07:00,102,extra',
    '2026-01-02 00:08:00\r',
    '1767312540,1e15',
  ];
  const lines = detect(`\uFEFFtimestamp,value\n${[...good, ...bad].join('\n')}\n\n2026-01-02 00:09:00,100\n`);
  assert.equal(lines.length, good.length + bad.length + 1, 'one line per non-blank row');
  assert.ok(
    lines.every((l) => SCORE_LINE.test(l) && Number(l) <= 1),
    lines.find((l) => !SCORE_LINE.test(l)),
  );
  const missing = lines.slice(good.length, good.length + 4);
  assert.deepEqual(missing, ['0.000000', '0.000000', '0.000000', '0.000000'], 'a missing or non-numeric value scores 0');
});

test('detect reads the value column by its header name', () => {
  const rows = Array.from({ length: 200 }, (_, i) => `${i % 2},2026-01-01T00:${String(i % 60).padStart(2, '0')}:00Z,${i === 150 ? 900 : 100 + (i % 3)}`);
  const lines = detect(`label,timestamp,value\n${rows.join('\n')}\n`);
  assert.equal(lines.length, rows.length);
  assert.ok(Number(lines[150]) > 0.9, `the spike in the value column scores ${lines[150]}`);
  assert.ok(
    lines.slice(20, 150).every((l) => Number(l) < 0.5),
    'the label column is not read as the value',
  );
});

test("detect prints the agent's own scores: fed the system-wide series the agent read, it is the agent's scorer", () => {
  // Five hours of a thin, daily-cycled feed (a night trough of about 20 attempts a minute): every
  // series the agent scores, including windows too thin for rates and the season searches.
  let state = initialAgentState();
  const read: Partial<Record<MetricName, { at: number; reading: SeriesReading }[]>> = {};
  for (let w = 0; w < 300; w++) {
    const start = DAY_START + w * WINDOW_MS;
    const window = observe({ start, end: start + WINDOW_MS }, trafficWindow({ seed: 4, peakPerWindow: 100 }, w));
    const input = { ...state, frozenTargets: new Set<string>(), movedAway: () => 0 };
    const result = detectWindow(window, input, w + 1, defaultAgentConfig);
    state = { ...state, baselines: result.baselines, streaks: result.streaks, pools: result.pools, seasons: result.seasons, series: result.series };
    for (const [metric, reading] of Object.entries(result.readings) as [MetricName, SeriesReading][]) (read[metric] ??= []).push({ at: start, reading });
  }
  assert.deepEqual(Object.keys(read).sort(), ['latencyP95Ms', 'retryRate', 'successRate', 'volume']);
  assert.ok((read.successRate?.length ?? 0) < (read.volume?.length ?? 0), 'thin windows are scored for volume only');
  for (const [metric, rows] of Object.entries(read)) {
    const csv = rows.map(({ at, reading }) => `${at},${reading.value},${reading.variance}`).join('\n');
    const printed = detect(`timestamp,value,variance\n${csv}\n`);
    assert.deepEqual(
      printed,
      rows.map(({ reading }) => reading.score.toFixed(6)),
      metric,
    );
  }
});

test('a variance column of any content never breaks a score, and a sampling variance wider than the noise calms a spike', () => {
  const rows = (variance: (i: number) => string): string =>
    Array.from(
      { length: 200 },
      (_, i) =>
        `2026-01-01T${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z,${i === 150 ? 130 : 100 + (i % 3)},${variance(i)}`,
    ).join('\n');
  const junk = ['', 'abc', '-4', 'Infinity', '1e400', 'NaN', '0'];
  const odd = detect(`timestamp,value,variance\n${rows((i) => junk[i % junk.length] ?? '')}\n`);
  assert.equal(odd.length, 200);
  assert.ok(odd.every((l) => SCORE_LINE.test(l)));
  const precise = detect(`timestamp,value,variance\n${rows(() => '0')}\n`);
  const thin = detect(`timestamp,value,variance\n${rows(() => '400')}\n`);
  assert.ok(Number(precise[150]) > 0.9, `a spike of 30 on noise of 1 scores ${precise[150]}`);
  assert.ok(Number(thin[150]) < 0.5, `the same spike with a sampling sd of 20 scores ${thin[150]}`);
});

test('replay --json prints one object per cycle with the pinned keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payops-replay-'));
  const file = join(dir, 'outage.ndjson');
  const options = {
    ...defaultScenarioOptions,
    kind: 'outage' as const,
    seed: 11,
    windows: 20,
    paymentsPerWindow: 600,
    incidentStartWindow: 14,
    incidentWindows: 4,
  };
  const lines = [...generateScenario(options)].flatMap((w) => w.transactions.map((t) => JSON.stringify(t)));
  writeFileSync(file, `${lines.join('\n')}\n`);
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', file, '--json'], { cwd: root, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const cycles = out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(cycles.length, 20);
  for (const c of cycles) {
    for (const key of ['cycle', 'windowStart', 'windowEnd', 'patterns', 'decision', 'action', 'nrv']) assert.ok(key in c, key);
  }
  const outage = cycles.find((c) => (c.patterns as { type: string; target: string }[]).some((p) => p.type === 'ISSUER_DEGRADATION'));
  assert.ok(outage, 'the outage shows up');
  assert.equal((outage.action as { type: string } | null)?.type, 'SUPPRESS_ISSUER');
  assert.equal(typeof outage.nrv, 'number');
});

test('replay counts a resent id once, refuses far-future event times instead of walking to them, lists every action and prints ₹', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payops-replay-'));
  const file = join(dir, 'resent.ndjson');
  const options = {
    ...defaultScenarioOptions,
    kind: 'outage' as const,
    seed: 12,
    windows: 20,
    paymentsPerWindow: 600,
    incidentStartWindow: 14,
    incidentWindows: 4,
  };
  const txs = [...generateScenario(options)].flatMap((w) => w.transactions);
  const resent = txs.slice(0, 50);
  const farFuture = { ...txs[0], id: 'from-next-year', timestamp: '2027-12-31T00:00:00Z' };
  writeFileSync(file, `${[...txs, ...resent, farFuture].map((t) => JSON.stringify(t)).join('\n')}\n`);
  const json = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', file, '--json'], { cwd: root, encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  const cycles = json.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { transactions: number; action: unknown; actions: unknown[] });
  assert.equal(cycles.length, 20, 'no walk of empty windows to next year');
  assert.equal(
    cycles.reduce((sum, c) => sum + c.transactions, 0),
    txs.length,
    'each id counted once',
  );
  for (const c of cycles) assert.deepEqual(c.actions[0] ?? null, c.action, 'action is the first of actions');
  assert.ok(
    cycles.some((c) => c.actions.length > 1),
    'a cycle with several actions lists them all',
  );
  const text = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', file], { cwd: root, encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /NRV: -?₹/);
  assert.match(text.stdout, /duplicates 50, refused \(event time beyond now \+ 300 s\) 1/);
});
