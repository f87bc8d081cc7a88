import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { openMigratedDatabase } from '../src/db/migrate';
import { createTestDatabase } from '../tests/support/database';
import { runProcess } from '../tests/support/process';
import { benchTransaction, postSingles, round } from './support';

const singleSeconds = Number(process.env.BENCH_SINGLE_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const batchSize = 1_000;
const batches = Number(process.env.BENCH_BATCHES ?? 200);
// Untimed work first on both sides of the batch ratio: the service's JIT and Postgres's caches warm up.
const warmupBatches = 10;
const batchConcurrency = 4;
const ingestKey = 'bench-ingest-key';

const batchStart = Date.UTC(2030, 0, 1);
const row = (i: number) => benchTransaction(i, batchStart + i);

async function hammerSingle(url: string, headers: Record<string, string>): Promise<number> {
  const result = await postSingles(url, headers, { connections, seconds: singleSeconds });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`single run had ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result['2xx'] / result.duration;
}

async function postBatches(url: string, firstRow: number, count: number): Promise<number> {
  const bodies = Array.from({ length: count }, (_, b) =>
    JSON.stringify({ transactions: Array.from({ length: batchSize }, (_, i) => row(firstRow + b * batchSize + i)) }),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: batchConcurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${url}/v1/transactions/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
          body,
        });
        const answer = (await res.json()) as { accepted?: number };
        if (res.status !== 202 || answer.accepted !== batchSize) throw new Error(`batch answered ${res.status} ${JSON.stringify(answer)}`);
      }
    }),
  );
  return (count * batchSize) / ((performance.now() - started) / 1000);
}

const copyText = (value: unknown) => (value === null || value === undefined ? '\\N' : String(value).replace(/[\\\t\n\r]/g, (c) => `\\${c === '\t' ? 't' : c === '\n' ? 'n' : c === '\r' ? 'r' : '\\'}`));

const copyLines = (firstRow: number, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const r = row(firstRow + i);
    return [r.id, r.timestamp, r.timestamp, r.issuer, r.method, r.status, r.amountMinor, r.currency, r.latencyMs, r.retryCount, r.errorCode, null, null].map(copyText).join('\t') + '\n';
  });

async function rawCopy(databaseUrl: string): Promise<number> {
  const db = await openMigratedDatabase({ url: databaseUrl, pool_size: 1, connect_timeout_ms: 2_000, statement_timeout_ms: 600_000 });
  const client = await db.pool.connect();
  const copy = (lines: string[]) =>
    pipeline(
      Readable.from(lines),
      client.query(copyFrom('COPY transactions (id, event_time, window_time, issuer, method, status, amount_minor, currency, latency_ms, retry_count, error_code, merchant_id, gateway) FROM STDIN')),
    );
  await copy(copyLines(0, warmupBatches * batchSize));
  const lines = copyLines(warmupBatches * batchSize, batches * batchSize);
  const started = performance.now();
  await copy(lines);
  const rate = lines.length / ((performance.now() - started) / 1000);
  client.release();
  await db.close();
  return rate;
}

async function main(): Promise<void> {
  const serviceDb = await createTestDatabase('bench_ingest');
  const copyDb = await createTestDatabase('bench_copy');
  // PAYOPS_* settings of this shell reach the service, so tuning can be measured with this script.
  const overrides = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('PAYOPS_') && entry[1] !== undefined));
  const service = runProcess({ ...overrides, DATABASE_URL: serviceDb.url, PAYOPS_API_KEYS: `${ingestKey}:ingest`, PAYOPS_LOGGING_LEVEL: 'info' });
  const empty = runProcess({}, 'bench/empty-server.ts');
  try {
    const [serviceUrl, emptyUrl] = await Promise.all([service.listeningUrl(), empty.listeningUrl()]);

    // Batch first, so the service's table and the COPY's hold the same rows when each is timed.
    process.stdout.write(`batch: ${batches} batches of ${batchSize}, ${batchConcurrency} at a time, after ${warmupBatches} untimed\n`);
    await postBatches(serviceUrl, 0, warmupBatches);
    const batchTps = await postBatches(serviceUrl, warmupBatches * batchSize, batches);
    const copyRps = await rawCopy(copyDb.url);
    process.stdout.write(`  raw COPY into transactions ${copyRps.toFixed(0)} rows/s\n`);
    process.stdout.write(`  POST /v1/transactions/batch ${batchTps.toFixed(0)} tx/s  (${((100 * batchTps) / copyRps).toFixed(1)}% of raw COPY)\n`);

    process.stdout.write(`single: ${connections} connections for ${singleSeconds}s\n`);
    const emptyRouteRps = await hammerSingle(emptyUrl, {});
    const singleTps = await hammerSingle(serviceUrl, { authorization: `Bearer ${ingestKey}` });
    process.stdout.write(`  empty Fastify POST route   ${emptyRouteRps.toFixed(0)} req/s\n`);
    process.stdout.write(`  POST /v1/transactions      ${singleTps.toFixed(0)} tx/s  (${((100 * singleTps) / emptyRouteRps).toFixed(1)}% of the empty route)\n`);

    process.stdout.write(
      `${JSON.stringify({
        single_tps: round(singleTps),
        empty_route_rps: round(emptyRouteRps),
        single_ratio: round(singleTps / emptyRouteRps, 3),
        batch_tps: round(batchTps),
        copy_rps: round(copyRps),
        batch_ratio: round(batchTps / copyRps, 3),
        connections,
        batch_size: batchSize,
      })}\n`,
    );
  } finally {
    await Promise.all([service.stop(), empty.stop()]);
    await Promise.all([serviceDb.drop(), copyDb.drop()]);
  }
}

await main();
