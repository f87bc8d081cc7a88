import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { copySeriesState, initialSeriesState, scorePoint, type SeriesPoint, type SeriesScore } from '../../src/agent/series';
import { createPrng } from '../../src/sim/prng';
import { bestThreshold, scoreCorpusAt } from '../../bench/series/nab';

const T0 = Date.UTC(2026, 0, 1);
const FIVE_MINUTES = 300_000;

function scoreAll(points: readonly (SeriesPoint | number)[]): SeriesScore[] {
  const state = initialSeriesState();
  return points.map((p) => scorePoint(state, p));
}

const scoresOf = (points: readonly (SeriesPoint | number)[]): number[] => scoreAll(points).map((r) => r.score);

/** Every number reachable in the state, so a test can show none has become NaN or infinite. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

/** Five-minute points: noise around `level(i)`, seeded. */
function noisy(length: number, level: (i: number) => number, sd: number, seed = 7): SeriesPoint[] {
  const prng = createPrng(seed);
  return Array.from({ length }, (_, i) => ({ timestamp: T0 + i * FIVE_MINUTES, value: level(i) + sd * prng.normal() }));
}

const inUnit = (s: number): boolean => Number.isFinite(s) && s >= 0 && s <= 1;

/**
 * The alarm level (what scores best on bench:series) is about one false alarm per 1,000 healthy
 * points on Gaussian or Poisson noise, so a healthy stretch may alarm at that rate (with room for
 * sampling), not never.
 */
const HEALTHY_ALARM_RATE = 2.5 / 1000;
const alarmRate = (results: readonly SeriesScore[]): number => results.filter((r) => r.anomalous).length / results.length;

test('any input gives a finite score in [0, 1] per point and leaves the state finite', () => {
  const awkward = fc.oneof(
    fc.double(),
    fc.constantFrom(0, -0, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Infinity, -Infinity),
    fc.integer({ min: -5, max: 5 }),
  );
  const timestamp = fc.oneof(
    fc.constant(undefined),
    fc.integer({ min: 0, max: 50 }).map((k) => T0 + k * FIVE_MINUTES),
  );
  fc.assert(
    fc.property(fc.array(fc.record({ value: awkward, timestamp }), { minLength: 1, maxLength: 600 }), (points) => {
      const state = initialSeriesState();
      for (const p of points) assert.ok(inUnit(scorePoint(state, p).score));
      assert.ok(numbersIn(state).every(Number.isFinite));
    }),
    { numRuns: 40 },
  );
});

test('constant, zero-valued, negative, huge and gappy series score finitely, and a constant stays at 0', () => {
  const cases: Record<string, SeriesPoint[]> = {
    zeros: Array.from({ length: 1500 }, (_, i) => ({ value: 0, timestamp: T0 + i * FIVE_MINUTES })),
    negative: noisy(1500, () => -5e6, 1e4),
    huge: noisy(1500, (i) => (i % 2 ? 1e300 : -1e300), 1e290),
    repeatedTimestamps: noisy(1500, () => 10, 1).map((p, i) => ({ ...p, timestamp: T0 + Math.floor(i / 3) * FIVE_MINUTES })),
    gapsAndDisorder: noisy(1500, () => 10, 1).map((p, i) => ({ ...p, timestamp: T0 + (i % 100 === 0 ? -i : i * i) * FIVE_MINUTES })),
    zeroStretches: noisy(1500, (i) => (Math.floor(i / 200) % 2 ? 0 : 50), 5).map((p) => ({ ...p, value: Math.max(0, Math.round(p.value)) })),
  };
  for (const [name, points] of Object.entries(cases)) assert.ok(scoresOf(points).every(inUnit), name);
  assert.ok(
    scoresOf(cases.zeros ?? []).every((s) => s === 0),
    'a constant series is never surprising',
  );
});

test('the score of a point does not depend on later points', () => {
  const base = noisy(800, (i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 96), 3);
  const altered = base.map((p, i) => (i >= 500 ? { ...p, value: p.value * (i % 2 ? 10 : -3) } : p));
  assert.deepEqual(scoresOf(altered).slice(0, 500), scoresOf(base).slice(0, 500));
});

test('the state is plain data: scoring resumes from its JSON exactly', () => {
  const points = noisy(1200, (i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 96), 3);
  const straight = initialSeriesState();
  for (const p of points.slice(0, 700)) scorePoint(straight, p);
  const resumed = JSON.parse(JSON.stringify(straight)) as typeof straight;
  const rest = points.slice(700);
  assert.deepEqual(
    rest.map((p) => scorePoint(resumed, p).score),
    rest.map((p) => scorePoint(straight, p).score),
  );
});

test('a copy shares nothing with its original: scoring it leaves the original as it was, and scores the same', () => {
  // A season, a shift and a return, so every part of the state (season, noise, remembered regimes) is filled.
  const points = noisy(1200, (i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 96) + (i >= 700 && i < 760 ? 60 : 0), 3);
  const original = initialSeriesState();
  for (const p of points.slice(0, 740)) scorePoint(original, p);
  assert.ok(original.period > 0 && original.shift.previous !== null, 'the state has a season and a remembered regime');
  const snapshot = JSON.stringify(original);
  const copy = copySeriesState(original);
  const rest = points.slice(740);
  const fromCopy = rest.map((p) => scorePoint(copy, p).score);
  assert.equal(JSON.stringify(original), snapshot, 'the original is untouched');
  assert.deepEqual(
    fromCopy,
    rest.map((p) => scorePoint(original, p).score),
  );
});

test('a longer history learns a longer period: a daily cycle of 1-minute points on the third day', () => {
  const MINUTE = 60_000;
  const day = 1440;
  const prng = createPrng(3);
  const points = Array.from({ length: 4200 }, (_, i) => ({
    timestamp: T0 + i * MINUTE,
    value: 100 + 60 * Math.sin((2 * Math.PI * i) / day) + 4 * prng.normal(),
  }));
  const long = initialSeriesState(4096);
  const short = initialSeriesState();
  for (const p of points) {
    scorePoint(long, p);
    scorePoint(short, p);
  }
  assert.ok(Math.abs(long.period - day) <= 0.02 * day, `period ${long.period}`);
  assert.ok(short.period < day, 'the default history cannot hold 2.5 days');
  assert.equal(long.history.length, 4096);
});

test('a lasting level shift alarms at its onset and is the new normal within a few points', () => {
  const shiftAt = 1000;
  const results = scoreAll(noisy(2000, (i) => (i < shiftAt ? 100 : 160), 4));
  assert.ok(results[shiftAt]?.anomalous, 'the shift alarms');
  const settled = results.slice(shiftAt + 8);
  assert.ok(
    settled.every((r) => !r.anomalous),
    `after the shift: ${Math.max(...settled.map((r) => r.score))}`,
  );
});

test('a return to the level before a shift is not a new anomaly', () => {
  const results = scoreAll(noisy(2000, (i) => (i >= 1000 && i < 1060 ? 0 : 100), 4));
  assert.ok(results[1000]?.anomalous, 'the drop to zero alarms');
  assert.ok(
    results.slice(1060).every((r) => !r.anomalous),
    'the recovery does not',
  );
});

test('a seasonal series is learned, then stays quiet, and a spike on it scores high', () => {
  const period = 96;
  const points = noisy(3000, (i) => 500 + 200 * Math.sin((2 * Math.PI * i) / period), 10);
  const results = scoreAll(points);
  assert.equal(results.at(-1)?.state.period, period);
  const learned = results.slice(1000);
  assert.ok(alarmRate(learned) <= HEALTHY_ALARM_RATE, `alarm rate ${alarmRate(learned)}`);
  const last = points[points.length - 1] as SeriesPoint;
  const state = results.at(-1)?.state ?? initialSeriesState();
  const spike = scorePoint(state, { timestamp: (last.timestamp ?? 0) + FIVE_MINUTES, value: 500 + 200 * Math.sin((2 * Math.PI * 3000) / period) + 150 });
  assert.ok(spike.anomalous && spike.score > Math.max(...learned.map((r) => r.score)), `spike ${spike.score}`);
});

test('a slow drift is caught before it is complete', () => {
  const start = 1200;
  const results = scoreAll(noisy(2000, (i) => 50 + Math.max(0, i - start) * 0.25, 2));
  const first = results.findIndex((r, i) => i >= start && r.anomalous);
  assert.ok(first >= start && first < start + 100, `first alarm ${first}`);
  assert.ok(alarmRate(results.slice(200, start)) <= HEALTHY_ALARM_RATE);
});

test('NAB-style scorer: never alarming is 0, alarming at every window start and nowhere else is 100', () => {
  const length = 1000;
  const anomalies = [500, 800];
  const never = { scores: new Array<number>(length).fill(0), anomalies };
  const perfect = { scores: Array.from({ length }, (_, i) => (i === 475 || i === 775 ? 1 : 0)), anomalies };
  assert.equal(scoreCorpusAt([never], 0.5).score, 0);
  assert.equal(Math.round(scoreCorpusAt([perfect], 0.5).score), 100);
  const best = bestThreshold([perfect, never]);
  assert.ok(best.threshold === 1 && best.detected === 2 && best.falsePositives === 0);
});
