import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BASELINE,
  defaultAgentConfig,
  initialAgentState,
  observe,
  runCycle,
  upgradeAgentState,
  type AgentConfig,
  type AgentState,
  type CycleResult,
  type DimensionBaseline,
} from '../../src/agent';
import { emptySeason, foldSeason, seasonalExpectation } from '../../src/agent/seasonal';
import { T0, WINDOW_MS, testConfig, transactions, type Group } from './helpers';

// Five-minute windows, so three days are 864 cycles.
const MINUTES = 5;
const config: AgentConfig = { ...testConfig, cycleIntervalSeconds: MINUTES * 60 };
const WINDOWS_PER_DAY = (24 * 60) / MINUTES;
const windowStart = (k: number): number => T0 + k * MINUTES * WINDOW_MS;

/** Two steady banks, and a bank whose UPI mandate batch runs 10:00–10:30 every day at 25x its usual volume. */
function groups(k: number, change: (g: Group) => Group = (g) => g): Group[] {
  const minuteOfDay = (k % WINDOWS_PER_DAY) * MINUTES;
  const batch = minuteOfDay >= 600 && minuteOfDay < 630;
  return [
    { issuer: 'HDFC', method: 'upi', volume: 150, failures: 6, errorCode: 'Z9' },
    { issuer: 'HDFC', method: 'card', volume: 100, failures: 5, errorCode: '51' },
    { issuer: 'ICICI', method: 'upi', volume: 150, failures: 6, errorCode: 'Z9' },
    { issuer: 'MANDATE', method: 'upi', volume: batch ? 1000 : 40, failures: 2, errorCode: 'Z9' },
  ].map(change);
}

function windowAt(k: number, g: Group[]) {
  const start = windowStart(k);
  // transactions() spreads a group over the first minute after T0 + index minutes.
  return observe({ start, end: start + MINUTES * WINDOW_MS }, transactions(k * MINUTES, g));
}

function run(days: number, cfg: AgentConfig, change: (k: number) => (g: Group) => Group = () => (g) => g): { results: CycleResult[]; state: AgentState } {
  let state = initialAgentState();
  const results: CycleResult[] = [];
  for (let k = 0; k < days * WINDOWS_PER_DAY; k++) {
    const result = runCycle(state, windowAt(k, groups(k, change(k))), cfg);
    results.push(result);
    state = result.state;
  }
  return { results, state };
}

const drops = (r: CycleResult, target: string): boolean => r.patterns.some((p) => p.type === 'TRAFFIC_DROP' && p.target === target);
/** Windows of a day (0-based) whose end of batch raised a traffic drop on the mandate bank. */
const batchEndDrops = (results: readonly CycleResult[], day: number): number =>
  results.slice(day * WINDOWS_PER_DAY + 126, day * WINDOWS_PER_DAY + 150).filter((r) => drops(r, 'issuer:MANDATE')).length;

test('a fall the day always has at this time is not a traffic drop once the profile has seen it; a stall still is', () => {
  // Expected: day 1 pages the batch's end (nothing known yet); days 2 and 3 do not; ICICI's feed
  // stopping on day 3 at 14:00 is a drop within a window.
  const stallAt = 2 * WINDOWS_PER_DAY + 168;
  const { results, state } = run(3, config, (k) => (g) => (g.issuer === 'ICICI' && k >= stallAt && k < stallAt + 6 ? { ...g, volume: 0, failures: 0 } : g));
  assert.ok(batchEndDrops(results, 0) > 0, 'without a profile, the batch ending looks like a stall');
  assert.equal(batchEndDrops(results, 1), 0, 'day 2: the end of the batch is expected');
  assert.equal(batchEndDrops(results, 2), 0, 'day 3: the end of the batch is expected');
  assert.ok(drops(results[stallAt] as CycleResult, 'issuer:ICICI'), 'a stopped feed is still a drop');
  assert.ok(state.seasons['issuer:MANDATE'], 'the bank above the floor keeps a profile');
});

test('without seasonal profiles (floor out of reach) the same batch pages every day: the profile is what clears it', () => {
  const { results } = run(2, { ...config, seasonalMinVolume: Number.POSITIVE_INFINITY });
  assert.ok(batchEndDrops(results, 1) > 0);
});

test('the week slot wins over the day slot once the same day of the week has been seen', () => {
  const cfg = { seasonalSlotMinutes: 60 };
  const hour = 3_600_000;
  const day = 24 * hour;
  // Six days at 100 an hour, the seventh at 30: next week the seventh day expects 30, the first 100.
  let season = emptySeason(0, cfg);
  for (let h = 0; h <= 7 * 24; h++) season = foldSeason(season, Math.floor(h / 24) === 6 ? 30 : 100, h * hour, cfg);
  assert.equal(seasonalExpectation(season, 13 * day + 5 * hour, cfg), 30);
  assert.equal(seasonalExpectation(season, 7 * day + 5 * hour, cfg), 100);
  // In the first days, before the week is seen, yesterday's same hour answers.
  let young = emptySeason(0, cfg);
  for (let h = 0; h <= 26; h++) young = foldSeason(young, h === 5 ? 7 : 50, h * hour, cfg);
  assert.equal(seasonalExpectation(young, day + 5 * hour, cfg), 7);
  assert.equal(seasonalExpectation(young, day + 9 * hour, cfg), 50);
  assert.equal(seasonalExpectation(emptySeason(0, cfg), 5 * hour, cfg), null);
});

test('dimensions no window carries any more are forgotten after forgetAfterWindows, profiles with them', () => {
  const cfg = { ...config, forgetAfterWindows: 120 };
  // KOTAK sends for the first 30 windows, then never again.
  let state = initialAgentState();
  for (let k = 0; k < 300; k++) {
    const g = groups(k);
    const all = k < 30 ? [...g, { issuer: 'KOTAK', method: 'upi', volume: 80, failures: 3, errorCode: 'Z9' }] : g;
    state = runCycle(state, windowAt(k, all), cfg).state;
    if (k === 120) assert.ok(state.baselines.issuers.KOTAK, 'still remembered within forgetAfterWindows');
  }
  assert.equal(state.baselines.issuers.KOTAK, undefined);
  assert.equal(state.baselines.issuerMethods.KOTAK?.upi, undefined);
  assert.equal(state.seasons['issuer:KOTAK'], undefined);
  assert.ok(state.baselines.issuers.HDFC, 'a bank still sending is kept');
  assert.ok(state.seasons['issuer:HDFC']);
  assert.equal(state.baselines.issuers.HDFC?.[BASELINE.lastCycle], 300);
});

test('the seasonal floor keeps thin dimensions out of the state', () => {
  const { state } = run(1, { ...config, seasonalMinShare: 0.2 });
  // MANDATE carries about 40 of 480 a window: under a fifth of the system's volume.
  assert.equal(state.seasons['issuer:MANDATE'], undefined);
  assert.ok(state.seasons['issuer:HDFC']);
  assert.ok(state.seasons.system);
  assert.equal(defaultAgentConfig.seasonalMinShare < 0.2, true);
});

test('a state saved before baselines kept their last cycle counts them as seen in the saved cycle, and gains empty profiles and series', () => {
  const saved = run(1, config).state;
  const old = JSON.parse(JSON.stringify(saved)) as AgentState;
  old.baselines.issuers.HDFC = saved.baselines.issuers.HDFC?.slice(0, BASELINE.lastCycle) as DimensionBaseline;
  delete (old as Partial<AgentState>).seasons;
  delete (old as Partial<AgentState>).series;
  const upgraded = upgradeAgentState(old);
  assert.equal(upgraded.baselines.issuers.HDFC?.[BASELINE.lastCycle], saved.cycle);
  assert.deepEqual(upgraded.seasons, {});
  assert.deepEqual(upgraded.series, initialAgentState().series);
  assert.ok(saved.series.volume.seen > 0, 'a running agent scores its series');
  assert.equal(upgraded.baselines.issuers.ICICI?.[BASELINE.lastCycle], saved.baselines.issuers.ICICI?.[BASELINE.lastCycle]);
});
