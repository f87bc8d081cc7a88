import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { openMigratedDatabase } from '../src/db/migrate';
import { createTestDatabase } from '../tests/support/database';
import { runProcess } from '../tests/support/process';
import { benchTransaction, postSingles, round } from './support';

const singleSeconds = Number(process.env.BENCH_SINGLE_SECONDS ?? 5);
// Each figure is the median of this many runs, the two sides of a ratio taking turns, so a
// checkpoint or a noisy neighbour in one run moves neither ratio much.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
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

/** Raw COPY into a table of its own: `copy(firstRow, count)` answers rows/s. */
async function openCopier(databaseUrl: string) {
  const db = await openMigratedDatabase({ url: databaseUrl, pool_size: 1, connect_timeout_ms: 2_000, statement_timeout_ms: 600_000 });
  const client = await db.pool.connect();
  return {
    async copy(firstRow: number, count: number): Promise<number> {
      const lines = copyLines(firstRow, count);
      const started = performance.now();
      await pipeline(
        Readable.from(lines),
        client.query(copyFrom('COPY transactions (id, event_time, window_time, issuer, method, status, amount_minor, currency, latency_ms, retry_count, error_code, merchant_id, gateway) FROM STDIN')),
      );
      return count / ((performance.now() - started) / 1000);
    },
    async close() {
      client.release();
      await db.close();
    },
  };
}

async function checkpoint(databaseUrl: string): Promise<void> {
  const db = await openMigratedDatabase({ url: databaseUrl, pool_size: 1, connect_timeout_ms: 2_000, statement_timeout_ms: 600_000 });
  await db.pool.query('CHECKPOINT');
  await db.close();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs the baseline and the measured side in turns, `rounds` times each; the median of each side. */
async function alternate(baseline: (round: number) => Promise<number>, measured: (round: number) => Promise<number>): Promise<[number, number]> {
  const runs: [number[], number[]] = [[], []];
  for (let r = 0; r < rounds; r += 1) {
    runs[0].push(await baseline(r));
    runs[1].push(await measured(r));
  }
  return [median(runs[0]), median(runs[1])];
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
    process.stdout.write(`batch: ${batches} batches of ${batchSize}, ${batchConcurrency} at a time, after ${warmupBatches} untimed; median of ${rounds} runs\n`);
    const copier = await openCopier(copyDb.url);
    const [copyRps, batchTps] = await (async () => {
      try {
        await Promise.all([postBatches(serviceUrl, 0, warmupBatches), copier.copy(0, warmupBatches * batchSize)]);
        const firstRow = (r: number) => (warmupBatches + r * batches) * batchSize;
        return await alternate(
          (r) => copier.copy(firstRow(r), batches * batchSize),
          (r) => postBatches(serviceUrl, firstRow(r), batches),
        );
      } finally {
        await copier.close();
      }
    })();
    process.stdout.write(`  raw COPY into transactions ${copyRps.toFixed(0)} rows/s\n`);
    process.stdout.write(`  POST /v1/transactions/batch ${batchTps.toFixed(0)} tx/s  (${((100 * batchTps) / copyRps).toFixed(1)}% of raw COPY)\n`);

    // The batch phase's dirty pages are written out now, not by a checkpoint in the middle of the single phase.
    await checkpoint(serviceDb.url);
    process.stdout.write(`single: ${connections} connections for ${singleSeconds}s; median of ${rounds} runs\n`);
    const [emptyRouteRps, singleTps] = await alternate(
      () => hammerSingle(emptyUrl, {}),
      () => hammerSingle(serviceUrl, { authorization: `Bearer ${ingestKey}` }),
    );
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
