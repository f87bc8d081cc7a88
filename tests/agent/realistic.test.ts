// The detector on realistic traffic (tests/agent/traffic.ts: daily cycle, skewed shares, binomial
// noise, per-issuer failure mixes). Each test states what must happen before it runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultAgentConfig, initialAgentState, runCycle, type AgentConfig, type AgentState, type CycleResult, type InterventionEvent } from '../../src/agent';
import { trafficWindow, type Fault, type TrafficOptions } from './traffic';

const config: AgentConfig = defaultAgentConfig;

interface Run {
  results: CycleResult[];
  state: AgentState;
  /** Per window, the moves released because their target's incident resolved. */
  released: string[][];
}

/**
 * Runs windows [0, windows) of the day; the world executes what the agent may run alone and
 * releases a target's moves when its incident resolves, as the service and simulator do.
 */
function run(o: TrafficOptions, windows: number, c: AgentConfig = config): Run {
  let state = initialAgentState();
  let events: InterventionEvent[] = [];
  const results: CycleResult[] = [];
  const released: string[][] = [];
  for (let i = 0; i < windows; i++) {
    const result = runCycle(state, trafficWindow(o, i), c, events);
    state = result.state;
    const at = result.windowEnd;
    events = result.decision.chosen.filter((x) => x.record.status === 'PROPOSED').map((x) => ({ type: 'EXECUTED' as const, interventionId: x.record.id, at }));
    const resolved = new Set(result.incidentEvents.filter((e) => e.type === 'resolved').map((e) => e.incident.target));
    const releasing = Object.values(state.interventions).filter((r) => r.status === 'EXECUTED' && resolved.has(r.subject));
    for (const r of releasing) events.push({ type: 'EXPIRED', interventionId: r.id, at });
    released.push(releasing.map((r) => r.id));
    results.push(result);
  }
  return { results, state, released };
}

const between = (r: Run, from: number, to: number): CycleResult[] => r.results.slice(from, to);
const chosenIn = (results: readonly CycleResult[]) => results.flatMap((x) => x.decision.chosen.map((c) => c.record));
const pagesIn = (results: readonly CycleResult[]) => chosenIn(results).filter((r) => r.action === 'ALERT_OPS' && !r.heartbeat);
const movesIn = (results: readonly CycleResult[]) => chosenIn(results).filter((r) => r.action !== 'ALERT_OPS');
const on = (issuer: string, from: number, to: number, fx: Parameters<Fault> extends never ? never : ReturnType<Fault>): Fault => (i, _m, w) => (i === issuer && w >= from && w < to ? fx : null);

test('healthy traffic with a daily cycle pages at most once an hour and moves nothing', () => {
  // 12 hours from midnight to noon: volume x5, success −2 points, p95 +15% at the peak.
  for (const seed of [1, 2]) {
    const r = run({ seed, peakPerWindow: 3000 }, 720);
    const after = between(r, config.warmupWindows, 720);
    const pages = pagesIn(after);
    assert.ok(pages.length <= 12, `seed ${seed}: ${pages.length} pages in 12 hours: ${pages.map((p) => p.params.subject).join(', ')}`);
    assert.equal(movesIn(after).length, 0, `seed ${seed}: moved ${movesIn(after).map((m) => m.id).join(', ')}`);
  }
});

test('a 3% bank fully down at night (~18 attempts a window) is found within 5 windows by pooling', () => {
  const fault = on('BOB', 60, 90, { successPoints: 0.95 });
  const r = run({ seed: 3, peakPerWindow: 3000, fault }, 80);
  const first = r.results.findIndex((x, i) => i >= 60 && x.patterns.some((p) => p.target === 'issuer:BOB' && p.metric === 'successRate'));
  assert.ok(first >= 60 && first < 65, `first finding at window ${first}`);
  assert.ok(r.results.slice(60, 70).some((x) => x.hypotheses.some((h) => h.cause === 'ISSUER_OUTAGE' && h.target === 'issuer:BOB')));
});

test('a 10-point decline over 3 hours is caught by the slow reference before it ends', () => {
  const fault: Fault = (i, _m, w) => (i === 'AXIS' && w >= 300 ? { successPoints: Math.min(0.1, (0.1 * (w - 300)) / 180) } : null);
  const r = run({ seed: 4, peakPerWindow: 3000, fault }, 480);
  const first = r.results.findIndex((x, i) => i >= 300 && x.patterns.some((p) => p.target === 'issuer:AXIS' && p.metric === 'successRate'));
  assert.ok(first >= 300 && first < 480, `first finding at window ${first}`);
});

test('a 6-point step on a mid-size bank is not absorbed into its baseline', () => {
  const r = run({ seed: 5, peakPerWindow: 3000, fault: on('KOTAK', 300, 400, { successPoints: 0.06 }) }, 350);
  const seen = between(r, 310, 350).filter((x) => x.patterns.some((p) => p.target === 'issuer:KOTAK' && p.metric === 'successRate')).length;
  assert.ok(seen >= 30, `KOTAK reported in ${seen} of the 40 windows after the step settled`);
});

test('an incident longer than max_incident_windows closes as a shift and re-learns; an outage never does', () => {
  const c = { ...config, maxIncidentWindows: 40 };
  const step = run({ seed: 6, peakPerWindow: 3000, fault: on('KOTAK', 300, 500, { successPoints: 0.06 }) }, 420, c);
  const shifted = step.results.findIndex((x) => x.incidentEvents.some((e) => e.type === 'shifted' && e.incident.target === 'issuer:KOTAK'));
  assert.ok(shifted > 300, `shifted at ${shifted}`);
  const later = between(step, shifted + 5, 420).filter((x) => x.patterns.some((p) => p.target === 'issuer:KOTAK')).length;
  assert.ok(later <= 3, `${later} KOTAK findings after the shift was accepted`);
  const outage = run({ seed: 6, peakPerWindow: 3000, fault: on('KOTAK', 300, 500, { successPoints: 0.9 }) }, 420, c);
  assert.ok(!outage.results.some((x) => x.incidentEvents.some((e) => e.type === 'shifted' && e.incident.target === 'issuer:KOTAK')));
  assert.ok(outage.results[419]?.state.incidents['ISSUER_DEGRADATION|issuer:KOTAK'], 'the outage is still an open incident');
});

test('a feed that stops, or loses its success events, is paged as telemetry and never acted on', () => {
  const stalled = run({ seed: 7, peakPerWindow: 3000, fault: on('ICICI', 300, 330, { volumeFactor: 0 }) }, 320);
  const during = between(stalled, 300, 320);
  assert.ok(during.some((x) => x.patterns.some((p) => p.type === 'TRAFFIC_DROP' && p.target === 'issuer:ICICI')));
  assert.ok(pagesIn(during).some((p) => p.params.subject === 'issuer:ICICI' && p.params.cause === 'TELEMETRY_LOSS'), 'paged as telemetry');
  assert.equal(movesIn(during).length, 0);
  const lost = run({ seed: 7, peakPerWindow: 3000, fault: on('SBI', 300, 330, { successesLost: true }) }, 320);
  const lostDuring = between(lost, 300, 320);
  assert.ok(lostDuring.some((x) => x.hypotheses.some((h) => h.cause === 'TELEMETRY_LOSS' && h.target === 'issuer:SBI')));
  assert.equal(movesIn(lostDuring).filter((m) => m.target.includes('SBI')).length, 0, `moved ${movesIn(lostDuring).map((m) => m.id).join(', ')}`);
});

test('a decline surge on a bank whose usual failures are technical is read as customer declines', () => {
  const r = run({ seed: 8, peakPerWindow: 3000, fault: on('PNB', 300, 330, { declinePoints: 0.25 }) }, 320);
  const during = between(r, 300, 320);
  assert.ok(during.some((x) => x.hypotheses.some((h) => h.cause === 'CUSTOMER_DECLINES' && h.target === 'issuer:PNB')));
  assert.ok(!during.some((x) => x.hypotheses.some((h) => h.target === 'issuer:PNB' && h.cause.startsWith('ISSUER_'))));
  assert.equal(movesIn(during).length, 0);
});

test('a bank flapping (down 2 windows, up 3) is not suppressed and released over and over', () => {
  const fault: Fault = (i, _m, w) => (i === 'ICICI' && w >= 300 && w < 360 && (w - 300) % 5 < 2 ? { successPoints: 0.9 } : null);
  const r = run({ seed: 9, peakPerWindow: 3000, fault }, 360);
  const suppressions = movesIn(between(r, 300, 360)).filter((m) => m.action === 'SUPPRESS_ISSUER' && m.status === 'PROPOSED');
  assert.ok(suppressions.length >= 1, 'suppressed');
  // Renewing a suppression before its TTL runs out is holding it; releasing it on a quiet spell is the flap.
  const releases = r.released.slice(300, 360).flat().filter((id) => id.includes('SUPPRESS_ISSUER'));
  assert.ok(releases.length <= 2, `released ${releases.length} times in the hour: ${releases.join(', ')}`);
});

test('a campaign that multiplies one bank\'s netbanking by 15 is a change of mix, not a degradation', () => {
  const fault: Fault = (i, m, w) => (i === 'ICICI' && m === 'netbanking' && w >= 300 ? { volumeFactor: 15 } : null);
  const r = run({ seed: 10, peakPerWindow: 3000, fault }, 360);
  const during = between(r, 300, 360);
  assert.ok(!during.some((x) => x.patterns.some((p) => p.target === 'issuer:ICICI' && p.metric === 'successRate')), 'no success finding on ICICI');
  assert.equal(movesIn(during).length, 0);
});
