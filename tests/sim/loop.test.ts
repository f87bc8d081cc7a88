import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultAgentConfig } from '../../src/agent';
import { runClosedLoop, type LoopOptions, type LoopWindow } from '../../src/sim/loop';
import { defaultLoopSettings, loopScenarioKinds, runOracle, runScenario, scenarioOf, totalsOf } from '../../src/sim/loopScenarios';
import { defaultDrift, demoIssuers, streamOptions } from '../../src/sim/profile';

const START = Date.parse('2026-01-01T00:00:00Z');
const WINDOW_MS = defaultAgentConfig.cycleIntervalSeconds * 1000;
const OUTAGE = { kind: 'outage' as const, target: 'issuer:SBI', startMs: START + 14 * WINDOW_MS, endMs: START + 24 * WINDOW_MS };

function loop(policy: LoopOptions['policy'], seed = 11): LoopWindow[] {
  return [
    ...runClosedLoop({
      stream: streamOptions(seed, defaultDrift, { issuers: demoIssuers, incidents: [OUTAGE] }),
      agent: defaultAgentConfig,
      startMs: START,
      windows: 30,
      paymentsPerSecond: 25,
      probeShare: 0.05,
      policy,
    }),
  ];
}

const lost = (ws: readonly LoopWindow[]): number => ws.reduce((sum, w) => sum + w.chunk.lostMinor, 0);
const sbiShare = (w: LoopWindow): number => w.chunk.transactions.filter((t) => t.issuer === 'SBI').length / w.chunk.transactions.length;

describe('closed loop in event time', () => {
  it('suppresses the failing issuer, keeps only its probe share and loses less than doing nothing', () => {
    const on = loop({ kind: 'agent', approveAfterWindows: null });
    const off = loop({ kind: 'off' });
    const acted = on.find((w) => w.result?.decision.chosen.some((c) => c.record.action === 'SUPPRESS_ISSUER' && c.record.target === 'issuer:SBI'));
    assert.ok(acted, 'the agent suppressed SBI');
    assert.ok(acted.start >= OUTAGE.startMs && acted.start < OUTAGE.startMs + 3 * WINDOW_MS, 'within three windows of the outage');
    const next = on[acted.index + 1]!;
    assert.deepEqual(
      next.directives.map((d) => [d.action, d.target]),
      [['SUPPRESS_ISSUER', 'issuer:SBI']],
    );
    // The agent may keep more than the service's probe share flowing, so it can see the bank recover.
    const { trafficShare, probeShare } = next.directives[0]!.params as { trafficShare: number; probeShare: number };
    assert.ok(probeShare >= 0.05 && Math.abs(trafficShare + probeShare - 1) < 1e-9);
    const kept = sbiShare(next) / sbiShare(off[acted.index + 1]!);
    assert.ok(Math.abs(kept - probeShare) < 0.1, `SBI keeps ${kept} of its attempts, probe share ${probeShare}`);
    assert.ok(lost(on) < lost(off));
    // Most harm is the window after the bank recovers, before the agent sees it: about a fifth of what nine windows avoid.
    const { turnedAwayMinor, avoidedMinor } = totalsOf(on);
    assert.ok(turnedAwayMinor < avoidedMinor * 0.3, `turned away ${turnedAwayMinor}, avoided ${avoidedMinor}`);
    assert.equal(
      off.every((w) => w.result === null && w.directives.length === 0),
      true,
    );
  });

  it('is deterministic for a seed', () => {
    const a = loop({ kind: 'agent', approveAfterWindows: null }).map((w) => [w.chunk.lostMinor, w.result?.decision.reason]);
    const b = loop({ kind: 'agent', approveAfterWindows: null }).map((w) => [w.chunk.lostMinor, w.result?.decision.reason]);
    assert.deepEqual(a, b);
  });

  it('runs at once only the contained part of a move that waits for approval, and the rest once approved', () => {
    // C's share of payments lands between the autonomy limit (20%) and the hard cap on traffic under intervention (50%).
    const issuers = [
      { name: 'A', weight: 0.45 },
      { name: 'B', weight: 0.3 },
      { name: 'C', weight: 0.25 },
    ];
    const big = { ...OUTAGE, target: 'issuer:C' };
    const sharesOnC = (approveAfterWindows: number | null, agent = defaultAgentConfig) =>
      [
        ...runClosedLoop({
          stream: streamOptions(12, defaultDrift, { issuers, incidents: [big] }),
          agent,
          startMs: START,
          windows: 20,
          paymentsPerSecond: 25,
          probeShare: 0.05,
          policy: { kind: 'agent', approveAfterWindows },
        }),
      ].flatMap((w) => w.directives.filter((d) => d.target === 'issuer:C').map((d) => d.params.trafficShare as number));
    const alone = sharesOnC(null);
    assert.ok(alone.length > 0, 'the contained suppression runs without approval');
    // Moving share s of C's traffic touches s x C's share of payments, which must fit the 20% limit.
    assert.ok(
      alone.every((share) => share * 0.25 <= 0.2 + 0.03),
      `contained shares ${alone.join(', ')}`,
    );
    // The full suppression (less the probe share the agent keeps) is wider than anything the agent runs alone.
    const approved = sharesOnC(0);
    const full = Math.max(...approved);
    assert.ok(
      alone.every((share) => share < full),
      'approval brings the full suppression',
    );
    const late = sharesOnC(3);
    assert.ok(late.includes(full) && late.indexOf(full) > approved.indexOf(full), 'a late approval brings it later');
    // Approval requests expire after approval_ttl_seconds (10 windows): an answer after that comes too late.
    assert.ok(!sharesOnC(11).includes(full));
    assert.deepEqual(sharesOnC(null, { ...defaultAgentConfig, containWithinAutonomyLimit: false }), []);
  });

  it('applies known directives for exactly their time (the oracle)', () => {
    const directive = { id: 'oracle', action: 'SUPPRESS_ISSUER', target: 'issuer:SBI', params: { trafficShare: 0.95, probeShare: 0.05 } };
    const oracle = loop({ kind: 'fixed', directivesAt: (ms) => (ms >= OUTAGE.startMs && ms < OUTAGE.endMs ? [directive] : []) });
    const during = oracle.filter((w) => w.start >= OUTAGE.startMs && w.start < OUTAGE.endMs);
    assert.ok(during.every((w) => sbiShare(w) < 0.02));
    assert.ok(sbiShare(oracle[OUTAGE.startMs / WINDOW_MS - START / WINDOW_MS - 1]!) > 0.06);
    assert.ok(lost(oracle) < lost(loop({ kind: 'off' })));
  });
});

describe('closed-loop scenarios', () => {
  const small = { ...defaultLoopSettings, windows: 30, paymentsPerWindow: 900 };

  it('places each kind of fault once the baselines have warmed up, and names where it sits', () => {
    for (const kind of loopScenarioKinds) {
      const s = scenarioOf(kind, 1, small);
      assert.equal(s.incidents.length, kind === 'healthy' ? 0 : 1, kind);
      for (const i of s.incidents) {
        assert.ok(s.name.endsWith(i.target));
        assert.equal(i.startMs, small.startMs + 12 * WINDOW_MS);
        assert.equal(i.endMs - i.startMs, 10 * WINDOW_MS);
      }
    }
    assert.equal(scenarioOf('link_fault', 1, small).name, 'link_fault gateway:pg_b/issuer:ICICI');
    assert.notEqual(scenarioOf('gateway_outage', 2, small).name, scenarioOf('gateway_outage', 3, small).name);
  });

  it('runs one scenario the same way twice, and its loss is what failed payments and retries cost', () => {
    const a = runScenario('link_fault', 2, { kind: 'off' }, small);
    const b = runScenario('link_fault', 2, { kind: 'off' }, small);
    assert.deepEqual(a.totals, b.totals);
    assert.equal(a.windows.length, 30);
    assert.equal(a.totals.lossMinor, a.totals.lostMinor + a.totals.retryCostMinor);
    assert.ok(a.totals.retryCostMinor > 0);
  });

  it('gives the oracle the same levers: a route for a gateway fault, steering for a bank outage, nothing when nothing pays', () => {
    const choice = (kind: (typeof loopScenarioKinds)[number]) => {
      const off = runScenario(kind, 1, { kind: 'off' }, small);
      return { off: off.totals, best: runOracle(off.scenario, off.totals, small) };
    };
    const gateway = choice('gateway_outage');
    assert.equal(gateway.best.choice, 'ROUTE_GATEWAY gateway:pg_b');
    assert.equal(gateway.best.totals.turnedAwayMinor, 0);
    assert.ok(gateway.best.totals.lossMinor < gateway.off.lossMinor * 0.8);
    // Saved loss is avoided failures less turned-away payments, plus the retries it spared.
    const saved = gateway.off.lossMinor - gateway.best.totals.lossMinor;
    assert.equal(
      saved,
      gateway.best.totals.avoidedMinor - gateway.best.totals.turnedAwayMinor + gateway.off.retryCostMinor - gateway.best.totals.retryCostMinor,
    );
    assert.equal(choice('issuer_outage_30pct').best.choice, 'SUPPRESS_ISSUER issuer:HDFC');
    assert.equal(choice('healthy').best.choice, 'nothing');
    assert.equal(choice('customer_decline_surge').best.choice, 'nothing');
  });
});
