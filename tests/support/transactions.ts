import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
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

/** A payment's fields as a property test draws them, its time an offset from a window start. */
export interface DrawnPayment {
  offsetMs: number;
  issuer: string;
  method: string;
  gateway: string | undefined;
  failed: boolean;
  errorCode: string | null;
  latencyMs: number;
  retryCount: number;
  amountMinor: number;
  currency: string;
}

/** The contract transaction of a drawn payment, `id`, in the window starting at `start`. */
export const drawnTransaction = (id: string, start: number, d: DrawnPayment): Transaction =>
  makeTransaction({
    id,
    timestamp: new Date(start + d.offsetMs).toISOString(),
    issuer: d.issuer,
    method: d.method,
    gateway: d.gateway,
    status: d.failed ? 'failed' : 'success',
    errorCode: d.failed ? d.errorCode : null,
    latencyMs: d.latencyMs,
    retryCount: d.retryCount,
    amountMinor: d.amountMinor,
    currency: d.currency,
  });

/** Latencies a property test draws: zero, under a millisecond, ordinary, and absurdly long. */
export const drawnLatencyMs = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 0.999, noNaN: true }),
  fc.integer({ min: 1, max: 8_000 }),
  fc.double({ min: 1, max: 1e7, noNaN: true }),
);
