// A simulated gateway in real time: it generates the stream as the wall clock moves, posts it to
// the service in batches and, closing the loop, polls the routing directives and obeys them.
import { fetchDirectives, openRouting, routingFrom, type DirectiveSource, type Routing } from './gateway';
import { createStream, type StreamOptions } from './stream';
import { MS_PER_SECOND } from '../agent';

export interface FeedOptions extends DirectiveSource {
  stream: StreamOptions;
  paymentsPerSecond: number;
  tickMs: number;
  /** Whether to read and obey directives (the closed loop); a plain load source may not. */
  obey: boolean;
  now: () => number;
  onError(err: unknown): void;
}

export interface FeedStats {
  payments: number;
  transactions: number;
  batches: number;
  failedBatches: number;
  /** Round-trip time of each accepted batch. */
  batchLatenciesMs: number[];
  /** Directives in force at the last poll. */
  directives: number;
  settledMinor: number;
  lostMinor: number;
}

export interface Feed {
  stats(): FeedStats;
  /** Stops after the batch in flight; resolves with the final figures. */
  stop(): Promise<FeedStats>;
}

/** Tries of one batch against 503 overloaded or 429, and the longest Retry-After honoured. */
const MAX_ATTEMPTS = 5;
const MAX_RETRY_AFTER_SECONDS = 2;

/** The contract's batch limit. */
const MAX_BATCH_ITEMS = 10_000;

export function startFeed(o: FeedOptions): Feed {
  const stream = createStream(o.stream, o.now(), o.paymentsPerSecond);
  const stats: FeedStats = { payments: 0, transactions: 0, batches: 0, failedBatches: 0, batchLatenciesMs: [], directives: 0, settledMinor: 0, lostMinor: 0 };
  const headers = { 'content-type': 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) };
  let running = true;
  let routing: Routing = openRouting;

  async function post(transactions: readonly unknown[]): Promise<void> {
    const began = performance.now();
    const body = JSON.stringify({ transactions });
    // A service shedding load or limiting rate answers 503 or 429 with Retry-After; a gateway waits
    // and resends the same batch (its ids make the resend harmless), as the contract asks.
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${o.baseUrl}/v1/transactions/batch`, { method: 'POST', headers, body });
      await res.arrayBuffer();
      stats.batches += 1;
      if (res.status === 202) break;
      if ((res.status !== 503 && res.status !== 429) || attempt >= MAX_ATTEMPTS) throw new Error(`POST /v1/transactions/batch answered ${res.status}`);
      const waitSeconds = Math.min(MAX_RETRY_AFTER_SECONDS, Number(res.headers.get('retry-after')) || 1);
      await new Promise((resolve) => setTimeout(resolve, waitSeconds * MS_PER_SECOND));
    }
    stats.batchLatenciesMs.push(performance.now() - began);
  }

  async function tick(): Promise<void> {
    if (o.obey) {
      try {
        const directives = await fetchDirectives(o);
        stats.directives = directives.length;
        routing = routingFrom(directives);
      } catch (err) {
        // The gateway keeps its last routing and keeps paying, as a real one would.
        o.onError(err);
      }
    }
    const chunk = stream.advance(o.now(), routing);
    stats.payments += chunk.payments;
    stats.settledMinor += chunk.settledMinor;
    stats.lostMinor += chunk.lostMinor;
    for (let i = 0; i < chunk.transactions.length; i += MAX_BATCH_ITEMS) {
      const batch = chunk.transactions.slice(i, i + MAX_BATCH_ITEMS);
      try {
        await post(batch);
        stats.transactions += batch.length;
      } catch (err) {
        stats.failedBatches += 1;
        o.onError(err);
      }
    }
  }

  const done = (async () => {
    while (running) {
      const began = o.now();
      try {
        await tick();
      } catch (err) {
        o.onError(err);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, o.tickMs - (o.now() - began))));
    }
  })();

  return {
    stats: () => stats,
    async stop() {
      running = false;
      await done;
      return stats;
    },
  };
}
