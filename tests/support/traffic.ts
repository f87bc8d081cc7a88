import type { Transaction } from '../../src/agent';

/** How each issuer behaves in one window: its share of traffic and its success rate. */
export interface IssuerBehaviour {
  share: number;
  successRate: number;
  /** Error code of the failures beyond the usual background declines. */
  failureCode?: string;
}

export type Mix = Record<string, IssuerBehaviour>;

const methods = ['card', 'upi'];

/**
 * A deterministic window of traffic: the same arguments give the same transactions, so a test
 * can resend a window (idempotency) or compare runs. Failures are spread evenly, not drawn.
 */
export function windowTraffic(label: string, windowStart: number, windowMs: number, volume: number, mix: Mix): Transaction[] {
  const transactions: Transaction[] = [];
  for (const [issuer, behaviour] of Object.entries(mix)) {
    const count = Math.round(volume * behaviour.share);
    const failures = Math.round(count * (1 - behaviour.successRate));
    for (let i = 0; i < count; i += 1) {
      // Spread failures evenly over the window's attempts and methods.
      const failed = Math.floor(((i + 1) * failures) / count) > Math.floor((i * failures) / count);
      transactions.push({
        id: `${label}-${windowStart}-${issuer}-${i}`,
        timestamp: new Date(windowStart + Math.floor((i * windowMs) / Math.max(count, 1))).toISOString(),
        issuer,
        method: methods[i % methods.length]!,
        status: failed ? 'failed' : 'success',
        amountMinor: 150_000 + (i % 7) * 10_000,
        currency: 'INR',
        latencyMs: 180 + (i % 11) * 7,
        retryCount: i % 25 === 0 ? 1 : 0,
        errorCode: failed ? (behaviour.failureCode ?? 'INSUFFICIENT_FUNDS') : null,
      });
    }
  }
  return transactions;
}

export const healthy: Mix = {
  HDFC: { share: 0.15, successRate: 0.95 },
  ICICI: { share: 0.3, successRate: 0.95 },
  AXIS: { share: 0.3, successRate: 0.95 },
  SBI: { share: 0.25, successRate: 0.95 },
};

/** The same mix with one issuer failing on technical errors. */
export function withOutage(mix: Mix, issuer: string, successRate = 0.1): Mix {
  return { ...mix, [issuer]: { ...mix[issuer]!, successRate, failureCode: 'ISSUER_UNAVAILABLE' } };
}

/** A gateway obeying a suppression: the issuer keeps only its probe share, the rest moves elsewhere. */
export function suppressed(mix: Mix, issuer: string, probeShare: number, to: string): Mix {
  const moved = mix[issuer]!.share * (1 - probeShare);
  return {
    ...mix,
    [issuer]: { ...mix[issuer]!, share: mix[issuer]!.share - moved },
    [to]: { ...mix[to]!, share: mix[to]!.share + moved },
  };
}
