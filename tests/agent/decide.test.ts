import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  activeInterventions,
  decide,
  initialAgentState,
  runCycle,
  valueOption,
  type AgentConfig,
  type AgentState,
  type InterventionOption,
  type PreMortem,
  type ValuedOption,
} from '../../src/agent';
import { recordFor } from '../../src/agent/cycle';
import { baselineAlert } from '../../src/agent/plan';
import { ISSUERS, calmGroups, healthyGroups, testConfig, warmState, windowOf, type Group } from './helpers';

const down =
  (...issuers: string[]) =>
  (g: Group): Group =>
    issuers.includes(g.issuer) ? { ...g, failures: g.volume - 2, errorCode: 'ISSUER_UNAVAILABLE' } : g;

function run(config: AgentConfig, change: (g: Group) => Group, state: AgentState = warmState(config), index = 50) {
  return runCycle(state, windowOf(index, healthyGroups(change)), config);
}

test('an outage worth acting on is acted on, autonomously when its blast radius is within the limit', () => {
  const r = run(testConfig, down('ICICI'));
  assert.equal(r.decision.kind, 'ACTION');
  const chosen = r.decision.chosen[0];
  assert.equal(chosen?.option.action, 'SUPPRESS_ISSUER');
  assert.equal(chosen?.option.target, 'issuer:ICICI');
  assert.ok((chosen?.option.nrv.nrv ?? 0) > 0);
  assert.equal(chosen?.record.status, 'PROPOSED');
  assert.equal(chosen?.preMortem.requiresApproval, false);
  assert.ok((chosen?.preMortem.risks.length ?? 0) > 0);
});

test('an intervention in force is never issued again', () => {
  const first = run(testConfig, down('ICICI'));
  const second = run(testConfig, down('ICICI'), first.state, 51);
  assert.ok(!second.decision.chosen.some((c) => c.option.action === 'SUPPRESS_ISSUER'));
  assert.ok(second.decision.refused.some((r) => r.option.action === 'SUPPRESS_ISSUER' && r.reason === 'already in force'));
});

test('a blast radius above the autonomy limit needs approval; advisory mode asks for everything; shadow acts on nothing', () => {
  const big = (g: Group): Group => (g.issuer === 'HDFC' ? { ...g, volume: 250 } : g);
  const wide = run(testConfig, (g) => down('HDFC')(big(g)), warmState(testConfig));
  const chosen = wide.decision.chosen.find((c) => c.option.action === 'SUPPRESS_ISSUER' && c.option.params.trafficShare === undefined);
  assert.ok(chosen && chosen.option.blastRadius > testConfig.autonomyBlastRadiusLimit);
  assert.equal(chosen.record.status, 'AWAITING_APPROVAL');
  const advisory = { ...testConfig, mode: 'advisory' as const };
  assert.equal(run(advisory, down('ICICI'), warmState(advisory)).decision.chosen[0]?.record.status, 'AWAITING_APPROVAL');
  const shadow = { ...testConfig, mode: 'shadow' as const };
  const shadowed = run(shadow, down('ICICI'), warmState(shadow));
  assert.equal(shadowed.decision.chosen[0]?.record.status, 'SHADOW');
  assert.ok(!run(shadow, down('ICICI'), shadowed.state, 51).decision.chosen.some((c) => c.option.action === 'SUPPRESS_ISSUER'));
});

test('a move above the autonomy limit runs at once on the share that fits it, while the whole waits for approval', () => {
  const big = (g: Group): Group => (g.issuer === 'HDFC' ? { ...g, volume: 150 } : g);
  const outage = (g: Group) => down('HDFC')(big(g));
  const wide = run(testConfig, outage, warmState(testConfig));
  const suppressions = wide.decision.chosen.filter((c) => c.option.action === 'SUPPRESS_ISSUER' && c.option.target === 'issuer:HDFC');
  const whole = suppressions.find((c) => c.record.status === 'AWAITING_APPROVAL');
  const contained = suppressions.find((c) => c.record.status === 'PROPOSED');
  assert.ok(whole && contained, wide.decision.reason);
  const share = contained.record.params.trafficShare as number;
  assert.ok(share > 0 && share < 1);
  assert.ok(contained.record.blastRadius <= testConfig.autonomyBlastRadiusLimit);
  assert.ok(Math.abs(contained.record.blastRadius - whole.record.blastRadius * share) < 1e-9);
  assert.ok(contained.option.nrv.nrv > 0 && contained.option.nrv.nrv < whole.option.nrv.nrv);
  assert.match(wide.decision.reason, new RegExp(`on ${Math.round(share * 100)}% of its traffic`));

  // The pair holds its traffic once, and neither is issued again while it is pending or running.
  const next = run(testConfig, outage, wide.state, 51);
  assert.ok(!next.decision.chosen.some((c) => c.option.target === 'issuer:HDFC'), next.decision.reason);

  const off = { ...testConfig, containWithinAutonomyLimit: false };
  const alone = run(off, outage, warmState(off)).decision.chosen.filter((c) => c.option.target === 'issuer:HDFC');
  assert.deepEqual(
    alone.map((c) => c.record.status),
    ['AWAITING_APPROVAL'],
  );
  const advisory = { ...testConfig, mode: 'advisory' as const };
  const asked = run(advisory, outage, warmState(advisory)).decision.chosen.filter((c) => c.option.target === 'issuer:HDFC');
  assert.deepEqual(
    asked.map((c) => c.record.status),
    ['AWAITING_APPROVAL'],
  );
});

test('caps: no more issuers suppressed than allowed', () => {
  const config = { ...testConfig, maxSuppressedIssuers: 1, maxActionsPerCycle: 3 };
  const r = run(config, down('ICICI', 'SBI'), warmState(config));
  assert.equal(r.decision.chosen.filter((c) => c.option.action === 'SUPPRESS_ISSUER').length, 1);
  assert.ok(r.decision.refused.some((x) => x.reason.includes('issuers suppressed')));
});

test('hard limit: never suppress the last healthy issuer of a method', () => {
  const groups = (i: number): Group[] => [...calmGroups(i), { issuer: 'HDFC', method: 'wallet', volume: 100, failures: 5, errorCode: 'INSUFFICIENT_FUNDS' }];
  let state = initialAgentState();
  for (let i = 0; i < testConfig.warmupWindows + 2; i++) state = runCycle(state, windowOf(i, groups(i)), testConfig).state;
  const r = runCycle(state, windowOf(50, groups(50).map(down('HDFC'))), testConfig);
  assert.ok(!r.decision.chosen.some((c) => c.option.action === 'SUPPRESS_ISSUER'));
  assert.ok(r.decision.refused.some((x) => x.reason.includes('last healthy issuer of method wallet')));
});

function valued(o: Partial<InterventionOption>, nrv: number): ValuedOption {
  const base = baselineAlert(windowOf(0, healthyGroups()), testConfig);
  const option = { ...base, hypothesisId: 'h', patternType: 'ISSUER_DEGRADATION' as const, ...o };
  const value = valueOption(option, {}, testConfig);
  return { ...option, nrv: { ...value, nrv } };
}

test('near-equal options go to the least intrusive', () => {
  const suppress = valued({ id: 's', action: 'SUPPRESS_ISSUER', target: 'issuer:HDFC', blastRadius: 0.1 }, 100);
  const retries = valued({ id: 'r', action: 'REDUCE_RETRIES', target: 'issuer:HDFC', blastRadius: 0.01 }, 95);
  const window = windowOf(0, healthyGroups());
  const input = {
    options: [suppress, retries],
    baseline: valued({}, -5),
    cyclesWithoutAction: 0,
    active: [],
    window,
    patterns: [],
    config: testConfig,
    toRecord: (option: ValuedOption, pm: PreMortem) => recordFor(option, pm, window, 1, testConfig),
  };
  assert.equal(decide(input).chosen[0]?.option.id, 'r');
  assert.equal(decide({ ...input, options: [suppress, valued({ id: 'r', action: 'REDUCE_RETRIES', target: 'issuer:HDFC' }, 50)] }).chosen[0]?.option.id, 's');
});

test('property: with min_action_frequency_cycles = N, calm traffic gets a forced baseline alert every N cycles', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), (n, cycles) => {
      const config = { ...testConfig, minActionFrequencyCycles: n };
      let state = initialAgentState();
      let quiet = 0;
      for (let i = 0; i < cycles; i++) {
        const r = runCycle(state, windowOf(i, calmGroups(i)), config);
        state = r.state;
        if (r.decision.kind === 'NO_ACTION') quiet += 1;
        else {
          assert.equal(r.decision.kind, 'FORCED_ACTION');
          assert.equal(quiet, n - 1);
          assert.equal(r.decision.chosen[0]?.option.target, 'ops_team');
          assert.equal(r.decision.chosen[0]?.option.nrv.nrv, -5);
          quiet = 0;
        }
        assert.ok(quiet < n);
      }
    }),
    { numRuns: 40 },
  );
});

test('min_action_frequency_cycles = 0 switches the rule off', () => {
  let state = initialAgentState();
  for (let i = 0; i < 30; i++) {
    const r = runCycle(state, windowOf(i, calmGroups(i)), { ...testConfig, minActionFrequencyCycles: 0 });
    state = r.state;
    assert.equal(r.decision.kind, 'NO_ACTION');
  }
});

test('property: whatever fails, suppression never exceeds the caps or strands a method', () => {
  const subset = fc.subarray([...ISSUERS], { minLength: 0 });
  fc.assert(
    fc.property(fc.array(subset, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 3 }), (outages, maxIssuers) => {
      const config = { ...testConfig, maxSuppressedIssuers: maxIssuers, maxActionsPerCycle: 5 };
      let state = warmState(config);
      outages.forEach((issuers, i) => {
        state = run(config, down(...issuers), state, 50 + i).state;
        const active = activeInterventions(state).filter((r) => r.action === 'SUPPRESS_ISSUER');
        assert.ok(new Set(active.map((r) => r.target)).size <= maxIssuers);
        assert.ok(active.reduce((sum, r) => sum + r.blastRadius, 0) <= config.maxTrafficUnderIntervention + 1e-9);
        assert.ok(active.length < ISSUERS.length, 'some issuer always stays available');
      });
    }),
    { numRuns: 25 },
  );
});
