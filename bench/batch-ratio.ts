// Batch ingestion through the service against raw COPY of the same rows into a database of its
// own, measured in turns: bench:ingest and bench:scale both report this ratio.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { MS_PER_HOUR } from '../src/agent';
import { openMigratedDatabase } from '../src/db/migrate';
import { transactionCopyColumns, transactionFields } from '../src/db/transactions';
import { runProcess, type RunningProcess } from '../tests/support/process';
import { benchTransaction } from './support';

export const batchSize = 1_000;
// Untimed work first on both sides of the batch ratio: the service's JIT and Postgres's caches warm up.
const warmupBatches = 10;
const batchConcurrency = 4;
export const ingestKey = 'bench-ingest-key';

/**
 * The service on `databaseUrl` with the bench's ingest key. PAYOPS_* settings of this shell reach
 * it, so tuning can be measured.
 */
export function startService(databaseUrl: string): RunningProcess {
  const overrides = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('PAYOPS_') && entry[1] !== undefined),
  );
  return runProcess({ ...overrides, DATABASE_URL: databaseUrl, PAYOPS_API_KEYS: `${ingestKey}:ingest`, PAYOPS_LOGGING_LEVEL: 'info' });
}

// Dated an hour back, so the rows are late (they count in the window of their arrival, as a resend
// would) and none lies ahead of the service's clock: the service runs with its default clock skew limit.
const batchStart = Date.now() - MS_PER_HOUR;
const row = (i: number) => benchTransaction(i, batchStart + i);

export async function postBatches(url: string, firstRow: number, count: number): Promise<number> {
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

const copyText = (value: string | number | null | undefined) =>
  value === null || value === undefined
    ? '\\N'
    : String(value).replace(/[\\\t\n\r]/g, (c) => `\\${c === '\t' ? 't' : c === '\n' ? 'n' : c === '\r' ? 'r' : '\\'}`);

// The stored fields in the service's own order, then window_time: the event time, as the insert derives it for a timely row.
const copyLines = (firstRow: number, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const r = row(firstRow + i);
    return [...transactionFields.map((field) => field.value(r)), r.timestamp].map(copyText).join('\t') + '\n';
  });

/** Raw COPY into a table of its own: `copy(firstRow, count)` answers rows/s. */
async function openCopier(databaseUrl: string) {
  const db = await openMigratedDatabase({ url: databaseUrl, pool_size: 1, connect_timeout_ms: 2_000, statement_timeout_ms: 600_000 });
  const client = await db.pool.connect();
  return {
    async copy(firstRow: number, count: number): Promise<number> {
      const lines = copyLines(firstRow, count);
      const started = performance.now();
      await pipeline(Readable.from(lines), client.query(copyFrom(`COPY transactions (${transactionCopyColumns.join(', ')}) FROM STDIN`)));
      return count / ((performance.now() - started) / 1000);
    },
    async close() {
      client.release();
      await db.close();
    },
  };
}

export async function checkpoint(databaseUrl: string): Promise<void> {
  const db = await openMigratedDatabase({ url: databaseUrl, pool_size: 1, connect_timeout_ms: 2_000, statement_timeout_ms: 600_000 });
  await db.pool.query('CHECKPOINT');
  await db.close();
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs the baseline and the measured side in turns, `rounds` times each; the median of each side. */
export async function alternate(
  rounds: number,
  baseline: (round: number) => Promise<number>,
  measured: (round: number) => Promise<number>,
): Promise<[number, number]> {
  const runs: [number[], number[]] = [[], []];
  for (let r = 0; r < rounds; r += 1) {
    runs[0].push(await baseline(r));
    runs[1].push(await measured(r));
  }
  return [median(runs[0]), median(runs[1])];
}

/**
 * The service's POST /v1/transactions/batch (`batches` of 1,000, four at a time) and raw COPY of
 * the same rows into `copyDatabaseUrl`, in turns after untimed warm-up; the median of `rounds` each.
 */
export async function measureBatchRatio(
  serviceUrl: string,
  copyDatabaseUrl: string,
  batches: number,
  rounds: number,
): Promise<{ copyRps: number; batchTps: number }> {
  process.stdout.write(`batch: ${batches} batches of ${batchSize}, ${batchConcurrency} at a time, after ${warmupBatches} untimed; median of ${rounds} runs\n`);
  const copier = await openCopier(copyDatabaseUrl);
  try {
    await Promise.all([postBatches(serviceUrl, 0, warmupBatches), copier.copy(0, warmupBatches * batchSize)]);
    const firstRow = (r: number) => (warmupBatches + r * batches) * batchSize;
    const [copyRps, batchTps] = await alternate(
      rounds,
      (r) => copier.copy(firstRow(r), batches * batchSize),
      (r) => postBatches(serviceUrl, firstRow(r), batches),
    );
    process.stdout.write(`  raw COPY into transactions ${copyRps.toFixed(0)} rows/s\n`);
    process.stdout.write(`  POST /v1/transactions/batch ${batchTps.toFixed(0)} tx/s  (${((100 * batchTps) / copyRps).toFixed(1)}% of raw COPY)\n`);
    return { copyRps, batchTps };
  } finally {
    await copier.close();
  }
}
