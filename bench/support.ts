import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { Transaction } from '../src/agent';

const issuers = ['HDFC', 'ICICI', 'AXIS', 'SBI', 'KOTAK'];
const methods = ['card', 'upi', 'netbanking', 'wallet'];

/** The i-th transaction of a benchmark: varied dimensions, a fresh id, event time `at` (default now). */
export function benchTransaction(i: number, at = Date.now()): Transaction {
  const failed = i % 17 === 0;
  return {
    id: randomUUID(),
    timestamp: new Date(at).toISOString(),
    issuer: issuers[i % issuers.length]!,
    method: methods[i % methods.length]!,
    status: failed ? 'failed' : 'success',
    amountMinor: 10_000 + (i % 90_000),
    currency: 'INR',
    latencyMs: 100 + (i % 400),
    retryCount: i % 9 === 0 ? 1 : 0,
    errorCode: failed ? 'ISSUER_UNAVAILABLE' : null,
  };
}

export interface SingleLoad {
  connections: number;
  seconds: number;
  /** Requests per second in all; unset means as fast as the server answers. */
  rate?: number;
}

/** Single POSTs of fresh transactions (each a real insert, never a duplicate), timed now. */
export function postSingles(url: string, headers: Record<string, string>, load: SingleLoad): Promise<autocannon.Result> {
  let i = 0;
  return autocannon({
    url: `${url}/v1/transactions`,
    method: 'POST',
    connections: load.connections,
    duration: load.seconds,
    ...(load.rate ? { overallRate: load.rate } : {}),
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(benchTransaction(i++)) }) }],
  });
}

export const round = (n: number, digits = 0) => Number(n.toFixed(digits));
