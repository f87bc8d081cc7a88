import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createTestDatabase } from '../tests/support/database';
import { runProcess } from '../tests/support/process';
import { postSingles, round } from './support';

// npm run bench:soak  (BENCH_SOAK_SECONDS, BENCH_SOAK_RATE, BENCH_SOAK_CONNECTIONS, BENCH_SOAK_HEAP_MB to change it)
const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const rate = Number(process.env.BENCH_SOAK_RATE ?? 2_000);
const connections = Number(process.env.BENCH_SOAK_CONNECTIONS ?? 32);
const warmupSeconds = 5;
const ingestKey = 'soak-ingest-key';

const rssMb = (pid: number) => {
  if (service.child.exitCode !== null) throw new Error(`the service died during the soak:\n${service.output().slice(-2000)}`);
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
};

const database = await createTestDatabase('bench_soak');
// One process with the API, the scheduler and the workers, cycling every second so the
// cycle path runs all through the soak next to ingestion.
const service = runProcess({
  DATABASE_URL: database.url,
  PAYOPS_API_KEYS: `${ingestKey}:ingest`,
  PAYOPS_AGENT_CYCLE_INTERVAL: '1',
  PAYOPS_REDIS_KEY_PREFIX: `soak-${Date.now()}`,
  PAYOPS_LOGGING_LEVEL: 'info',
  // The old space is capped, so memory measures what the service retains rather than how lazily
  // V8 collects on a 24 GB machine; a leak then fails the run instead of only growing.
  NODE_OPTIONS: `--max-old-space-size=${process.env.BENCH_SOAK_HEAP_MB ?? 128}`,
});
const pool = new pg.Pool({ connectionString: database.url });
try {
  const url = await service.listeningUrl();
  const pid = service.child.pid!;
  const headers = { authorization: `Bearer ${ingestKey}` };
  await postSingles(url, headers, { connections, seconds: warmupSeconds, rate });
  const rssStart = rssMb(pid);
  const cyclesBefore = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM cycles')).rows[0]!.n);
  process.stdout.write(
    `soak: ${rate} req/s over ${connections} connections for ${seconds}s, cycles every second (rss after warm-up ${rssStart.toFixed(1)} MB)\n`,
  );

  // Sampled through the run: growth that levels off is the heap settling; a steady climb is a leak.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(round(rssMb(pid), 1)), (seconds * 1000) / 6);
  const result = await postSingles(url, headers, { connections, seconds, rate });
  clearInterval(sampler);
  const rssEnd = rssMb(pid);
  const cycles = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM cycles')).rows[0]!.n) - cyclesBefore;
  const errors = result.non2xx + result.errors + result.timeouts;
  const tps = result['2xx'] / result.duration;
  process.stdout.write(
    `  accepted ${result['2xx']} transactions: ${tps.toFixed(0)} tx/s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms\n`,
  );
  process.stdout.write(`  errors ${errors} (non-2xx ${result.non2xx}, socket errors ${result.errors}, timeouts ${result.timeouts}); cycles run ${cycles}\n`);
  process.stdout.write(
    `  rss ${rssStart.toFixed(1)} MB -> ${rssEnd.toFixed(1)} MB (${(rssEnd - rssStart >= 0 ? '+' : '') + (rssEnd - rssStart).toFixed(1)} MB); samples ${samples.join(', ')} MB\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ tps: round(tps), p99_ms: result.latency.p99, errors, rss_start_mb: round(rssStart, 1), rss_end_mb: round(rssEnd, 1), rss_samples_mb: samples, seconds, target_rate: rate, cycles })}\n`,
  );
} finally {
  await service.stop();
  await pool.end();
  await database.drop();
}
