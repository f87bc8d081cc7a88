import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openRouting, routingFrom, type Directive } from '../../src/sim/gateway';
import { createStream, type StreamChunk, type StreamOptions } from '../../src/sim/stream';
import { defaultDrift, defaultIssuers, streamOptions } from '../../src/sim/profile';

const START = Date.parse('2026-11-24T08:00:00Z');
const MINUTE = 60_000;
type Tx = StreamChunk['transactions'][number];

function run(options: StreamOptions, minutes: number, directives: Directive[] = [], rate = 50): StreamChunk {
  return createStream(options, START, rate).advance(START + minutes * MINUTE, directives.length ? routingFrom(directives) : openRouting);
}

const firsts = (chunk: StreamChunk, keep: (t: Tx) => boolean = () => true): Tx[] => chunk.transactions.filter((t) => t.retryCount === 0 && keep(t));
/** The payment number in a simulated id `sim<seed>-<payment>-<retry>`. */
const paymentOf = (t: Tx): string => t.id.split('-')[1] as string;
const successRate = (txs: readonly Tx[]): number => txs.filter((t) => t.status === 'success').length / txs.length;

const route = (target: string, from: string, to: { gateway: string; share: number }[], trafficShare = 1): Directive => ({
  id: `route ${target}`,
  action: 'ROUTE_GATEWAY',
  target,
  params: { from, to, trafficShare },
});

describe('the orchestrator obeys ROUTE_GATEWAY', () => {
  const options = streamOptions(9, defaultDrift);

  it('moves the path payments to the listed gateways by their shares and leaves the payer issuer and method alone', () => {
    const open = run(options, 4);
    const routed = run(options, 4, [
      route('gateway:pg_a', 'pg_a', [
        { gateway: 'pg_b', share: 0.75 },
        { gateway: 'pg_c', share: 0.25 },
      ]),
    ]);
    const moved = new Set(firsts(open, (t) => t.gateway === 'pg_a').map(paymentOf));
    const after = firsts(routed, (t) => moved.has(paymentOf(t)));
    assert.equal(firsts(routed, (t) => t.gateway === 'pg_a').length, 0);
    assert.equal(after.length, moved.size);
    assert.ok(Math.abs(after.filter((t) => t.gateway === 'pg_b').length / after.length - 0.75) < 0.03);
    const instrument = (t: Tx): string => `${paymentOf(t)} ${t.issuer} ${t.method}`;
    assert.deepEqual(firsts(routed).map(instrument), firsts(open).map(instrument));
    assert.equal(routed.payments, open.payments);
  });

  it('moves only the payments on its path: a link, or one method on a gateway, and only its share of them', () => {
    const open = run(options, 4);
    const link = run(options, 4, [route('gateway:pg_b/issuer:HDFC', 'pg_b', [{ gateway: 'pg_a', share: 1 }])]);
    assert.equal(firsts(link, (t) => t.gateway === 'pg_b' && t.issuer === 'HDFC').length, 0);
    assert.equal(
      firsts(link, (t) => t.gateway === 'pg_b' && t.issuer !== 'HDFC').length,
      firsts(open, (t) => t.gateway === 'pg_b' && t.issuer !== 'HDFC').length,
    );
    const half = run(options, 4, [route('gateway:pg_b/method:upi', 'pg_b', [{ gateway: 'pg_c', share: 1 }], 0.5)]);
    const before = firsts(open, (t) => t.gateway === 'pg_b' && t.method === 'upi').length;
    assert.ok(Math.abs(firsts(half, (t) => t.gateway === 'pg_b' && t.method === 'upi').length / before - 0.5) < 0.05);
    assert.equal(
      firsts(half, (t) => t.gateway === 'pg_b' && t.method !== 'upi').length,
      firsts(open, (t) => t.gateway === 'pg_b' && t.method !== 'upi').length,
    );
  });

  it('makes moved payments succeed at the new gateway rate for their issuer and method', () => {
    const down = streamOptions(9, defaultDrift, { incidents: [{ kind: 'outage', target: 'gateway:pg_a', startMs: START, endMs: START + 60 * MINUTE }] });
    const open = run(down, 4);
    const routed = run(down, 4, [route('gateway:pg_a', 'pg_a', [{ gateway: 'pg_b', share: 1 }])]);
    const moved = new Set(firsts(open, (t) => t.gateway === 'pg_a').map(paymentOf));
    assert.ok(successRate(firsts(open, (t) => moved.has(paymentOf(t)))) < 0.05);
    const movedRate = successRate(firsts(routed, (t) => moved.has(paymentOf(t))));
    const stayedRate = successRate(firsts(routed, (t) => t.gateway === 'pg_b' && !moved.has(paymentOf(t))));
    assert.ok(Math.abs(movedRate - stayedRate) < 0.02, `moved ${movedRate} vs pg_b's own ${stayedRate}`);
  });
});

describe('checkout steering: SUPPRESS_ISSUER and REROUTE_METHOD', () => {
  const options = streamOptions(9, defaultDrift);
  const hdfcShare = defaultIssuers[0]!.weight;
  const suppress = (switchRate: number, trafficShare = 0.95): StreamChunk =>
    run({ ...options, customerSwitchRate: switchRate }, 4, [
      { id: 's', action: 'SUPPRESS_ISSUER', target: 'issuer:HDFC', params: { trafficShare, probeShare: 1 - trafficShare } },
    ]);

  it('keeps only the probe share on a suppressed bank, and loses the steered payers who do not switch', () => {
    const open = run(options, 4);
    const steered = suppress(0.4);
    const payers = open.payments;
    assert.equal(steered.payments, payers);
    assert.ok(Math.abs(firsts(steered, (t) => t.issuer === 'HDFC').length / payers - hdfcShare * 0.05) < 0.005);
    // Payers with no attempt left at checkout: 95% of HDFC's payers, of whom 60% do not switch.
    const left = payers - firsts(steered).length;
    assert.ok(Math.abs(left / payers - hdfcShare * 0.95 * 0.6) < 0.01, `left ${left / payers}`);
    assert.equal(payers - firsts(suppress(1)).length, 0);
    assert.ok(Math.abs((payers - firsts(suppress(0)).length) / payers - hdfcShare * 0.95) < 0.01);
  });

  it('lets switchers pay with an instrument nothing steers away, by population weights', () => {
    const open = run(options, 4);
    const steered = suppress(1, 1);
    const wasHdfc = new Set(firsts(open, (t) => t.issuer === 'HDFC').map(paymentOf));
    const switched = firsts(steered, (t) => wasHdfc.has(paymentOf(t)));
    assert.equal(switched.length, wasHdfc.size);
    assert.ok(switched.every((t) => t.issuer !== 'HDFC'));
    // ICICI holds 20% of all payers, so 20 / 70 of those not with HDFC.
    assert.ok(Math.abs(switched.filter((t) => t.issuer === 'ICICI').length / switched.length - 0.2 / 0.7) < 0.04);
  });

  it('steers payers off a method: switchers pay with another method, the others leave', () => {
    const open = run(options, 4);
    const rerouted = run(options, 4, [{ id: 'm', action: 'REROUTE_METHOD', target: 'method:upi', params: { trafficShare: 1 } }]);
    assert.equal(firsts(rerouted, (t) => t.method === 'upi').length, 0);
    const wasUpi = firsts(open, (t) => t.method === 'upi').length;
    const stayed = firsts(rerouted).length - (firsts(open).length - wasUpi);
    assert.ok(Math.abs(stayed / wasUpi - options.customerSwitchRate) < 0.03, `switched ${stayed / wasUpi}`);
  });
});

describe('REDUCE_RETRIES and ALERT_OPS', () => {
  const storm = [{ kind: 'retry_storm' as const, target: 'issuer:ICICI', startMs: START, endMs: START + 10 * MINUTE }];
  const stormy = streamOptions(9, defaultDrift, { incidents: storm });

  it('stops retries beyond a cap on the capped traffic only, and their cost with them', () => {
    const open = run(stormy, 2);
    const capped = run(stormy, 2, [{ id: 'c', action: 'REDUCE_RETRIES', target: 'issuer:ICICI', params: { maxRetries: 1, trafficShare: 1 } }]);
    assert.ok(open.transactions.some((t) => t.issuer === 'ICICI' && t.retryCount > 1));
    assert.ok(capped.transactions.every((t) => t.issuer !== 'ICICI' || t.retryCount <= 1));
    assert.ok(capped.transactions.some((t) => t.issuer === 'ICICI' && t.retryCount === 1));
    assert.ok(capped.transactions.some((t) => t.issuer !== 'ICICI' && t.retryCount > 1));
    assert.ok(capped.retryCostMinor < open.retryCostMinor);
  });

  it('changes nothing for an alert', () => {
    const alert = run(stormy, 2, [{ id: 'o', action: 'ALERT_OPS', target: 'ops_team', params: { subject: 'issuer:ICICI' } }]);
    assert.deepEqual(alert, run(stormy, 2));
  });
});
