// The simulator as a load source: streams seeded payments to a running service at a steady rate,
// obeying its routing directives unless told not to, and reports throughput and batch latency.
// Usage: npm run load -- --rate N --duration S [--url URL --key KEY --seed N --open-loop]
// The key defaults to the first ingest key in PAYOPS_API_KEYS, as the service itself reads it.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { MS_PER_SECOND, percentileCont } from '../src/agent';
import { startFeed } from '../src/sim/feed';
import { driftFromConfig, streamOptions } from '../src/sim/profile';

const { values } = parseArgs({
  options: {
    rate: { type: 'string' },
    duration: { type: 'string' },
    url: { type: 'string' },
    key: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'open-loop': { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const durationSeconds = Number(values.duration);
if (!(rate > 0) || !(durationSeconds > 0)) {
  process.stderr.write('usage: npm run load -- --rate PAYMENTS_PER_SECOND --duration SECONDS [--url URL --key KEY --seed N --open-loop]\n');
  process.exit(2);
}
const TICK_MS = 100;
const P50 = 0.5;
const P99 = 0.99;

const config = loadConfig();
const baseUrl = values.url ?? `http://${config.server.host}:${config.server.port}`;
const apiKey = values.key ?? config.auth.keys.find((k) => k.role === 'ingest')?.key ?? null;
let errors = 0;
const feed = startFeed({
  baseUrl,
  apiKey,
  stream: streamOptions(Number(values.seed), driftFromConfig(config.drift)),
  paymentsPerSecond: rate,
  tickMs: TICK_MS,
  obey: !values['open-loop'],
  now: Date.now,
  onError: (err) => {
    errors += 1;
    if (errors <= 5) process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`);
  },
});
const began = performance.now();
await new Promise((resolve) => setTimeout(resolve, durationSeconds * MS_PER_SECOND));
const stats = await feed.stop();
const seconds = (performance.now() - began) / MS_PER_SECOND;
const latencies = [...stats.batchLatenciesMs].sort((a, b) => a - b);
const round = (x: number): number => Math.round(x * 10) / 10;
process.stdout.write(
  `load: ${stats.payments} payments (${stats.transactions} transactions with retries) in ${seconds.toFixed(1)} s to ${baseUrl}: ` +
    `${(stats.transactions / seconds).toFixed(0)} transactions/s; ${stats.batches} batches, ${stats.failedBatches} failed, p50 ${percentileCont(latencies, P50).toFixed(1)} ms, p99 ${percentileCont(latencies, P99).toFixed(1)} ms; ${stats.directives} directives in force at the end\n`,
);
process.stdout.write(
  `${JSON.stringify({
    target_payments_per_second: rate,
    seconds: round(seconds),
    payments: stats.payments,
    transactions: stats.transactions,
    transactions_per_second: round(stats.transactions / seconds),
    batches: stats.batches,
    failed_batches: stats.failedBatches,
    errors,
    batch_p50_ms: round(percentileCont(latencies, P50)),
    batch_p99_ms: round(percentileCont(latencies, P99)),
    directives: stats.directives,
  })}\n`,
);
// Exit now: idle keep-alive sockets would otherwise hold the process for the server's keep-alive timeout.
process.exit(stats.failedBatches > 0 ? 1 : 0);
