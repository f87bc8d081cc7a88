// The simulator's default world: realistic INR traffic for one merchant. Nine banks with skewed
// shares, UPI-heavy, each method with its own success, tickets and codes, three gateways with unequal
// shares. Drift comes from the service's config (drift.theta, drift.sigma, drift.mean_success).
import { defaultAgentConfig, type AgentConfig } from '../agent';
import { defaultMagnitudes } from './incidents';
import type { DriftSettings, StreamOptions } from './stream';
import type { MethodProfile, Weighted } from './world';

/** Event time every benchmark starts at, so runs are comparable. */
export const SIM_START_MS = Date.UTC(2026, 0, 1);

/** A few banks carry most payments and a long tail little: 30/20/15/10/8/7/6/3/1%. */
export const defaultIssuers: readonly Weighted[] = [
  { name: 'HDFC', weight: 0.3 },
  { name: 'ICICI', weight: 0.2 },
  { name: 'SBI', weight: 0.15 },
  { name: 'AXIS', weight: 0.1 },
  { name: 'KOTAK', weight: 0.08 },
  { name: 'YES', weight: 0.07 },
  { name: 'PNB', weight: 0.06 },
  { name: 'BOB', weight: 0.03 },
  { name: 'IDFC', weight: 0.01 },
];

/**
 * UPI carries most payments with small tickets; net banking the largest tickets and the lowest
 * success (payers drop off on the bank's pages). Amounts in paise. Declines are the payer's:
 * ISO 8583 and scheme names on cards, NPCI codes on UPI (Z9 insufficient funds, ZM wrong MPIN,
 * Z8 per-transaction limit, ZA declined by the customer); technical codes are the bank's, the
 * switch's (91 issuer or switch inoperative, 96 malfunction, U30 debit failed) or the gateway's.
 */
export const defaultMethods: readonly MethodProfile[] = [
  {
    name: 'upi',
    weight: 0.56,
    medianAmountMinor: 80_000,
    successOffset: 0,
    declineCodes: ['Z9', 'ZM', 'Z8', 'ZA'],
    technicalCodes: ['U30', '91', 'ISSUER_UNAVAILABLE'],
  },
  {
    name: 'card',
    weight: 0.25,
    medianAmountMinor: 250_000,
    successOffset: -0.02,
    declineCodes: ['INSUFFICIENT_FUNDS', 'DO_NOT_HONOR', '51', '05', '55'],
    technicalCodes: ['91', '96', 'ISSUER_UNAVAILABLE'],
  },
  {
    name: 'netbanking',
    weight: 0.11,
    medianAmountMinor: 400_000,
    successOffset: -0.07,
    declineCodes: ['USER_CANCELLED', 'AUTHENTICATION_FAILED'],
    technicalCodes: ['ISSUER_UNAVAILABLE', 'BANK_UNAVAILABLE'],
  },
  {
    name: 'wallet',
    weight: 0.08,
    medianAmountMinor: 50_000,
    successOffset: 0.02,
    declineCodes: ['INSUFFICIENT_FUNDS', 'USER_CANCELLED'],
    technicalCodes: ['ISSUER_UNAVAILABLE'],
  },
];

/** The orchestrator's default split; unequal, so a gateway fault is not the same size everywhere. */
export const defaultGateways: readonly Weighted[] = [
  { name: 'pg_a', weight: 0.5 },
  { name: 'pg_b', weight: 0.3 },
  { name: 'pg_c', weight: 0.2 },
];

/** The original demo's four issuers. SBI's payments stay under the autonomy blast-radius limit (20%), so its outage is acted on without an operator. */
export const demoIssuers: readonly Weighted[] = [
  { name: 'HDFC', weight: 0.34 },
  { name: 'ICICI', weight: 0.3 },
  { name: 'AXIS', weight: 0.26 },
  { name: 'SBI', weight: 0.1 },
];

/** The service's drift defaults (config drift section), for callers without a config file. */
export const defaultDrift: DriftSettings = { theta: 0.1, sigma: 0.05, meanSuccess: 0.95 };

/** The config file's drift section, as the generator names it. */
export const driftFromConfig = (drift: { theta: number; sigma: number; mean_success: number }): DriftSettings => ({
  theta: drift.theta,
  sigma: drift.sigma,
  meanSuccess: drift.mean_success,
});

/** The stream's economics as the agent is configured: the share of steered payers who switch instrument, and what a retry costs. */
export const economicsOf = (
  agent: Pick<AgentConfig, 'customerSwitchRate' | 'retryCost' | 'minorUnitsPerMajor'>,
): Pick<StreamOptions, 'customerSwitchRate' | 'retryCostMinor'> => ({
  customerSwitchRate: agent.customerSwitchRate,
  retryCostMinor: agent.retryCost * agent.minorUnitsPerMajor,
});

export function streamOptions(seed: number, drift: DriftSettings, overrides: Partial<StreamOptions> = {}): StreamOptions {
  return {
    seed,
    issuers: defaultIssuers,
    methods: defaultMethods,
    gateways: defaultGateways,
    gatewayMaxLossPoints: 0.02,
    currency: 'INR',
    drift,
    driftTimeUnitSeconds: 1,
    maxSuccessRate: 0.99,
    declineShareOfFailures: 0.8,
    medianLatencyMs: 250,
    latencyLogSigma: 0.35,
    latencyPerHealthDrop: 4,
    timeoutMs: 5_000,
    retryProbability: 0.5,
    maxRetries: 2,
    retryDelayMs: 300,
    amountLogSigma: 0.6,
    dailyVolumeSwing: 0,
    // Indian e-commerce peaks in the evening, about 20:00 IST.
    peakHourUtc: 14.5,
    ...economicsOf(defaultAgentConfig),
    incidents: [],
    magnitudes: defaultMagnitudes,
    ...overrides,
  };
}
