import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transactionSchema } from '../../src/api/schemas';
import { openRouting, routingFrom } from '../../src/sim/gateway';
import { createStream, type StreamChunk, type StreamOptions } from '../../src/sim/stream';
import { demoIssuers, streamOptions } from '../../src/sim/profile';

const START = Date.parse('2026-11-24T08:00:00Z');
const MINUTE = 60_000;
const drift = { theta: 0.1, sigma: 0.05, meanSuccess: 0.95 };

function run(options: StreamOptions, minutes: number, routing = openRouting, rate = 50): StreamChunk {
  return createStream(options, START, rate).advance(START + minutes * MINUTE, routing);
}

const successRate = (chunk: StreamChunk, keep: (t: StreamChunk['transactions'][number]) => boolean): number => {
  const mine = chunk.transactions.filter(keep);
  return mine.filter((t) => t.status === 'success').length / mine.length;
};

describe('payment stream', () => {
  it('is the same stream for the same seed, a different one for another', () => {
    const a = run(streamOptions(5, drift), 2);
    const b = run(streamOptions(5, drift), 2);
    const c = run(streamOptions(6, drift), 2);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.transactions.map((t) => t.status), c.transactions.map((t) => t.status));
  });

  it('gives the same payments whether the stream is taken in one piece or in ticks', () => {
    const whole = run(streamOptions(5, drift), 1);
    const stream = createStream(streamOptions(5, drift), START, 50);
    const pieces: StreamChunk['transactions'] = [];
    for (let t = START + 1000; t <= START + MINUTE; t += 1000) pieces.push(...stream.advance(t, openRouting).transactions);
    assert.deepEqual(pieces, whole.transactions);
  });

  it('writes contract-valid transactions with several methods, minor-unit amounts and retries', () => {
    const chunk = run(streamOptions(1, drift), 3);
    assert.equal(chunk.payments, 3 * 60 * 50);
    for (const t of chunk.transactions) assert.ok(transactionSchema.safeParse(t).success, JSON.stringify(t));
    assert.ok(new Set(chunk.transactions.map((t) => t.method)).size >= 4);
    assert.ok(chunk.transactions.every((t) => Number.isInteger(t.amountMinor) && t.amountMinor > 0));
    assert.ok(chunk.transactions.some((t) => t.retryCount > 0));
    assert.equal(new Set(chunk.transactions.map((t) => t.id)).size, chunk.transactions.length);
  });

  it('lets failures emerge from the drift: none without volatility below the mean, some with it', () => {
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

  it('lays a scripted outage on its issuer from its start to its end only', () => {
    const incidents = [{ kind: 'outage' as const, target: 'issuer:ICICI', startMs: START + MINUTE, endMs: START + 2 * MINUTE }];
    const chunk = run(streamOptions(4, drift, { incidents }), 3);
    const at = (t: { timestamp: string }) => Date.parse(t.timestamp);
    const during = (t: { timestamp: string }) => at(t) >= START + MINUTE && at(t) < START + 2 * MINUTE;
    assert.ok(successRate(chunk, (t) => t.issuer === 'ICICI' && during(t)) < 0.05);
    assert.ok(successRate(chunk, (t) => t.issuer === 'ICICI' && !during(t)) > 0.75);
    assert.ok(successRate(chunk, (t) => t.issuer === 'HDFC' && during(t)) > 0.75);
    const failed = chunk.transactions.filter((t) => t.issuer === 'ICICI' && during(t) && t.status === 'failed');
    assert.ok(failed.filter((t) => t.errorCode === 'ISSUER_UNAVAILABLE').length > failed.length * 0.7);
  });

  it('counts every payment once as settled or lost', () => {
    const chunk = run(streamOptions(8, drift), 2);
    const firstAttempts = chunk.transactions.filter((t) => t.retryCount === 0);
    assert.equal(firstAttempts.length, chunk.payments);
    assert.equal(chunk.settledMinor + chunk.lostMinor, firstAttempts.reduce((s, t) => s + t.amountMinor, 0));
  });
});

describe('closed loop: the gateway obeys directives', () => {
  const options = streamOptions(9, drift, { issuers: demoIssuers });
  const share = (chunk: StreamChunk, keep: (t: StreamChunk['transactions'][number]) => boolean): number =>
    chunk.transactions.filter((t) => t.retryCount === 0 && keep(t)).length / chunk.payments;

  it('sends a suppressed issuer only its probe share, the rest to the other issuers', () => {
    const routing = routingFrom([{ id: 'd1', action: 'SUPPRESS_ISSUER', target: 'issuer:HDFC', params: { issuer: 'HDFC', trafficShare: 0.95, probeShare: 0.05 } }]);
    const open = run(options, 2);
    const suppressed = run(options, 2, routing);
    assert.ok(Math.abs(share(open, (t) => t.issuer === 'HDFC') - 0.34) < 0.03);
    assert.ok(Math.abs(share(suppressed, (t) => t.issuer === 'HDFC') - 0.34 * 0.05) < 0.01);
    assert.equal(suppressed.payments, open.payments);
  });

  it('moves a rerouted method to the other methods', () => {
    const routing = routingFrom([{ id: 'd2', action: 'REROUTE_METHOD', target: 'method:upi', params: { method: 'upi', trafficShare: 1 } }]);
    const open = run(options, 2);
    const rerouted = run(options, 2, routing);
    assert.ok(share(open, (t) => t.method === 'upi') > 0.4);
    assert.equal(share(rerouted, (t) => t.method === 'upi'), 0);
    assert.ok(share(rerouted, (t) => t.method === 'card') > share(open, (t) => t.method === 'card') + 0.2);
  });

  it('stops retries beyond a cap on the capped traffic only', () => {
    const storm = [{ kind: 'retry_storm' as const, target: 'issuer:ICICI', startMs: START, endMs: START + 10 * MINUTE }];
    const stormy = { ...options, incidents: storm };
    const routing = routingFrom([{ id: 'd3', action: 'REDUCE_RETRIES', target: 'issuer:ICICI', params: { maxRetries: 1, trafficShare: 1 } }]);
    const open = run(stormy, 2);
    const capped = run(stormy, 2, routing);
    assert.ok(open.transactions.some((t) => t.issuer === 'ICICI' && t.retryCount > 1));
    assert.ok(capped.transactions.every((t) => t.issuer !== 'ICICI' || t.retryCount <= 1));
    assert.ok(capped.transactions.some((t) => t.issuer === 'ICICI' && t.retryCount === 1));
  });

  it('gives a payment routed alike the same fate, so on and off runs differ only by the routing', () => {
    const routing = routingFrom([{ id: 'd4', action: 'SUPPRESS_ISSUER', target: 'issuer:SBI', params: { issuer: 'SBI', trafficShare: 0.95, probeShare: 0.05 } }]);
    const open = run(options, 1);
    const suppressed = run(options, 1, routing);
    const fate = (c: StreamChunk) => new Map(c.transactions.filter((t) => t.issuer !== 'SBI').map((t) => [t.id, t.status]));
    const a = fate(open);
    const b = fate(suppressed);
    const same = [...a].filter(([id, status]) => b.get(id) === status).length;
    assert.ok(same / a.size > 0.97);
  });
});
