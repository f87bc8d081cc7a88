import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCycle, type IncidentEvent } from '../../src/agent';
import { calmGroups, healthyGroups, testConfig, warmState, windowOf, type Group } from './helpers';

const down = (g: Group): Group => (g.issuer === 'ICICI' ? { ...g, failures: 98 } : g);

test('consecutive findings on one target are one incident: opened, updated, resolved', () => {
  let state = warmState();
  const events: IncidentEvent[][] = [];
  const sequence = [down, down, down, null, null, null];
  sequence.forEach((change, i) => {
    const groups = change ? healthyGroups(change) : calmGroups(50 + i);
    const r = runCycle(state, windowOf(50 + i, groups), testConfig);
    state = r.state;
    events.push(r.incidentEvents.filter((e) => e.incident.target === 'issuer:ICICI'));
  });
  // Resolved after incidentResolveWindows judged quiet windows.
  const resolvedAt = 2 + testConfig.incidentResolveWindows;
  assert.deepEqual(
    events.map((e) => e.map((x) => x.type)),
    sequence.map((_, i) => (i === 0 ? ['opened'] : i < 3 ? ['updated'] : i === resolvedAt ? ['resolved'] : [])),
  );
  const resolved = events[resolvedAt]?.[0]?.incident;
  assert.equal(resolved?.windowsSeen, 3);
  assert.equal(resolved?.openedCycle, events[0]?.[0]?.incident.openedCycle);
  assert.equal(Object.keys(state.incidents).length, 0);
});

test('a long outage is still an outage at its fortieth window: the baseline stays frozen', () => {
  let state = warmState();
  for (let i = 0; i < 40; i++) {
    const r = runCycle(state, windowOf(50 + i, healthyGroups(down)), testConfig);
    state = r.state;
    assert.ok(
      r.patterns.some((p) => p.target === 'issuer:ICICI'),
      `window ${i}`,
    );
  }
});

test('a window too thin to judge is no evidence of recovery', () => {
  let state = runCycle(warmState(), windowOf(50, healthyGroups(down)), testConfig).state;
  for (let i = 0; i < 5; i++) {
    const thin = healthyGroups((g) => (g.issuer === 'ICICI' ? { ...g, volume: 2, failures: 0 } : g));
    state = runCycle(state, windowOf(51 + i, thin), testConfig).state;
  }
  assert.ok(Object.values(state.incidents).some((x) => x.target === 'issuer:ICICI'));
});
