// bench:scale (issue #14): does the cycle's cost stay flat as a window's traffic grows, what does
// ingestion with rollups cost against raw COPY, what does a stored transaction cost on disk, and
// does storage stay flat over a simulated week with retention running. Each part has a database
// of its own, dropped at the end.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_SECOND, type AgentConfig } from '../src/agent';
import { createMetrics } from '../src/api/metrics';
import { loadConfig } from '../src/config';
import type { Database } from '../src/db/client';
import { openMigratedDatabase } from '../src/db/migrate';
import { createPartitionKeeper, ensurePartitions } from '../src/db/partitions';
import { createPruner, type RetentionSettings } from '../src/db/retention';
import { compactRecentRollups } from '../src/db/rollup-compaction';
import { insertTransactionBatch, type Placement } from '../src/db/transactions';
import { dropExportedDay, exportAuditDay } from '../src/jobs/audit-export';
import { runDueWindows, type CycleDeps } from '../src/jobs/cycle';
import { createTestDatabase, type TestDatabase } from '../tests/support/database';
import { batchSize, checkpoint, measureBatchRatio, startService } from './batch-ratio';
import { benchTransaction, round } from './support';

const cycleRuns = Number(process.env.BENCH_CYCLES ?? 20);
const windowSizes = [10_000, 100_000, 1_000_000];
const ratioBatches = Number(process.env.BENCH_BATCHES ?? 100);
const ratioRounds = Number(process.env.BENCH_ROUNDS ?? 3);
/** The simulated week's rate: one transaction a second, against the 2,000 a second of a busy day. */
const weekPerHour = Number(process.env.BENCH_WEEK_PER_HOUR ?? 3_600);
/** The week's retention, scaled down with its rate, so the week reaches its steady state by day 3. */
const weekRetentionHours = 48;
const weekHours = 168;
const weekCycleSeconds = 300;

/** Wide enough that every row of the bench counts in the window of its event time, however old. */
const lateAfterSeconds = 30 * 24 * 3_600;
/**
 * Rows per insert statement when loading: a gateway's usual batch, as bench:ingest posts. Each
 * statement appends its own rollup rows, so the batch size, not only the traffic, sets how many
 * rollup rows a cycle merges (BENCH_LOAD_BATCH to see another).
 */
const loadBatch = Number(process.env.BENCH_LOAD_BATCH ?? batchSize);
const loadConcurrency = 2;

const config = loadConfig({});
const logger = pino({ level: 'silent' });
const write = (line: string) => process.stdout.write(`${line}\n`);

const open = (database: TestDatabase) => openMigratedDatabase({ url: database.url, pool_size: 4, connect_timeout_ms: 2_000, statement_timeout_ms: 600_000 });
const databaseSize = async (db: Database) =>
  Number((await db.pool.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes')).rows[0]!.bytes);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `count` transactions spread evenly over [start, start + spanMs), through the service's own insert. */
async function load(db: Database, placement: Placement, start: number, spanMs: number, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: loadConcurrency }, async () => {
      while (next < count) {
        const first = next;
        next = Math.min(count, next + loadBatch);
        const rows = Array.from({ length: next - first }, (_, j) => benchTransaction(first + j, start + Math.floor(((first + j) * spanMs) / count)));
        await insertTransactionBatch(db, rows, placement);
      }
    }),
  );
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

function cycleDeps(db: Database, agent: AgentConfig, now: () => Date): CycleDeps {
  return { db, agent, maxCatchUpWindows: config.jobs.max_catch_up_windows, logger, now, metrics: createMetrics().jobs };
}

/**
 * The scheduler's compaction step (src/db/rollup-compaction.ts) as it runs once a window has
 * settled, called again while it reports work left. In production the window's load takes the
 * window's whole length, during which the step also runs every few seconds; here the load takes
 * seconds, so the one run after it merges the whole window. Returns its time and rows merged.
 */
async function compactSettled(db: Database, windowEnd: number, windowSeconds: number): Promise<{ ms: number; merged: number; written: number }> {
  const t0 = performance.now();
  let merged = 0;
  let written = 0;
  for (let more = true; more;) {
    const report = await compactRecentRollups(db, new Date(windowEnd), windowSeconds);
    merged += report.merged;
    written += report.written;
    more = report.more;
  }
  return { ms: performance.now() - t0, merged, written };
}

/**
 * Windows of 10k, 100k and 1M transactions after a dozen ordinary ones that warm the baselines up,
 * each compacted once loaded, as the scheduler compacts it by the time its cycle runs. Each window
 * runs `cycleRuns` times from the same saved state (the run's cycle row, patterns and state are put
 * back untimed in between), each run a whole cycle job: rollups read, core, decision stored, state
 * saved, committed.
 */
async function measureCycles(database: TestDatabase) {
  const db = await open(database);
  try {
    const agent = config.agent;
    const windowMs = agent.cycleIntervalSeconds * MS_PER_SECOND;
    const placement: Placement = { lateAfterSeconds, windowSeconds: agent.cycleIntervalSeconds, dedupHorizonHours: config.retention.dedup_horizon_hours };
    const warmup = agent.warmupWindows + 2;
    const base = Math.floor(Date.now() / MS_PER_HOUR) * MS_PER_HOUR - 3 * MS_PER_HOUR;
    await ensurePartitions(db, new Date(base), new Date(base + (warmup + windowSizes.length) * windowMs), config.retention.partition_hours);
    for (let w = 0; w < warmup; w += 1) await load(db, placement, base + w * windowMs, windowMs, 1_000);
    const deps = cycleDeps(db, agent, () => new Date());
    await runDueWindows(deps, base + windowMs);
    await runDueWindows(deps, base + warmup * windowMs);
    const saved = (await db.pool.query<{ cycle_number: number; state: unknown }>('SELECT cycle_number, state FROM agent_state WHERE id = 1')).rows[0]!;

    const sizeBefore = await databaseSize(db);
    const started = performance.now();
    const compactions: string[] = [];
    for (const [i, size] of windowSizes.entries()) {
      const start = base + (warmup + i) * windowMs;
      await load(db, placement, start, windowMs, size);
      const { ms, merged, written } = await compactSettled(db, start + windowMs, agent.cycleIntervalSeconds);
      compactions.push(`${size}: ${merged} rollup rows into ${written} in ${ms.toFixed(0)} ms`);
    }
    const loaded = windowSizes.reduce((a, b) => a + b, 0);
    const bytesPerTxn = (await databaseSize(db)) - sizeBefore;
    write(
      `cycle: loaded ${loaded} transactions through the service's insert, ${loadBatch} a statement, in ${((performance.now() - started) / 1000).toFixed(1)}s; ${(bytesPerTxn / loaded).toFixed(0)} bytes each on disk (rows, keys, rollups, indexes)`,
    );
    write(`  each window compacted once loaded, as the scheduler's compaction step does once it settles (${compactions.join('; ')})`);
    await db.pool.query('VACUUM ANALYZE');

    const cycleMs: Record<number, { p50: number; p99: number }> = {};
    for (const [i, size] of windowSizes.entries()) {
      const start = base + (warmup + i) * windowMs;
      const times: number[] = [];
      // Two untimed runs first: plans cached, pages read in, as in a service that has been running.
      for (let run = -2; run < cycleRuns; run += 1) {
        await db.pool.query('UPDATE agent_state SET cycle_number = $1, window_end = $2, state = $3 WHERE id = 1', [
          saved.cycle_number,
          new Date(start),
          saved.state,
        ]);
        await db.pool.query('DELETE FROM cycles WHERE number > $1', [saved.cycle_number]);
        await db.pool.query('DELETE FROM patterns WHERE cycle_number > $1', [saved.cycle_number]);
        const t0 = performance.now();
        const outcomes = await runDueWindows(deps, start + windowMs);
        const elapsed = performance.now() - t0;
        if (outcomes.length !== 1 || outcomes[0]!.result.metrics.system.volume !== size)
          throw new Error(`the cycle saw ${outcomes[0]?.result.metrics.system.volume} transactions, not ${size}`);
        if (run >= 0) times.push(elapsed);
      }
      times.sort((a, b) => a - b);
      cycleMs[size] = { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
      write(
        `  window of ${String(size).padStart(9)} transactions: cycle p50 ${cycleMs[size].p50.toFixed(1)} ms, p99 ${cycleMs[size].p99.toFixed(1)} ms (${cycleRuns} runs)`,
      );
    }
    return { cycleMs, bytesPerTxn: bytesPerTxn / loaded };
  } finally {
    await db.close();
  }
}

/** POST /v1/transactions/batch into the partitioned table with rollups, against raw COPY of the same rows. */
async function measureIngest(serviceDb: TestDatabase, copyDb: TestDatabase) {
  const service = startService(serviceDb.url);
  try {
    const { copyRps, batchTps } = await measureBatchRatio(await service.listeningUrl(), copyDb.url, ratioBatches, ratioRounds);
    return { copyRps, batchTps };
  } finally {
    await service.stop();
    await checkpoint(serviceDb.url);
  }
}

/**
 * A week of hourly partitions at `weekPerHour`, ending days before now (so every audit day has
 * ended): each simulated hour the scheduler's partition keeper and pruner run at that hour's time,
 * the hour's transactions arrive, its cycles run (shadow mode: decisions stored and expired, nothing
 * executed), its events are marked published at that time (standing in for the publisher), and a
 * VACUUM stands in for autovacuum, which has an hour between batches in real time. Each simulated
 * midnight the operator's audit step exports and drops the day that left the retention.
 */
async function simulateWeek(database: TestDatabase) {
  const db = await open(database);
  try {
    const settings: RetentionSettings = {
      ...config.retention,
      partition_hours: 1,
      transactions_hours: weekRetentionHours,
      dedup_horizon_hours: weekRetentionHours,
      outbox_hours: weekRetentionHours,
      webhook_deliveries_hours: weekRetentionHours,
      cycles_hours: weekRetentionHours,
      patterns_hours: weekRetentionHours,
      interventions_hours: weekRetentionHours,
    };
    const agent: AgentConfig = { ...config.agent, cycleIntervalSeconds: weekCycleSeconds, mode: 'shadow' };
    const placement: Placement = { lateAfterSeconds, windowSeconds: weekCycleSeconds, dedupHorizonHours: weekRetentionHours };
    const keepPartitions = createPartitionKeeper(db, settings);
    const prune = createPruner(db, settings);
    const auditDir = mkdtempSync(join(tmpdir(), 'payops-bench-audit-'));
    const t0 = Math.floor(Date.now() / MS_PER_DAY) * MS_PER_DAY - 9 * MS_PER_DAY;
    let simNow = new Date(t0);
    const deps = cycleDeps(db, agent, () => simNow);
    const sizes: number[] = [];
    const started = performance.now();
    for (let hour = 0; hour < weekHours; hour += 1) {
      const start = t0 + hour * MS_PER_HOUR;
      simNow = new Date(start);
      await keepPartitions(simNow);
      await prune(simNow);
      if (hour % 24 === 0 && hour >= 24 * (weekRetentionHours / 24 + 1)) {
        const day = new Date(start - (weekRetentionHours + 24) * MS_PER_HOUR);
        const { path } = await exportAuditDay(db, auditDir, day);
        await dropExportedDay(db, path, await readFile(path, 'utf8'));
      }
      await load(db, placement, start, MS_PER_HOUR, weekPerHour);
      simNow = new Date(start + MS_PER_HOUR);
      await runDueWindows(deps, start + MS_PER_HOUR);
      await db.pool.query('UPDATE event_outbox SET published_at = $1 WHERE published_at IS NULL', [simNow]);
      await db.pool.query('VACUUM');
      if ((hour + 1) % 24 === 0) {
        sizes.push(await databaseSize(db));
        write(`  day ${(hour + 1) / 24}: ${mb(sizes.at(-1)!)}`);
      }
    }
    const growth = (sizes.at(-1)! - sizes.at(-2)!) / sizes.at(-2)!;
    write(
      `week: ${weekHours} hourly partitions at ${weekPerHour} transactions an hour, ${weekRetentionHours} h retention, in ${((performance.now() - started) / 1000).toFixed(0)}s; last day's growth ${(100 * growth).toFixed(2)}%`,
    );
    return { growth, sizes };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const databases = await Promise.all(
    ['bench_scale_cycle', 'bench_scale_ingest', 'bench_scale_copy', 'bench_scale_week'].map((label) => createTestDatabase(label)),
  );
  const [cycleDb, serviceDb, copyDb, weekDb] = databases as [TestDatabase, TestDatabase, TestDatabase, TestDatabase];
  try {
    const { cycleMs, bytesPerTxn } = await measureCycles(cycleDb);
    await cycleDb.drop();
    const { copyRps, batchTps } = await measureIngest(serviceDb, copyDb);
    await Promise.all([serviceDb.drop(), copyDb.drop()]);
    const week = await simulateWeek(weekDb);
    const [small, , large] = windowSizes.map((size) => cycleMs[size]!);
    write(
      JSON.stringify({
        cycle_ms_10k: round(small!.p50, 1),
        cycle_ms_1m: round(large!.p50, 1),
        ingest_ratio_with_rollups: round(batchTps / copyRps, 3),
        bytes_per_txn: round(bytesPerTxn),
        storage_growth_last_day: round(week.growth, 4),
        cycle_ms_10k_p99: round(small!.p99, 1),
        cycle_ms_100k: round(cycleMs[100_000]!.p50, 1),
        cycle_ms_100k_p99: round(cycleMs[100_000]!.p99, 1),
        cycle_ms_1m_p99: round(large!.p99, 1),
        cycle_runs: cycleRuns,
        batch_tps: round(batchTps),
        copy_rps: round(copyRps),
        week_db_bytes_by_day: week.sizes,
      }),
    );
  } finally {
    await Promise.all(databases.map((database) => database.drop()));
  }
}

await main();
