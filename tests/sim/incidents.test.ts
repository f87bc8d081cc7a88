import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { covers, defaultAgentConfig, isCustomerDecline, parseTarget } from '../../src/agent';
import { openRouting } from '../../src/sim/gateway';
import type { IncidentKind, ScriptedIncident } from '../../src/sim/incidents';
import { createStream, type StreamChunk } from '../../src/sim/stream';
import { defaultDrift, defaultMethods, streamOptions } from '../../src/sim/profile';

const START = Date.parse('2026-11-24T08:00:00Z');
const MINUTE = 60_000;
type Tx = StreamChunk['transactions'][number];

function run(incidents: ScriptedIncident[], minutes = 6, seed = 4): StreamChunk {
  return createStream(streamOptions(seed, defaultDrift, { incidents }), START, 60).advance(START + minutes * MINUTE, openRouting);
}

const at = (t: Tx): number => Date.parse(t.timestamp);
const during = (t: Tx): boolean => at(t) >= START + 2 * MINUTE && at(t) < START + 4 * MINUTE;
const fault = (kind: IncidentKind, target: string, successPoints?: number): ScriptedIncident => ({
  kind,
  target,
  startMs: START + 2 * MINUTE,
  endMs: START + 4 * MINUTE,
  successPoints,
});
const successRate = (txs: readonly Tx[]): number => txs.filter((t) => t.status === 'success').length / txs.length;
const isDecline = (t: Tx): boolean => t.errorCode != null && isCustomerDecline(t.errorCode, defaultAgentConfig);

describe('a fault hits exactly its place', () => {
  const targets = ['issuer:ICICI', 'gateway:pg_b', 'gateway:pg_b/issuer:ICICI', 'gateway:pg_c/method:upi', 'method:card', 'system'];
  for (const target of targets) {
    it(`an outage of ${target} fails its attempts from its start to its end, and nothing else`, () => {
      const chunk = run([fault('outage', target)]);
      const scope = parseTarget(target);
      const hit = (t: Tx): boolean => covers(scope, t.gateway ?? null, t.issuer, t.method);
      assert.ok(successRate(chunk.transactions.filter((t) => hit(t) && during(t))) < 0.05);
      assert.ok(successRate(chunk.transactions.filter((t) => hit(t) && !during(t))) > 0.75);
      if (target !== 'system') assert.ok(successRate(chunk.transactions.filter((t) => !hit(t) && during(t))) > 0.75);
      const failed = chunk.transactions.filter((t) => hit(t) && during(t) && t.status === 'failed');
      assert.ok(failed.filter((t) => !isDecline(t)).length > failed.length * 0.9, 'an outage fails technically');
    });
  }
});

describe('fault kinds', () => {
  const calm = run([], 6, 7);
  const sliceRate = (chunk: StreamChunk, keep: (t: Tx) => boolean): number =>
    successRate(chunk.transactions.filter((t) => t.retryCount === 0 && during(t) && keep(t)));
  const onHdfc = (t: Tx): boolean => t.issuer === 'HDFC';

  it('a degradation takes its points off as technical failures', () => {
    const degraded = run([fault('degradation', 'issuer:HDFC', 0.12)], 6, 7);
    const drop = sliceRate(calm, onHdfc) - sliceRate(degraded, onHdfc);
    assert.ok(Math.abs(drop - 0.12) < 0.02, `drop ${drop}`);
    const declines = (c: StreamChunk) => c.transactions.filter((t) => onHdfc(t) && during(t) && t.retryCount === 0 && isDecline(t)).length;
    assert.equal(declines(degraded), declines(calm));
  });

  it('a customer-decline surge fails payments with the decline codes of their method, not technical ones', () => {
    const surge = run([fault('customer_decline_surge', 'issuer:HDFC')], 6, 7);
    const drop = sliceRate(calm, onHdfc) - sliceRate(surge, onHdfc);
    assert.ok(Math.abs(drop - 0.15) < 0.02, `drop ${drop}`);
    const technicalShare = (c: StreamChunk) => {
      const firsts = c.transactions.filter((t) => onHdfc(t) && during(t) && t.retryCount === 0);
      return firsts.filter((t) => t.status === 'failed' && !isDecline(t)).length / firsts.length;
    };
    assert.ok(Math.abs(technicalShare(surge) - technicalShare(calm)) < 0.01);
    for (const method of ['card', 'upi']) {
      const codes = new Set(surge.transactions.filter((t) => onHdfc(t) && during(t) && t.method === method && isDecline(t)).map((t) => t.errorCode));
      assert.deepEqual(codes, new Set(defaultMethods.find((m) => m.name === method)!.declineCodes), method);
    }
  });

  it('a method-provider fault hits the method on every gateway and every bank', () => {
    const fatigued = run([fault('method_fatigue', 'method:upi')], 6, 7);
    for (const gateway of ['pg_a', 'pg_b', 'pg_c']) {
      const onUpi = (t: Tx): boolean => t.method === 'upi' && t.gateway === gateway;
      assert.ok(sliceRate(calm, onUpi) - sliceRate(fatigued, onUpi) > 0.25, gateway);
    }
    assert.ok(Math.abs(sliceRate(calm, (t) => t.method === 'card') - sliceRate(fatigued, (t) => t.method === 'card')) < 0.01);
  });

  it('a latency spike slows its target without failing it, and a retry storm retries it more', () => {
    const spiked = run([fault('latency_spike', 'gateway:pg_a')], 6, 7);
    const latency = (c: StreamChunk, gateway: string) => {
      const txs = c.transactions.filter((t) => during(t) && t.gateway === gateway);
      return txs.reduce((s, t) => s + t.latencyMs, 0) / txs.length;
    };
    assert.ok(latency(spiked, 'pg_a') > latency(calm, 'pg_a') * 2.5);
    assert.ok(Math.abs(latency(spiked, 'pg_b') - latency(calm, 'pg_b')) < 1);
    const stormy = run([fault('retry_storm', 'issuer:HDFC')], 6, 7);
    const retries = (c: StreamChunk, keep: (t: Tx) => boolean = () => true) =>
      c.transactions.filter((t) => onHdfc(t) && during(t) && t.retryCount > 0 && keep(t)).length;
    assert.ok(retries(stormy) > retries(calm) * 3);
    assert.ok(retries(stormy, isDecline) > 0 && retries(calm, isDecline) === 0, 'a storm retries declines too');
  });
});
