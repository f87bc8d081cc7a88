// Builders for known-answer tests: windows from a few lines of description, folded by observe.
import {
  defaultAgentConfig,
  initialAgentState,
  observe,
  runCycle,
  type AgentConfig,
  type AgentState,
  type Transaction,
  type WindowMetrics,
} from '../../src/agent';

export const WINDOW_MS = 60_000;
export const T0 = Date.UTC(2026, 0, 1);

export interface Group {
  issuer: string;
  method: string;
  gateway?: string;
  volume: number;
  failures?: number;
  errorCode?: string | null;
  latencyMs?: number;
  retries?: number;
  amountMinor?: number;
}

export function transactions(index: number, groups: readonly Group[]): Transaction[] {
  const start = T0 + index * WINDOW_MS;
  const out: Transaction[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.volume; i++) {
      const failed = i < (g.failures ?? 0);
      out.push({
        id: `w${index}-${g.gateway ?? ''}-${g.issuer}-${g.method}-${i}`,
        timestamp: new Date(start + ((i * 997) % WINDOW_MS)).toISOString(),
        issuer: g.issuer,
        method: g.method,
        status: failed ? 'failed' : 'success',
        amountMinor: g.amountMinor ?? 10_000,
        currency: 'INR',
        latencyMs: g.latencyMs ?? 200,
        retryCount: i >= g.volume - (g.retries ?? 0) ? 1 : 0,
        errorCode: failed ? (g.errorCode === undefined ? 'ISSUER_UNAVAILABLE' : g.errorCode) : null,
        ...(g.gateway === undefined ? {} : { gateway: g.gateway }),
      });
    }
  }
  return out;
}

export function windowOf(index: number, groups: readonly Group[]): WindowMetrics {
  const start = T0 + index * WINDOW_MS;
  return observe({ start, end: start + WINDOW_MS }, transactions(index, groups));
}

export const ISSUERS = ['HDFC', 'ICICI', 'SBI', 'AXIS', 'KOTAK'] as const;
export const METHODS = ['upi', 'card'] as const;

/** Five issuers on two methods, 100 attempts a cell, 5% customer declines: a calm baseline. */
export function healthyGroups(overrides: (g: Group) => Group = (g) => g): Group[] {
  return ISSUERS.flatMap((issuer) =>
    METHODS.map((method) => overrides({ issuer, method, volume: 100, failures: 5, errorCode: 'INSUFFICIENT_FUNDS', retries: 5 })),
  );
}

/** Alternates 4 and 6 declines per cell so baselines have a little honest variance. */
export function calmGroups(index: number): Group[] {
  return healthyGroups((g) => ({ ...g, failures: index % 2 === 0 ? 4 : 6 }));
}

export const testConfig: AgentConfig = { ...defaultAgentConfig, minActionFrequencyCycles: 0 };

export function warmState(config: AgentConfig = testConfig, windows = config.warmupWindows + 2): AgentState {
  let state = initialAgentState();
  for (let i = 0; i < windows; i++) state = runCycle(state, windowOf(i, calmGroups(i)), config).state;
  return state;
}

export function assertClose(actual: number, expected: number, tolerance = 1e-9, message?: string): void {
  if (Math.abs(actual - expected) > tolerance) throw new Error(message ?? `expected ${actual} to be within ${tolerance} of ${expected}`);
}
