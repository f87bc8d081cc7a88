import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MS_PER_SECOND } from '../agent';
import { withPostgres, type Database } from '../db/client';
import { interventionsWithStatus } from '../db/interventions';
import type { PartitionKeeper } from '../db/partitions';
import type { Pruner } from '../db/retention';
import type { RollupCompactor } from '../db/rollup-compaction';
import { exportYesterdayIfMissing } from './audit-export';
import { publishOutbox } from './events';
import { expireDue } from '../interventions/operations';
import { cycleJobId, executeJobId, type Queues } from './queues';

export interface SchedulerDeps {
  db: Database;
  queues: Queues;
  publisher: Redis;
  prefix: string;
  cycleIntervalSeconds: number;
  windowGraceSeconds: number;
  tickMs: number;
  auditDir: string;
  /** Retention (src/db/retention.ts): expired rows of every table but transactions. */
  prune: Pruner;
  /** Partitions of transactions and window rollups (src/db/partitions.ts): created ahead, drained, dropped when expired. */
  partitions: PartitionKeeper;
  /** Merges filling windows' rollup rows into one per cell (src/db/rollup-compaction.ts). */
  compactRollups: RollupCompactor;
  logger: Logger;
  now: () => Date;
}

const stepTimeoutMs = 5_000;

/** End of the newest window that has closed, grace for late arrivals included. */
export function dueWindowEnd(now: number, intervalMs: number, graceMs: number): number {
  return Math.floor((now - graceMs) / intervalMs) * intervalMs;
}

/**
 * One pass of the scheduler. Every step is idempotent (job ids are windows and interventions,
 * expiries and exports check first), so two schedulers, or a tick after a crash, change nothing twice.
 */
export async function schedulerTick(deps: SchedulerDeps): Promise<void> {
  const now = deps.now();
  const windowEnd = dueWindowEnd(now.getTime(), deps.cycleIntervalSeconds * MS_PER_SECOND, deps.windowGraceSeconds * MS_PER_SECOND);
  // Database-only steps first, so an unreachable Redis cannot hold up expiries.
  const steps: [string, () => Promise<unknown>][] = [
    ['expire', () => expireDue(deps.db, now, deps.logger)],
    ['export audit', () => exportYesterdayIfMissing(deps.db, deps.auditDir, now)],
    ['schedule cycle', () => deps.queues.cycles.add('cycle', { windowEnd }, { jobId: cycleJobId(windowEnd) })],
    // Executions whose job was lost (Redis down at commit time) are queued again.
    [
      'reconcile executions',
      async () => {
        const waiting = await withPostgres(() => interventionsWithStatus(deps.db.pool, ['PROPOSED', 'APPROVED']));
        await Promise.all(waiting.map((row) => deps.queues.execute.add('execute', { interventionId: row.id }, { jobId: executeJobId(row.id) })));
      },
    ],
    ['publish events', () => publishOutbox(deps.db, deps.publisher, deps.prefix)],
    ['prune', () => deps.prune(now)],
    ['partitions', () => deps.partitions(now)],
    ['compact rollups', () => deps.compactRollups(now)],
  ];
  for (const [name, step] of steps) {
    let timer: NodeJS.Timeout | undefined;
    try {
      // Queue calls wait for Redis to come back; the tick moves on and the next one tries again.
      await Promise.race([
        step(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), stepTimeoutMs);
        }),
      ]);
    } catch (err) {
      deps.logger.warn({ step: name, err: err instanceof Error ? err.message : String(err) }, 'scheduler step failed; retrying next tick');
    } finally {
      clearTimeout(timer);
    }
  }
}

export interface Scheduler {
  stop(): Promise<void>;
}

export function startScheduler(deps: SchedulerDeps): Scheduler {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  // A chain of timeouts, not an interval: a slow tick never overlaps the next.
  const loop = () => {
    running = schedulerTick(deps).finally(() => {
      if (!stopped) timer = setTimeout(loop, deps.tickMs);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
