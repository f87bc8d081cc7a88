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
    upliftRate: 0.5,
    observedSuccessRate: 0.45,
    alternativeSuccessRate: 0.2,
    ticketValue: 100,
    ...overrides,
  };
}

test('NRV = revenue recovered - intervention cost - risk cost, as documented', () => {
  const nrv = valueOption(option(), {}, config);
  // H = min(horizonWindows 30, TTL 900 s / 60 s) = 15 windows; E = prior 0.6.
  assert.equal(nrv.horizonWindows, 15);
  assertClose(nrv.effectiveness, 0.6);
  assertClose(nrv.revenueRecovered, 100 * 15 * 100 * 0.8 * 0.6 * 0.5);
  // A suppression moves the traffic: it risks the 0.45 - 0.2 it would lose at the alternatives' rate.
  assertClose(nrv.riskCost, 100 * 15 * 100 * 0.2 * 0.5 * 0.25);
  assert.equal(nrv.interventionCost, 50);
  assertClose(nrv.nrv, 36_000 - 50 - 3_750);
  // An action that leaves the traffic where it is risks the success rate it still has.
  const retries = valueOption(option({ action: 'REDUCE_RETRIES', ttlSeconds: 600, alternativeSuccessRate: null }), {}, config);
  assertClose(retries.riskCost, 100 * 10 * 100 * 0.2 * config.reduceRetriesHarmShare * 0.45);
});

test('moving a degraded target to alternatives that succeed better is worth it even on weak evidence', () => {
  const degraded = option({ confidence: 0.3, observedSuccessRate: 0.8, upliftRate: 0.15, alternativeSuccessRate: 0.95 });
  const nrv = valueOption(degraded, {}, config);
  assert.equal(nrv.riskCost, 0);
  assert.ok(nrv.nrv > 0);
});

test('the baseline ALERT_OPS is worth exactly -5', () => {
  const window = windowOf(0, [{ issuer: 'HDFC', method: 'upi', volume: 10 }]);
  assert.equal(valueOption(baselineAlert(window, config), {}, config).nrv, -5);
});

test('learned effectiveness scales the value', () => {
  const confident = { 'SUPPRESS_ISSUER|ISSUER_DEGRADATION': { alpha: 9, beta: 1 } };
  assertClose(valueOption(option(), confident, config).effectiveness, 0.9);
  assert.ok(valueOption(option(), confident, config).nrv > valueOption(option(), {}, config).nrv);
});

test('property: NRV moves with volume in the direction of the per-attempt margin', () => {
  const unit = fc.double({ min: 0, max: 1, noNaN: true });
  fc.assert(
    fc.property(unit, unit, unit, fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (confidence, uplift, observed, v, dv) => {
      const base = option({ confidence, upliftRate: uplift, observedSuccessRate: observed });
      const low = valueOption({ ...base, volume: v }, {}, config);
      const high = valueOption({ ...base, volume: v + dv }, {}, config);
      const margin = confidence * low.effectiveness * uplift - (1 - confidence) * config.suppressIssuerHarmShare * Math.max(0, observed - 0.2);
      const tolerance = 1e-6 * Math.max(1, Math.abs(high.nrv));
      if (margin > 0) assert.ok(high.nrv >= low.nrv - tolerance);
      if (margin < 0) assert.ok(high.nrv <= low.nrv + tolerance);
      if (margin >= 0 && uplift > 0 && confidence === 1) assert.ok(high.nrv >= low.nrv);
    }),
  );
});
