import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { valueOption, type InterventionOption } from '../../src/agent';
import { baselineAlert } from '../../src/agent/plan';
import { assertClose, testConfig, windowOf } from './helpers';

const config = testConfig;

function option(overrides: Partial<InterventionOption> = {}): InterventionOption {
  return {
    id: 'SUPPRESS_ISSUER:issuer:ICICI@issuer:ICICI',
    action: 'SUPPRESS_ISSUER',
    target: 'issuer:ICICI',
    params: { issuer: 'ICICI' },
    ttlSeconds: 900,
    blastRadius: 0.1,
    hypothesisId: 'ISSUER_OUTAGE:issuer:ICICI',
    cause: 'ISSUER_OUTAGE',
    patternType: 'ISSUER_DEGRADATION',
    subject: 'issuer:ICICI',
    confidence: 0.8,
    volume: 100,
    upliftRate: 0.36,
    observedSuccessRate: 0.02,
    baselineSuccessRate: 0.95,
    // 40% of payers switch, and the other instruments succeed 95% of the time.
    alternativeSuccessRate: 0.38,
    ticketValue: 100,
    currency: 'INR',
    retriesAvoided: 0,
    retrySuccessRate: 0,
    ...overrides,
  };
}

test("NRV of a move = the moved payments' gain if right - cost - what they lose if the diagnosis is wrong", () => {
  const nrv = valueOption(option(), {}, config);
  // H = min(horizonWindows 30, TTL 900 s / 60 s) = 15 windows; E = prior 0.6.
  assert.equal(nrv.horizonWindows, 15);
  assertClose(nrv.effectiveness, 0.6);
  assertClose(nrv.revenueRecovered, 100 * 15 * 100 * 0.8 * 0.6 * (0.38 - 0.02));
  // Wrong with probability 0.2: the payments would have kept 0.95 and get 0.38.
  assertClose(nrv.riskCost, 100 * 15 * 100 * 0.2 * (0.95 - 0.38));
  assert.equal(nrv.interventionCost, 50);
  assertClose(nrv.nrv, 25_920 - 50 - 17_100);
});

test('steering payers away from a partly degraded bank loses money even when the diagnosis is right', () => {
  // HDFC down 12 points: 83% still succeed; steered, only the 40% who switch pay.
  const partial = option({ confidence: 1, observedSuccessRate: 0.83, alternativeSuccessRate: 0.38, upliftRate: 0.38 - 0.83 });
  const nrv = valueOption(partial, {}, config);
  assert.ok(nrv.nrv < 0, `NRV ${nrv.nrv}`);
  // It turns away every leaver's good payment: (1 - 0.4) x 0.83 of the payments, plus switchers who now fail.
  assertClose(nrv.turnedAwayPerWindow, 100 * (0.6 * 0.83 + 0.4 * Math.max(0, 0.83 - 0.95)));
});

test('routing a failing slice to healthy gateways is worth it and turns nothing away', () => {
  const route = option({
    action: 'ROUTE_GATEWAY',
    target: 'gateway:pg_a/issuer:ICICI',
    params: { from: 'pg_a', to: [{ gateway: 'pg_b', share: 1 }] },
    cause: 'LINK_FAULT',
    confidence: 0.6,
    observedSuccessRate: 0.3,
    alternativeSuccessRate: 0.94,
    upliftRate: 0.64,
  });
  const nrv = valueOption(route, {}, config);
  assert.ok(nrv.nrv > 0);
  assert.equal(nrv.turnedAwayPerWindow, 0);
  // The risk term is not identically zero: a worse destination than the path's own past costs.
  const worse = valueOption({ ...route, alternativeSuccessRate: 0.9 }, {}, config);
  assert.ok(worse.riskCost > 0);
});

test('a retry cap is worth the fees of the retries it stops, less the payments those retries would have won', () => {
  const cap = option({ action: 'REDUCE_RETRIES', ttlSeconds: 600, alternativeSuccessRate: null, confidence: 1, retriesAvoided: 200, retrySuccessRate: 0.01 });
  const nrv = valueOption(cap, {}, config);
  const H = 10;
  assertClose(nrv.retryCostSaved, 200 * H * 0.5 * config.retryCost);
  assertClose(nrv.revenueRecovered, -200 * H * 0.5 * 0.01 * 100);
  assert.ok(nrv.nrv > 0);
  // Retries that mostly succeed are worth more than their fee: capping them loses money.
  assert.ok(valueOption({ ...cap, retrySuccessRate: 0.9 }, {}, config).nrv < 0);
});

test('an alert recovers nothing: the baseline ALERT_OPS is worth exactly -5, whatever the window', () => {
  const window = windowOf(0, [{ issuer: 'HDFC', method: 'upi', volume: 10 }]);
  assert.equal(valueOption(baselineAlert(window, config), {}, config).nrv, -5);
  const alert = option({ action: 'ALERT_OPS', target: 'ops_team', alternativeSuccessRate: null, upliftRate: 0.5 });
  assert.equal(valueOption(alert, {}, config).nrv, -config.alertOpsCost);
});

test('learned effectiveness scales the value', () => {
  const confident = { 'SUPPRESS_ISSUER|ISSUER_DEGRADATION': { alpha: 9, beta: 1 } };
  assertClose(valueOption(option(), confident, config).effectiveness, 0.9);
  assert.ok(valueOption(option(), confident, config).nrv > valueOption(option(), {}, config).nrv);
});

test('property: NRV moves with volume in the direction of the per-payment margin', () => {
  const unit = fc.double({ min: 0, max: 1, noNaN: true });
  fc.assert(
    fc.property(
      unit,
      unit,
      unit,
      unit,
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 1, max: 10_000 }),
      (confidence, observed, alternative, before, v, dv) => {
        const base = option({ confidence, observedSuccessRate: observed, alternativeSuccessRate: alternative, baselineSuccessRate: before });
        const low = valueOption({ ...base, volume: v }, {}, config);
        const high = valueOption({ ...base, volume: v + dv }, {}, config);
        const margin = confidence * low.effectiveness * (alternative - observed) - (1 - confidence) * Math.max(0, before - alternative);
        const tolerance = 1e-6 * Math.max(1, Math.abs(high.nrv));
        if (margin > 0) assert.ok(high.nrv >= low.nrv - tolerance);
        if (margin < 0) assert.ok(high.nrv <= low.nrv + tolerance);
      },
    ),
  );
});
