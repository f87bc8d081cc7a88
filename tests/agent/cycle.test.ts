import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  defaultAgentConfig,
  executedEvent,
  initialAgentState,
  observe,
  runCycle,
  type AgentState,
  type CycleResult,
  type InterventionEvent,
  type WindowMetrics,
} from '../../src/agent';
import { defaultScenarioOptions, generateScenario, type ScenarioKind } from '../../src/sim/scenarios';

const KINDS: ScenarioKind[] = ['healthy', 'outage', 'degradation', 'retry_storm', 'latency_spike', 'method_fatigue'];

function scenarioWindows(kind: ScenarioKind, seed: number): WindowMetrics[] {
  const options = { ...defaultScenarioOptions, kind, seed, windows: 24, paymentsPerWindow: 600, incidentStartWindow: 14, incidentWindows: 6 };
  return [...generateScenario(options)].map((w) => observe(w, w.transactions));
}

/** Runs the windows, feeding back autonomous proposals as executed, the way the worker will. */
function runAll(windows: readonly WindowMetrics[], start: AgentState = initialAgentState()): CycleResult[] {
  const config = { ...defaultAgentConfig, warmupWindows: 8 };
  let state = start;
  let events: InterventionEvent[] = [];
  return windows.map((w) => {
    const r = runCycle(state, w, config, events);
    state = r.state;
    events = r.decision.chosen.filter((c) => c.record.status === 'PROPOSED').map((c) => executedEvent(c.record, w.end));
    return r;
  });
}

const arbitraryScenario = fc.record({ kind: fc.constantFrom(...KINDS), seed: fc.integer({ min: 1, max: 1_000_000 }) });

test('property: the same inputs give identical outputs, and the input state is never mutated', () => {
  fc.assert(
    fc.property(arbitraryScenario, ({ kind, seed }) => {
      const windows = scenarioWindows(kind, seed);
      const first = runAll(windows);
      assert.deepStrictEqual(runAll(windows), first);
      const middle = first[10]?.state ?? initialAgentState();
      const frozen = structuredClone(middle);
      runAll(windows.slice(11), middle);
      assert.deepStrictEqual(middle, frozen);
    }),
    { numRuns: 6 },
  );
});

test('property: state is plain JSON, and resuming from its JSON changes nothing downstream', () => {
  fc.assert(
    fc.property(arbitraryScenario, fc.integer({ min: 1, max: 22 }), ({ kind, seed }, cut) => {
      const windows = scenarioWindows(kind, seed);
      const straight = runAll(windows);
      const state = straight[cut - 1]?.state ?? initialAgentState();
      const roundTripped = JSON.parse(JSON.stringify(state)) as AgentState;
      assert.deepStrictEqual(roundTripped, state);
      const resumed = runAll(windows.slice(cut), roundTripped);
      const tail = runAll(windows.slice(cut), state);
      assert.deepStrictEqual(JSON.parse(JSON.stringify(resumed.map((r) => r.decision))), JSON.parse(JSON.stringify(tail.map((r) => r.decision))));
    }),
    { numRuns: 6 },
  );
});

test('an outage scenario runs end to end: detect, hypothesise, act, execute, evaluate', () => {
  const results = runAll(scenarioWindows('outage', 7));
  const acted = results.find((r) => r.decision.chosen.some((c) => c.option.action === 'SUPPRESS_ISSUER'));
  assert.ok(acted, 'a suppression was chosen');
  assert.equal(acted.hypotheses[0]?.cause, 'ISSUER_OUTAGE');
  assert.ok(acted.incidentEvents.some((e) => e.type === 'opened'));
  assert.ok(results.some((r) => r.incidentEvents.some((e) => e.type === 'updated')));
  assert.ok(
    results.some((r) => r.evaluations.length > 0),
    'executed interventions were evaluated',
  );
  assert.ok(results.every((r, i) => r.cycleNumber === i + 1));
});
