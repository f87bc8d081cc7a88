import { randomUUID } from 'node:crypto';
import type { Transaction } from '../../src/agent';

/** A valid contract transaction; fields can be overridden, or removed by passing undefined. */
export function makeTransaction(overrides: Partial<Record<string, unknown>> = {}): Transaction {
  const base: Record<string, unknown> = {
    id: randomUUID(),
    timestamp: '2026-11-24T06:00:00.000Z',
    issuer: 'HDFC',
    method: 'card',
    status: 'success',
    amountMinor: 125_000,
    currency: 'INR',
    latencyMs: 180,
    retryCount: 0,
    errorCode: null,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base as unknown as Transaction;
}
