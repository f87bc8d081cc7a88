// The agent's judgement on skewed, gateway-routed traffic: what it must and must not do with each
// kind of fault, written down before running. Traffic: 9 issuers (30/20/15/10/8/7/6/3/1 %), UPI
// 56% / card 30% / netbanking 14% (netbanking succeeds less), three gateways 50/30/20 %, 5%
// customer declines as the usual mix (4 or 6 % alternately, so baselines have some variance).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executedEvent, initialAgentState, runCycle, type AgentConfig, type AgentState, type CycleResult, type InterventionEvent } from '../../src/agent';
import { ISSUERS } from '../../src/sim/daily';
import { testConfig, windowOf, type Group } from './helpers';

const METHODS: [string, number, string][] = [
  ['upi', 0.56, 'Z9'],
  ['card', 0.3, 'INSUFFICIENT_FUNDS'],
  ['netbanking', 0.14, 'DO_NOT_HONOR'],
];
const GATEWAYS: [string, number][] = [
  ['pg_a', 0.5],
  ['pg_b', 0.3],
  ['pg_c', 0.2],
];
const PAYMENTS_PER_WINDOW = 12_000;
const WARMUP = 15;

type Fault = (g: Group, index: number) => Group;

/** Failures out of a cell's volume at a failure rate, by the given code. */
const failing = (g: Group, rate: number, code: string): Group => ({ ...g, failures: Math.round(g.volume * rate), errorCode: code });

function groups(index: number, fault: Fault = (g) => g): Group[] {
  const out: Group[] = [];
  for (const [issuer, is] of ISSUERS) {
    for (const [method, ms, decline] of METHODS) {
      for (const [gateway, gs] of GATEWAYS) {
        const volume = Math.round(PAYMENTS_PER_WINDOW * is * ms * gs);
        if (volume === 0) continue;
        const declines = (index % 2 === 0 ? 0.04 : 0.06) + (method === 'netbanking' ? 0.05 : 0);
        out.push(fault(failing({ issuer, method, gateway, volume, retries: Math.round(volume * 0.02) }, declines, decline), index));
      }
    }
  }
  return out;
}

const config: AgentConfig = testConfig;

interface Run {
  results: CycleResult[];
  state: AgentState;
}

/** Runs warm-up windows, then `windows` with the fault; the world executes what the agent may run alone. */
function run(fault: Fault, windows = 4, c: AgentConfig = config): Run {
  let state = initialAgentState();
  let events: InterventionEvent[] = [];
  const results: CycleResult[] = [];
  for (let i = 0; i < WARMUP + windows; i++) {
    const result = runCycle(state, windowOf(i, groups(i, i >= WARMUP ? fault : (g) => g)), c, events);
    state = result.state;
    events = result.decision.chosen.filter((x) => x.record.status === 'PROPOSED').map((x) => executedEvent(x.record, result.windowEnd));
    if (i >= WARMUP) results.push(result);
  }
  return { results, state };
}

const chosen = (r: Run) => r.results.flatMap((x) => x.decision.chosen);
const moves = (r: Run, action: string) => chosen(r).filter((c) => c.record.action === action);
const pages = (r: Run) => chosen(r).filter((c) => c.record.action === 'ALERT_OPS' && !c.record.heartbeat);

const technical =
  (rate: number): Fault =>
  (g) =>
    failing(g, (g.failures ?? 0) / g.volume + rate, 'ISSUER_UNAVAILABLE');
const on =
  (issuer: string, f: Fault): Fault =>
  (g, i) =>
    g.issuer === issuer ? f(g, i) : g;

test('a 30% bank losing 12 points is not suppressed: payers would be turned away; ops are paged', () => {
  const r = run(on('HDFC', technical(0.12)));
  assert.equal(moves(r, 'SUPPRESS_ISSUER').length, 0, 'no suppression');
  const page = pages(r).find((c) => c.record.params.subject === 'issuer:HDFC');
  assert.ok(
    page,
    `a page about HDFC; chose ${chosen(r)
      .map((c) => c.record.id)
      .join(', ')}`,
  );
  const suppress = r.results.flatMap((x) => x.options).find((o) => o.action === 'SUPPRESS_ISSUER' && o.target === 'issuer:HDFC');
  assert.ok(suppress && suppress.nrv.nrv < 0, 'steering valued below zero');
  assert.ok(suppress.nrv.turnedAwayPerWindow > 0);
});

test('a 3% bank losing 12 points is not suppressed either; ops are paged', () => {
  const r = run(on('BOB', technical(0.12)), 6);
  assert.equal(moves(r, 'SUPPRESS_ISSUER').length, 0);
  assert.ok(
    pages(r).some((c) => c.record.params.subject === 'issuer:BOB'),
    `chose ${chosen(r)
      .map((c) => c.record.id)
      .join(', ')}`,
  );
});

test('a surge of customer declines (card and NPCI UPI codes) is never an issuer fault: pages, no move', () => {
  const codes: Record<string, string> = { upi: 'ZM', card: 'DO_NOT_HONOR', netbanking: 'INSUFFICIENT_FUNDS' };
  const r = run(on('AXIS', (g) => failing(g, (g.failures ?? 0) / g.volume + 0.3, codes[g.method] ?? 'Z8')));
  assert.equal(chosen(r).filter((c) => c.record.action !== 'ALERT_OPS').length, 0, 'no traffic moved');
  assert.ok(r.results.some((x) => x.hypotheses.some((h) => h.cause === 'CUSTOMER_DECLINES' && h.target === 'issuer:AXIS')));
  assert.ok(pages(r).some((c) => c.record.params.subject === 'issuer:AXIS'));
});

test("a full issuer outage is still suppressed on the agent's own authority", () => {
  const r = run(
    on('SBI', (g) => failing(g, 0.98, 'U30')),
    2,
  );
  const suppress = moves(r, 'SUPPRESS_ISSUER').find((c) => c.record.target === 'issuer:SBI');
  assert.ok(
    suppress,
    `chose ${chosen(r)
      .map((c) => c.record.id)
      .join(', ')}`,
  );
  assert.equal(suppress.record.status, 'PROPOSED');
});

test('a gateway outage is routed to the healthy gateways within 2 windows, autonomously', () => {
  const r = run((g) => (g.gateway === 'pg_b' ? failing(g, 0.97, 'GATEWAY_TIMEOUT') : g), 2);
  const route = moves(r, 'ROUTE_GATEWAY').find((c) => c.record.target === 'gateway:pg_b');
  assert.ok(
    route,
    `chose ${chosen(r)
      .map((c) => c.record.id)
      .join(', ')}`,
  );
  assert.equal(route.record.status, 'PROPOSED');
  assert.deepEqual((route.record.params.to as { gateway: string }[]).map((t) => t.gateway).sort(), ['pg_a', 'pg_c']);
  assert.equal(moves(r, 'SUPPRESS_ISSUER').length + moves(r, 'REROUTE_METHOD').length, 0, 'no payer steered');
  assert.ok(r.results[0]?.hypotheses.some((h) => h.cause === 'GATEWAY_FAULT' && h.target === 'gateway:pg_b'));
});

test('a gateway failing on one method is routed for that method only', () => {
  const r = run((g) => (g.gateway === 'pg_a' && g.method === 'upi' ? failing(g, 0.9, 'U30') : g), 2);
  const route = moves(r, 'ROUTE_GATEWAY')[0];
  assert.equal(
    route?.record.target,
    'gateway:pg_a/method:upi',
    `chose ${chosen(r)
      .map((c) => c.record.id)
      .join(', ')}`,
  );
  assert.equal(moves(r, 'REROUTE_METHOD').length, 0, 'UPI payers are not steered away');
});

test('a gateway x issuer link fault is routed on that link, not suppressed everywhere', () => {
  const r = run((g) => (g.gateway === 'pg_a' && g.issuer === 'HDFC' ? failing(g, (g.failures ?? 0) / g.volume + 0.5, 'ISSUER_UNAVAILABLE') : g), 2);
  const route = moves(r, 'ROUTE_GATEWAY')[0];
  assert.equal(
    route?.record.target,
    'gateway:pg_a/issuer:HDFC',
    `chose ${chosen(r)
      .map((c) => c.record.id)
      .join(', ')}`,
  );
  assert.equal(route?.record.status, 'PROPOSED');
  assert.equal(moves(r, 'SUPPRESS_ISSUER').length, 0);
  assert.ok(r.results.some((x) => x.hypotheses.some((h) => h.cause === 'LINK_FAULT')));
});

test('everything down at once pages, even right after a heartbeat', () => {
  const heartbeatEvery: AgentConfig = { ...config, minActionFrequencyCycles: WARMUP };
  const r = run((g) => failing(g, 0.95, 'GATEWAY_TIMEOUT'), 2, heartbeatEvery);
  const page = pages(r).find((c) => c.record.params.subject === 'system');
  assert.ok(
    page,
    `chose ${chosen(r)
      .map((c) => `${c.record.id}${c.record.heartbeat ? ' (heartbeat)' : ''}`)
      .join(', ')}`,
  );
  assert.equal(chosen(r).filter((c) => c.record.action !== 'ALERT_OPS').length, 0);
});

test('a forced action never moves traffic', () => {
  const forcing: AgentConfig = { ...config, minActionFrequencyCycles: 1 };
  const r = run(on('HDFC', technical(0.12)), 4, forcing);
  for (const x of r.results.filter((y) => y.decision.kind === 'FORCED_ACTION')) {
    assert.ok(x.decision.chosen.every((c) => c.record.action === 'ALERT_OPS'));
  }
  assert.equal(moves(r, 'SUPPRESS_ISSUER').length, 0);
});

test('the stored intervention carries its estimate of good payments turned away', () => {
  const r = run(
    on('SBI', (g) => failing(g, 0.98, 'U30')),
    2,
  );
  const suppress = moves(r, 'SUPPRESS_ISSUER')[0];
  assert.ok(suppress);
  assert.equal(suppress.record.turnedAway.currency, 'INR');
  // SBI still succeeded for 2% of its payments; the 60% of payers who leave lose those.
  assert.ok(suppress.record.turnedAway.paymentsPerMinute > 0 && suppress.record.turnedAway.valuePerMinute > 0);
});
