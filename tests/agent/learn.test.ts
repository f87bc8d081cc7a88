import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyInterventionEvent,
  applyInterventionEvents,
  effectivenessOf,
  evaluate,
  executedEvent,
  expireInterventions,
  runCycle,
  type AgentState,
  type Evaluation,
  type InterventionRecord,
} from '../../src/agent';
import { directiveParams } from '../../src/agent/directives';
import { snapshotOf } from '../../src/agent/learn';
import { T0, WINDOW_MS, assertClose, healthyGroups, testConfig, warmState, windowOf, type Group } from './helpers';

const config = testConfig;
const down = (g: Group): Group => (g.issuer === 'ICICI' ? { ...g, failures: 98, errorCode: 'ISSUER_UNAVAILABLE' } : g);

function proposed(): { state: AgentState; record: InterventionRecord } {
  const r = runCycle(warmState(), windowOf(50, healthyGroups(down)), config);
  const record = r.decision.chosen.find((c) => c.option.action === 'SUPPRESS_ISSUER')?.record;
  if (!record) throw new Error('expected a suppression');
  return { state: r.state, record };
}

test('events move an intervention through its lifecycle and stale ones change nothing', () => {
  const { state, record } = proposed();
  const at = T0 + 51 * WINDOW_MS;
  const executed = applyInterventionEvent(state, executedEvent(record, at), config);
  const running = executed.interventions[record.id];
  assert.equal(running?.status, 'EXECUTED');
  assert.equal(running?.expiresAt, at + record.ttlSeconds * 1000);
  assert.equal(running?.executedCycle, state.cycle);
  assert.equal(applyInterventionEvent(executed, executedEvent(record, at + 1), config), executed, 'a duplicate is a no-op');
  assert.equal(applyInterventionEvent(executed, { type: 'APPROVED', interventionId: 'unknown', at }, config), executed);
  const expired = applyInterventionEvent(executed, { type: 'EXPIRED', interventionId: record.id, at }, config);
  assert.equal(expired.interventions[record.id], undefined);
});

test("an operator's rejection lowers the learned effectiveness and frees the traffic", () => {
  const { state, record } = proposed();
  const before = effectivenessOf(state.effectiveness, 'SUPPRESS_ISSUER', 'ISSUER_DEGRADATION', config);
  const rejected = applyInterventionEvent(state, { type: 'REJECTED', interventionId: record.id, at: T0, reason: 'planned maintenance' }, config);
  assert.equal(rejected.interventions[record.id], undefined);
  assert.ok(effectivenessOf(rejected.effectiveness, 'SUPPRESS_ISSUER', 'ISSUER_DEGRADATION', config) < before);
});

test('evaluation is a difference in differences against the untouched traffic', () => {
  const { record } = proposed();
  // ICICI recovers to 95% while the rest drops from 95% to 90%: realised uplift is (0.95 - 0.02) - (0.90 - 0.95).
  const later = windowOf(
    60,
    healthyGroups((g) => (g.issuer === 'ICICI' ? { ...g, failures: 5 } : { ...g, failures: 10 })),
  );
  const e = evaluate({ ...record, status: 'EXECUTED' }, later, config);
  assert.equal(e.controlled, true);
  assertClose(e.realisedUpliftRate, 0.95 - 0.02 - (0.9 - 0.95));
  assert.equal(e.rollbackRecommended, false);
});

test("a contained move is judged by the system's change over the share of traffic it moved", () => {
  const { record } = proposed();
  const contained: InterventionRecord = { ...record, status: 'EXECUTED', params: { ...record.params, trafficShare: 0.5 } };
  // Half of ICICI's attempts now succeed elsewhere: its own rate stays low, the system's rises.
  const later = windowOf(
    60,
    healthyGroups((g) => (g.issuer === 'ICICI' ? { ...g, volume: g.volume / 2, failures: 49 } : g)),
  );
  const e = evaluate(contained, later, config);
  const subjectShare = record.snapshot.subjectVolume / record.snapshot.systemVolume;
  const systemNow = snapshotOf(later, 'issuer:ICICI').systemSuccessRate;
  assertClose(e.realisedUpliftRate, (systemNow - record.snapshot.systemSuccessRate) / (subjectShare * 0.5));
  assert.ok(e.realisedUpliftRate > 0);
  assert.equal(e.rollbackRecommended, false);

  // The half left on ICICI slows down as its incident goes on: that is not the move's doing.
  const slower = windowOf(
    60,
    healthyGroups((g) => (g.issuer === 'ICICI' ? { ...g, volume: g.volume / 2, failures: 49, latencyMs: 900 } : g)),
  );
  const judged = evaluate(contained, slower, config);
  assert.equal(judged.latencyDeltaMs, 0);
  assert.equal(judged.rollbackRecommended, false);
  assert.equal(evaluate({ ...contained, params: record.params }, slower, config).rollbackRecommended, true, 'a whole move is still judged on latency');
});

test('a suppression an operator approved at 50% runs, is evaluated and learned from as a move of 50%', () => {
  const { state, record } = proposed();
  const waiting: AgentState = { ...state, interventions: { ...state.interventions, [record.id]: { ...record, status: 'AWAITING_APPROVAL' } } };
  const at = T0 + 51 * WINDOW_MS;
  const narrowed = applyInterventionEvents(
    waiting,
    [{ type: 'APPROVED', interventionId: record.id, at }, executedEvent(record, at, { trafficShare: 0.5, ttlSeconds: 900 })],
    config,
  );
  const running = narrowed.interventions[record.id]!;
  assert.equal(running.status, 'EXECUTED');
  assert.equal(running.params.trafficShare, 0.5);
  assert.equal(running.ttlSeconds, 900);
  assert.equal(running.expiresAt, at + 900_000);

  // Half of ICICI's attempts now go elsewhere and succeed: the half left on ICICI still fails, so
  // judged as a move of everything this would look like no uplift at all and be rolled back.
  const halfMoved = healthyGroups((g) => (g.issuer === 'ICICI' ? { ...g, volume: g.volume / 2, failures: 49 } : g));
  let s = narrowed;
  const evaluations: Evaluation[] = [];
  for (let i = 0; i < config.evaluationDelayWindows; i++) {
    const r = runCycle(s, windowOf(51 + i, halfMoved), config);
    s = r.state;
    evaluations.push(...r.evaluations);
  }
  assert.equal(evaluations.length, 1);
  const last = windowOf(51 + config.evaluationDelayWindows - 1, halfMoved);
  const subjectShare = running.snapshot.subjectVolume / running.snapshot.systemVolume;
  const expected = (snapshotOf(last, 'issuer:ICICI').systemSuccessRate - running.snapshot.systemSuccessRate) / (subjectShare * 0.5);
  assertClose(evaluations[0]!.realisedUpliftRate, expected);
  assert.ok(expected > 0);
  assert.equal(evaluations[0]!.rollbackRecommended, false);
  assert.ok(
    effectivenessOf(s.effectiveness, 'SUPPRESS_ISSUER', 'ISSUER_DEGRADATION', config) >
      effectivenessOf(state.effectiveness, 'SUPPRESS_ISSUER', 'ISSUER_DEGRADATION', config),
  );
});

test('a directive covers its own scope, narrowed further by an approval', () => {
  assert.equal(directiveParams('REROUTE_METHOD', { method: 'upi', trafficShare: 0.4 }, 0.05).trafficShare, 0.4);
  assert.equal(directiveParams('REROUTE_METHOD', { method: 'upi', trafficShare: 0.4 }, 0.05, 0.25).trafficShare, 0.25);
  assert.equal(directiveParams('REROUTE_METHOD', { method: 'upi' }, 0.05, 0.6).trafficShare, 0.6);
  assert.deepEqual(directiveParams('SUPPRESS_ISSUER', { issuer: 'HDFC', trafficShare: 0.8 }, 0.05), { issuer: 'HDFC', trafficShare: 0.8, probeShare: 0.2 });
  assert.deepEqual(directiveParams('SUPPRESS_ISSUER', { issuer: 'HDFC' }, 0.05), { issuer: 'HDFC', trafficShare: 0.95, probeShare: 0.05 });
});

test('rollback is recommended when the subject got worse by more than the configured points', () => {
  const window = windowOf(50, healthyGroups());
  const record: InterventionRecord = {
    ...proposed().record,
    status: 'EXECUTED',
    subject: 'issuer:SBI',
    target: 'issuer:SBI',
    snapshot: snapshotOf(window, 'issuer:SBI'),
  };
  const worse = evaluate(
    record,
    windowOf(
      60,
      healthyGroups((g) => (g.issuer === 'SBI' ? { ...g, failures: 20 } : g)),
    ),
    config,
  );
  assert.equal(worse.rollbackRecommended, true);
  const slower = evaluate(
    record,
    windowOf(
      60,
      healthyGroups((g) => (g.issuer === 'SBI' ? { ...g, latencyMs: 400 } : g)),
    ),
    config,
  );
  assert.equal(slower.rollbackRecommended, true);
});

test('K windows after execution the cycle evaluates, learns and recommends rollback if needed', () => {
  const { state, record } = proposed();
  let s = applyInterventionEvent(state, executedEvent(record, T0 + 51 * WINDOW_MS), config);
  const recovered = healthyGroups();
  let evaluations = 0;
  for (let i = 0; i < config.evaluationDelayWindows; i++) {
    const r = runCycle(s, windowOf(51 + i, recovered), config);
    s = r.state;
    evaluations += r.evaluations.length;
  }
  assert.equal(evaluations, 1);
  assert.equal(s.interventions[record.id]?.status, 'EVALUATED');
  assert.ok(effectivenessOf(s.effectiveness, 'SUPPRESS_ISSUER', 'ISSUER_DEGRADATION', config) > config.suppressIssuerPriorEffectiveness);
});

test('the core expires what has run out in event time, pending approvals included', () => {
  const { state, record } = proposed();
  const late = record.proposedAt + config.approvalTtlSeconds * 1000;
  const { interventions, expired } = expireInterventions(state.interventions, { start: late }, config);
  assert.equal(interventions[record.id], undefined);
  assert.equal(expired[0]?.status, 'EXPIRED');
  assert.ok(expireInterventions(state.interventions, { start: late - 1 }, config).interventions[record.id]);
});

test('a pending intervention snapshots the last window before it is executed', () => {
  const { state, record } = proposed();
  const halfDown = healthyGroups((g) => (g.issuer === 'ICICI' ? { ...g, failures: 50 } : g));
  const next = runCycle(state, windowOf(51, halfDown), config).state;
  assertClose(next.interventions[record.id]?.snapshot.subjectSuccessRate ?? 0, 0.5);
  const executed = applyInterventionEvent(next, executedEvent(record, T0 + 52 * WINDOW_MS), config);
  const after = runCycle(executed, windowOf(52, healthyGroups()), config).state;
  assertClose(after.interventions[record.id]?.snapshot.subjectSuccessRate ?? 0, 0.5, 1e-9, 'frozen once executed');
});
