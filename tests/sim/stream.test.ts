import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transactionSchema } from '../../src/api/schemas';
import { openRouting, routingFrom, type Directive } from '../../src/sim/gateway';
import { createStream, type StreamChunk, type StreamOptions } from '../../src/sim/stream';
import { defaultDrift, defaultGateways, defaultIssuers, streamOptions } from '../../src/sim/profile';

const START = Date.parse('2026-11-24T08:00:00Z');
const MINUTE = 60_000;
const drift = defaultDrift;
type Tx = StreamChunk['transactions'][number];

function run(options: StreamOptions, minutes: number, routing = openRouting, rate = 50): StreamChunk {
  return createStream(options, START, rate).advance(START + minutes * MINUTE, routing);
}

const firsts = (chunk: StreamChunk): Tx[] => chunk.transactions.filter((t) => t.retryCount === 0);

const successRate = (chunk: StreamChunk, keep: (t: Tx) => boolean): number => {
  const mine = chunk.transactions.filter(keep);
  return mine.filter((t) => t.status === 'success').length / mine.length;
};

describe('payment stream', () => {
  it('is the same stream for the same seed, a different one for another', () => {
    const a = run(streamOptions(5, drift), 2);
    const b = run(streamOptions(5, drift), 2);
    const c = run(streamOptions(6, drift), 2);
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a.transactions.map((t) => t.status),
      c.transactions.map((t) => t.status),
    );
  });

  it('gives the same payments whether the stream is taken in one piece or in ticks', () => {
    const whole = run(streamOptions(5, drift), 1);
    const stream = createStream(streamOptions(5, drift), START, 50);
    const pieces: Tx[] = [];
    for (let t = START + 1000; t <= START + MINUTE; t += 1000) pieces.push(...stream.advance(t, openRouting).transactions);
    assert.deepEqual(pieces, whole.transactions);
  });

  it('writes contract-valid transactions through every gateway, with several methods, minor-unit amounts and retries', () => {
    const chunk = run(streamOptions(1, drift), 3);
    assert.equal(chunk.payments, 3 * 60 * 50);
    for (const t of chunk.transactions) assert.ok(transactionSchema.safeParse(t).success, JSON.stringify(t));
    assert.ok(new Set(chunk.transactions.map((t) => t.method)).size >= 4);
    assert.deepEqual(new Set(chunk.transactions.map((t) => t.gateway)), new Set(defaultGateways.map((g) => g.name)));
    assert.ok(chunk.transactions.every((t) => Number.isInteger(t.amountMinor) && t.amountMinor > 0));
    assert.ok(chunk.transactions.some((t) => t.retryCount > 0));
    assert.equal(new Set(chunk.transactions.map((t) => t.id)).size, chunk.transactions.length);
  });

  it('sends payments through the gateways and banks by their shares', () => {
    const payments = firsts(run(streamOptions(2, drift), 10));
    const share = (keep: (t: Tx) => boolean): number => payments.filter(keep).length / payments.length;
    for (const g of defaultGateways) assert.ok(Math.abs(share((t) => t.gateway === g.name) - g.weight) < 0.02, g.name);
    for (const i of defaultIssuers) assert.ok(Math.abs(share((t) => t.issuer === i.name) - i.weight) < 0.015, i.name);
    assert.ok(Math.abs(share((t) => t.method === 'upi') - 0.56) < 0.02);
  });

  it('follows a daily rhythm when asked: a night trough several times below the evening peak, the mean rate kept', () => {
    const day = createStream(streamOptions(4, drift, { dailyVolumeSwing: 0.6, peakHourUtc: 14.5 }), Date.UTC(2026, 0, 1), 2).advance(
      Date.UTC(2026, 0, 2),
      openRouting,
    );
    const inHour = (hour: number): number => firsts(day).filter((t) => new Date(t.timestamp).getUTCHours() === hour).length;
    assert.ok(Math.abs(day.payments - 2 * 86_400) <= 1);
    assert.ok(inHour(14) > inHour(2) * 3, `peak ${inHour(14)}, trough ${inHour(2)}`);
    assert.ok(Math.abs(inHour(14) / (2 * 3_600) - 1.6) < 0.1);
  });

  it('gives each method its own success and codes: net banking lower, NPCI codes on UPI, card codes on cards', () => {
    const chunk = run(streamOptions(3, drift), 20);
    assert.ok(successRate(chunk, (t) => t.method === 'netbanking') < successRate(chunk, (t) => t.method === 'upi') - 0.04);
    const codes = (method: string): Set<string> =>
      new Set(chunk.transactions.filter((t) => t.method === method && t.errorCode).map((t) => t.errorCode as string));
    for (const code of ['Z9', 'ZM', 'Z8', 'ZA', 'U30']) assert.ok(codes('upi').has(code), code);
    for (const code of ['INSUFFICIENT_FUNDS', 'DO_NOT_HONOR', '51', '05', '55', '91', '96']) assert.ok(codes('card').has(code), code);
    assert.ok(!codes('card').has('Z9') && !codes('upi').has('51'));
  });

  it('lets failures emerge from the drift: few without volatility below the mean, more with it', () => {
    const still = run(streamOptions(2, { ...drift, sigma: 0, meanSuccess: 0.99 }), 2);
    const drifting = run(streamOptions(2, { ...drift, sigma: 0.2 }), 2);
    assert.ok(successRate(still, () => true) > 0.95);
    assert.ok(successRate(drifting, () => true) < successRate(still, () => true) - 0.05);
  });

  it('makes an issuer slower and retried more while its health is low: latency and retries follow health', () => {
    const stream = createStream(streamOptions(3, { ...drift, sigma: 0.2 }), START, 200);
    const bySickness = { sick: { n: 0, latency: 0, retries: 0 }, well: { n: 0, latency: 0, retries: 0 } };
    for (let t = START + 1000; t <= START + 10 * MINUTE; t += 1000) {
      const health = stream.health().HDFC ?? 1;
      const chunk = stream.advance(t, openRouting);
      const bucket = health < 0.8 ? bySickness.sick : health > 0.9 ? bySickness.well : null;
      for (const tx of chunk.transactions.filter((x) => x.issuer === 'HDFC' && bucket)) {
        bucket!.n += 1;
        bucket!.latency += tx.latencyMs;
        bucket!.retries += tx.retryCount > 0 ? 1 : 0;
      }
    }
    const { sick, well } = bySickness;
    assert.ok(sick.n > 100 && well.n > 100);
    assert.ok(sick.latency / sick.n > (well.latency / well.n) * 1.3);
    assert.ok(sick.retries / sick.n > (well.retries / well.n) * 2);
  });

  it('counts every payment once as settled or lost, and every retried attempt at its cost', () => {
    const chunk = run(streamOptions(8, drift, { retryCostMinor: 1_500 }), 2);
    const firstAttempts = firsts(chunk);
    assert.equal(firstAttempts.length, chunk.payments);
    assert.equal(
      chunk.settledMinor + chunk.lostMinor,
      firstAttempts.reduce((s, t) => s + t.amountMinor, 0),
    );
    assert.equal(chunk.retryCostMinor, chunk.transactions.filter((t) => t.retryCount > 0).length * 1_500);
  });
});

describe('counterfactual harm, per payment on common random numbers', () => {
  const outage = [{ kind: 'outage' as const, target: 'gateway:pg_b', startMs: START, endMs: START + 10 * MINUTE }];
  const options = streamOptions(21, drift, { incidents: outage });
  const settledOf = (chunk: StreamChunk, keep: (t: Tx) => boolean): number =>
    chunk.transactions.filter((t) => t.status === 'success' && keep(t)).reduce((s, t) => s + t.amountMinor, 0);

  it('finds nothing turned away or avoided without directives', () => {
    const chunk = run(options, 2);
    assert.equal(chunk.turnedAwayMinor, 0);
    assert.equal(chunk.avoidedMinor, 0);
  });

  it('turns nothing away when a failing path is routed to healthy gateways, and avoids its failures', () => {
    const route: Directive = {
      id: 'r',
      action: 'ROUTE_GATEWAY',
      target: 'gateway:pg_b',
      params: {
        from: 'pg_b',
        to: [
          { gateway: 'pg_a', share: 0.625 },
          { gateway: 'pg_c', share: 0.375 },
        ],
        trafficShare: 1,
      },
    };
    const off = run(options, 2);
    const on = run(options, 2, routingFrom([route]));
    assert.equal(on.turnedAwayMinor, 0);
    assert.ok(on.avoidedMinor > 0);
    assert.equal(on.avoidedMinor, off.lostMinor - on.lostMinor);
  });

  it('counts every steered payer who leaves and would have paid as turned away, and nothing avoided', () => {
    // Every HDFC payer is told the bank is down and nobody switches: what HDFC settled without the directive is what was turned away.
    const steer: Directive = { id: 's', action: 'SUPPRESS_ISSUER', target: 'issuer:HDFC', params: { trafficShare: 1, probeShare: 0 } };
    const calm = streamOptions(22, drift, { customerSwitchRate: 0 });
    const off = run(calm, 2);
    const on = run(calm, 2, routingFrom([steer]));
    assert.equal(on.transactions.filter((t) => t.issuer === 'HDFC').length, 0);
    assert.equal(on.avoidedMinor, 0);
    assert.equal(
      on.turnedAwayMinor,
      settledOf(off, (t) => t.issuer === 'HDFC'),
    );
    assert.equal(on.lostMinor, off.lostMinor + on.turnedAwayMinor);
  });

  it('equals the run with no directive: what any directives change in settled amounts is avoided less turned away', () => {
    const directives: Directive[] = [
      { id: 'a', action: 'SUPPRESS_ISSUER', target: 'issuer:SBI', params: { trafficShare: 0.8, probeShare: 0.2 } },
      { id: 'b', action: 'ROUTE_GATEWAY', target: 'gateway:pg_b/method:upi', params: { from: 'pg_b', to: [{ gateway: 'pg_c', share: 1 }], trafficShare: 0.5 } },
      { id: 'c', action: 'REDUCE_RETRIES', target: 'method:card', params: { maxRetries: 0 } },
      { id: 'd', action: 'REROUTE_METHOD', target: 'method:wallet', params: { trafficShare: 1 } },
    ];
    const off = run(options, 3);
    const on = run(options, 3, routingFrom(directives));
    assert.ok(on.turnedAwayMinor > 0 && on.avoidedMinor > 0);
    assert.equal(on.settledMinor - off.settledMinor, on.avoidedMinor - on.turnedAwayMinor);
  });
});
