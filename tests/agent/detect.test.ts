import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BASELINE,
  anomalyScore,
  detect,
  emptyWindow,
  initialAgentState,
  initialSeriesState,
  runCycle,
  scorePoint,
  updateBaseline,
  updateEwma,
} from '../../src/agent';
import { createPrng } from '../../src/sim/prng';
import type { DimensionBaseline } from '../../src/agent/types';
import { assertClose, calmGroups, healthyGroups, testConfig, warmState, windowOf, type Group } from './helpers';

const config = testConfig;
const noneFrozen = new Set<string>();

function detectOn(groups: Group[], state = warmState(), frozen: ReadonlySet<string> = noneFrozen) {
  return detect(
    windowOf(50, groups),
    {
      baselines: state.baselines,
      streaks: state.streaks,
      frozenTargets: frozen,
      pools: state.pools,
      movedAway: () => 0,
      seasons: state.seasons,
      series: state.series,
    },
    1,
    config,
  );
}

const on =
  (issuer: string, change: Partial<Group>) =>
  (g: Group): Group =>
    g.issuer === issuer ? { ...g, ...change } : g;

test('updateEwma is a running mean during warm-up, then exponential', () => {
  const rates = { ewmaAlpha: 0.1, ewmaVarianceAlpha: 0.05 };
  let e = { mean: 0, variance: 0 };
  e = updateEwma(e, 10, rates, 0);
  assert.deepEqual(e, { mean: 10, variance: 0 });
  e = updateEwma(e, 20, rates, 1);
  assert.equal(e.mean, 15);
  e = updateEwma({ mean: 10, variance: 0 }, 20, rates, 100);
  assertClose(e.mean, 11);
});

test('anomalyScore is exactly one half at the threshold with a material change', () => {
  assertClose(anomalyScore(config.anomalyThreshold, 1, config.minRelativeChange, config), 0.5);
  assert.equal(anomalyScore(-4, 1, config.minRelativeChange, config), 0);
  assert.ok(anomalyScore(10 * config.anomalyThreshold, 1, config.minRelativeChange, config) > 0.99);
});

test('a hard outage is found in its first window, with the baseline it broke from', () => {
  const { patterns } = detectOn(healthyGroups(on('ICICI', { failures: 98, errorCode: 'ISSUER_UNAVAILABLE' })));
  const icici = patterns.find((p) => p.target === 'issuer:ICICI');
  assert.ok(icici, 'outage reported');
  assert.equal(icici.type, 'ISSUER_DEGRADATION');
  assert.equal(icici.dimension, 'issuer');
  assertClose(icici.baseline, 0.95, 0.011);
  assertClose(icici.observed, 0.02);
  assert.ok(icici.zScore >= config.immediateZScore);
  assert.ok(!patterns.some((p) => p.target.startsWith('issuer:ICICI/')), 'its cells add nothing the issuer does not show');
});

test('a big bank wobbling 0.3 points and a tiny bank failing 2 of 3 both stay quiet', () => {
  const groups = [...calmGroups(50), { issuer: 'TINY', method: 'upi', volume: 3, failures: 2 }];
  const big = groups.map((g) => (g.issuer === 'HDFC' ? { ...g, volume: 1000, failures: 53 } : g));
  assert.deepEqual(detectOn(big).patterns, []);
});

test('a moderate drop must hold for confirmWindows windows before it is reported', () => {
  let state = warmState();
  const degraded = healthyGroups(on('SBI', { failures: 25 }));
  const first = runCycle(state, windowOf(50, degraded), config);
  assert.ok(!first.patterns.some((p) => p.target === 'issuer:SBI'), 'not in the first window');
  state = first.state;
  const second = runCycle(state, windowOf(51, degraded), config);
  assert.ok(second.patterns.some((p) => p.target === 'issuer:SBI' && p.type === 'ISSUER_DEGRADATION'));
});

test('the judged window never enters its own baseline, and findings freeze it', () => {
  const state = warmState();
  const before = state.baselines.issuers.ICICI;
  // Only the mark of the cycle that carried it moves.
  const learned = (b: DimensionBaseline | undefined) => b?.filter((_, i) => i !== BASELINE.lastCycle);
  const { baselines } = detectOn(healthyGroups(on('ICICI', { failures: 98 })), state);
  assert.deepEqual(learned(baselines.issuers.ICICI), learned(before));
  assert.equal(baselines.issuers.ICICI?.[BASELINE.lastCycle], 1, 'a flagged dimension is still marked as seen');
  assert.notDeepEqual(learned(baselines.issuers.HDFC), learned(state.baselines.issuers.HDFC), 'healthy dimensions keep learning');
  const frozen = detectOn(calmGroups(50), state, new Set(['issuer:HDFC']));
  assert.deepEqual(learned(frozen.baselines.issuers.HDFC), learned(state.baselines.issuers.HDFC), 'an open incident freezes its target');
});

test('retry storms, latency spikes and method fatigue have their own pattern types', () => {
  const storm = detectOn(healthyGroups(on('AXIS', { retries: 60 }))).patterns;
  assert.ok(storm.some((p) => p.type === 'RETRY_STORM' && p.target === 'issuer:AXIS'));
  const slow = detectOn(healthyGroups(on('KOTAK', { latencyMs: 900 }))).patterns;
  assert.ok(slow.some((p) => p.type === 'LATENCY_SPIKE' && p.target === 'issuer:KOTAK'));
  const fatigue = detectOn(healthyGroups((g) => (g.method === 'card' ? { ...g, failures: 70 } : g))).patterns;
  assert.ok(fatigue.some((p) => p.type === 'METHOD_FATIGUE' && p.target === 'method:card' && p.dimension === 'method'));
});

test('a problem confined to one issuer x method cell surfaces on that cell', () => {
  const groups = healthyGroups((g) => {
    if (g.issuer !== 'HDFC') return g;
    return g.method === 'card' ? { ...g, failures: 100, errorCode: 'ISSUER_UNAVAILABLE' } : { ...g, volume: 3000, failures: 150 };
  });
  const { patterns } = detectOn(groups);
  assert.ok(patterns.some((p) => p.target === 'issuer:HDFC/method:card' && p.dimension === 'issuer'));
  assert.ok(!patterns.some((p) => p.target === 'issuer:HDFC'), 'diluted below materiality at issuer level');
});

test('nothing is judged during warm-up', () => {
  const state = warmState(config, config.warmupWindows - 1);
  assert.equal(state.baselines.issuers.HDFC?.[BASELINE.windows], config.warmupWindows - 1);
  assert.deepEqual(detectOn(healthyGroups(on('ICICI', { failures: 100 })), state).patterns, []);
});

test('the series scorer (detect CLI) scores 0 in warm-up and high on a spike', () => {
  let state = initialSeriesState();
  const scores: number[] = [];
  for (let i = 0; i < 20; i++) {
    const r = scorePoint(state, 100 + (i % 2), config);
    state = r.state;
    scores.push(r.score);
  }
  assert.ok(scores.slice(0, config.warmupWindows).every((s) => s === 0));
  assert.ok(scores.every((s) => s < 0.5));
  const spike = scorePoint(state, 200, config);
  assert.ok(spike.score > 0.9 && spike.anomalous);
  assert.equal(scorePoint(state, Number.NaN, config).score, 0);
});

test("the system's own series learn a daily cycle of 1-minute windows by the third day", () => {
  const day = 1440;
  const prng = createPrng(5);
  let state = initialAgentState();
  for (let w = 0; w < 4200; w++) {
    const window = emptyWindow(w * 60_000, (w + 1) * 60_000);
    const volume = Math.round(300 + 200 * Math.sin((2 * Math.PI * w) / day) + 15 * prng.normal());
    window.system = { ...window.system, volume, successes: Math.round(volume * 0.9), latencyMeanMs: 300, latencyP95Ms: 700 };
    const input = { ...state, frozenTargets: new Set<string>(), movedAway: () => 0 };
    const result = detect(window, input, w + 1, config);
    state = { ...state, baselines: result.baselines, streaks: result.streaks, pools: result.pools, seasons: result.seasons, series: result.series };
  }
  assert.ok(Math.abs(state.series.volume.period - day) <= 0.02 * day, `period ${state.series.volume.period}`);
});

test('a baseline saved before the latency reference existed starts it at its fast mean', () => {
  const saved = warmState().baselines.issuers.HDFC;
  assert.ok(saved);
  const old = saved.slice(0, BASELINE.latencyP95MsSlowMean) as unknown as DimensionBaseline;
  const m = windowOf(
    60,
    calmGroups(60).map((g) => ({ ...g, latencyMs: 400 })),
  ).issuers.HDFC;
  assert.ok(m);
  const next = updateBaseline(old, m, config);
  assert.equal(next.length, saved.length);
  const weight = Math.max(config.slowEwmaAlpha, 1 / (old[BASELINE.windows] + 1));
  const fast = old[BASELINE.latencyP95MsMean];
  assert.ok(m.latencyP95Ms > fast + 100);
  assertClose(next[BASELINE.latencyP95MsSlowMean], fast + weight * (m.latencyP95Ms - fast));
});
