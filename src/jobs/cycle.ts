// The cycle job: runs each due window through the core, in order, one transaction per window.
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import { initialAgentState, MS_PER_SECOND, runCycle, type AgentConfig, type CycleResult } from '../agent';
import type { JobMetrics } from '../api/metrics';
import { appendAudit } from '../db/audit';
import { inTransaction, type Database } from '../db/client';
import { lockAgentState, saveAgentState } from '../db/cycles';
import { takeUnappliedEvents } from '../db/interventions';
import { aggregateWindow } from '../db/windows';
import { writeCycleResult } from './cycle-result';

export interface CycleDeps {
  db: Database;
  agent: AgentConfig;
  maxCatchUpWindows: number;
  logger: Logger;
  /** Wall clock for stored timestamps and approval deadlines; the core itself runs on event time. */
  now: () => Date;
  metrics: JobMetrics;
}

export interface WindowOutcome {
  result: CycleResult;
  /** Interventions that may run now without an operator (the execute worker takes them). */
  executable: string[];
  /** Windows too old to catch up, skipped before this one. */
  skipped: number;
}

/**
 * Runs, in order, every window that is due up to `windowEnd` and has not run yet. Each window
 * is one transaction under the agent-state lock, so a duplicate job, a second worker or a
 * retry after a crash finds the window done and changes nothing.
 */
export async function runDueWindows(deps: CycleDeps, windowEnd: number): Promise<WindowOutcome[]> {
  const intervalMs = deps.agent.cycleIntervalSeconds * MS_PER_SECOND;
  const outcomes: WindowOutcome[] = [];
  for (;;) {
    const stopTimer = deps.metrics.cycleDuration.startTimer();
    const outcome = await inTransaction(deps.db, (client) => runNextWindow(client, deps, windowEnd, intervalMs));
    if (!outcome) return outcomes;
    // Counted after commit: a window rolled back and retried is counted once.
    stopTimer();
    deps.metrics.windowsSkipped.inc(outcome.skipped);
    for (const pattern of outcome.result.patterns) deps.metrics.patterns.inc({ type: pattern.type });
    outcomes.push(outcome);
  }
}

async function runNextWindow(client: PoolClient, deps: CycleDeps, windowEnd: number, intervalMs: number): Promise<WindowOutcome | null> {
  const stored = await lockAgentState(client, initialAgentState());
  let start = stored.windowEnd ?? windowEnd - intervalMs;
  if (start + intervalMs > windowEnd) return null;

  const oldestAllowed = windowEnd - deps.maxCatchUpWindows * intervalMs;
  let skipped = 0;
  if (start < oldestAllowed) {
    skipped = (oldestAllowed - start) / intervalMs;
    await appendAudit(client, {
      kind: 'cycle.skipped',
      actor: 'agent',
      subject: null,
      cycleNumber: stored.cycleNumber,
      data: { from: new Date(start).toISOString(), to: new Date(oldestAllowed).toISOString(), windows: skipped },
      at: deps.now(),
    });
    start = oldestAllowed;
  }

  const window = await aggregateWindow(deps.db, start, start + intervalMs, deps.agent.maxDimensionValues);
  const cycleNumber = stored.state.cycle + 1;
  const events = await takeUnappliedEvents(client, cycleNumber);
  const result = runCycle(stored.state, window, deps.agent, events);
  const now = deps.now();

  const executable = await writeCycleResult(client, result, deps.agent, events.length, now);
  await saveAgentState(client, { cycleNumber, windowEnd: result.windowEnd, state: result.state });
  deps.logger.info({ cycle: cycleNumber, decision: result.decision.kind, patterns: result.patterns.length }, 'cycle completed');
  return { result, executable, skipped };
}
