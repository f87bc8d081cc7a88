// The simulator's default payment profile: who pays how, how much, and how the gateway retries.
// Drift comes from the service's config (drift.theta, drift.sigma, drift.mean_success).
import { defaultMagnitudes } from './incidents';
import { defaultScenarioOptions } from './scenarios';
import type { DriftSettings, MethodProfile, StreamOptions, Weighted } from './stream';

/** Typical tickets in paise: UPI is small, net banking large. */
const MEDIAN_AMOUNT_MINOR: Record<string, number> = { upi: 80_000, card: 250_000, netbanking: 400_000, wallet: 50_000 };

export const defaultMethods: readonly MethodProfile[] = defaultScenarioOptions.methods.map((m) => ({
  ...m,
  medianAmountMinor: MEDIAN_AMOUNT_MINOR[m.name] ?? defaultScenarioOptions.medianAmountMinor,
}));

/** The original demo's four issuers. SBI's payments stay under the autonomy blast-radius limit (20%), so its outage is acted on without an operator. */
export const demoIssuers: readonly Weighted[] = [
  { name: 'HDFC', weight: 0.34 },
  { name: 'ICICI', weight: 0.3 },
  { name: 'AXIS', weight: 0.26 },
  { name: 'SBI', weight: 0.1 },
];

/** The config file's drift section, as the generator names it. */
export const driftFromConfig = (drift: { theta: number; sigma: number; mean_success: number }): DriftSettings => ({
  theta: drift.theta,
  sigma: drift.sigma,
  meanSuccess: drift.mean_success,
});

export function streamOptions(seed: number, drift: DriftSettings, overrides: Partial<StreamOptions> = {}): StreamOptions {
  return {
    seed,
    issuers: defaultScenarioOptions.issuers,
    methods: defaultMethods,
    currency: 'INR',
    drift,
    driftTimeUnitSeconds: defaultScenarioOptions.driftTimeUnitSeconds,
    maxSuccessRate: defaultScenarioOptions.maxSuccessRate,
    declineShareOfFailures: defaultScenarioOptions.declineShareOfFailures,
    medianLatencyMs: defaultScenarioOptions.medianLatencyMs,
    latencyLogSigma: defaultScenarioOptions.latencyLogSigma,
    latencyPerHealthDrop: 4,
    timeoutMs: 5_000,
    retryProbability: 0.5,
    maxRetries: 2,
    retryDelayMs: 300,
    normalAmplification: 1.02,
    overloadExponent: 1.5,
    amountLogSigma: 0.6,
    incidents: [],
    magnitudes: defaultMagnitudes,
    ...overrides,
  };
}
