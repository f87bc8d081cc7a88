import { emptyWindow, upgradeAgentState, type AgentState, type CycleResult, type Pattern, type PatternType } from '../agent';
import { and, asc, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import { on, type Client, type Queryable } from './client';
import { patterns } from './schema';

export interface StoredAgentState {
  cycleNumber: number;
  /** End of the last window run (epoch ms), or null before the first cycle. */
  windowEnd: number | null;
  state: AgentState;
}

interface AgentStateRow {
  cycle_number: number;
  window_end: Date | null;
  state: AgentState;
}

/** A state saved by an older version gains the fields added since, keeping what it learned. */
const storedState = (row: AgentStateRow): StoredAgentState => ({
  cycleNumber: row.cycle_number,
  windowEnd: row.window_end?.getTime() ?? null,
  state: upgradeAgentState(row.state),
});

/**
 * The agent's state, locked for the rest of the transaction: cycles advance one at a time
 * however many workers run. The row is created on first use.
 */
export async function lockAgentState(client: Queryable, initial: AgentState): Promise<StoredAgentState> {
  await client.query(`INSERT INTO agent_state (id, cycle_number, window_end, state) VALUES (1, 0, NULL, $1) ON CONFLICT (id) DO NOTHING`, [
    JSON.stringify(initial),
  ]);
  const result = await client.query<AgentStateRow>('SELECT cycle_number, window_end, state FROM agent_state WHERE id = 1 FOR UPDATE');
  return storedState(result.rows[0]!);
}

export async function readAgentState(client: Queryable): Promise<StoredAgentState | undefined> {
  const result = await client.query<AgentStateRow>('SELECT cycle_number, window_end, state FROM agent_state WHERE id = 1');
  const row = result.rows[0];
  return row && storedState(row);
}

export async function saveAgentState(client: Queryable, stored: StoredAgentState): Promise<void> {
  await client.query('UPDATE agent_state SET cycle_number = $1, window_end = $2, state = $3, updated_at = now() WHERE id = 1', [
    stored.cycleNumber,
    stored.windowEnd === null ? null : new Date(stored.windowEnd),
    JSON.stringify(stored.state),
  ]);
}

export interface CycleRow {
  number: number;
  window_start: Date;
  window_end: Date;
  transactions: number;
  decision: 'ACTION' | 'NO_ACTION' | 'FORCED_ACTION';
  reason: string;
  metrics: CycleResult['metrics'];
  hypotheses: CycleResult['hypotheses'];
  options: CycleResult['options'];
  refused: CycleResult['decision']['refused'];
  incident_events: CycleResult['incidentEvents'];
  evaluations: CycleResult['evaluations'];
  completed_at: Date;
}

/** Metrics stored by an older version gain the dimensions added since, empty. */
export const upgradeCycleRow = (row: CycleRow): CycleRow => ({
  ...row,
  metrics: { ...emptyWindow(row.window_start.getTime(), row.window_end.getTime()), ...row.metrics },
});

export async function insertCycle(client: Queryable, result: CycleResult): Promise<void> {
  await client.query(
    `INSERT INTO cycles (number, window_start, window_end, transactions, decision, reason, metrics, hypotheses, options, refused, incident_events, evaluations)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      result.cycleNumber,
      new Date(result.windowStart),
      new Date(result.windowEnd),
      result.metrics.system.volume,
      result.decision.kind,
      result.decision.reason,
      JSON.stringify(result.metrics),
      JSON.stringify(result.hypotheses),
      JSON.stringify(result.options),
      JSON.stringify(result.decision.refused),
      JSON.stringify(result.incidentEvents),
      JSON.stringify(result.evaluations),
    ],
  );
}

/** The patterns table holds the core's Pattern as it is: the compiler checks both ways (insert and select). */
export async function insertPatterns(client: Client, found: readonly Pattern[]): Promise<void> {
  if (found.length === 0) return;
  await on(client)
    .insert(patterns)
    .values([...found]);
}

export async function recentCycles(client: Queryable, limit: number, beforeNumber?: number): Promise<CycleRow[]> {
  const result = await client.query<CycleRow>('SELECT * FROM cycles WHERE ($2::int IS NULL OR number < $2) ORDER BY number DESC LIMIT $1', [
    limit,
    beforeNumber ?? null,
  ]);
  return result.rows.map(upgradeCycleRow);
}

export type PatternRow = typeof patterns.$inferSelect;

/** Newest first; `beforeId` pages further back. */
export async function recentPatterns(client: Client, limit: number, type?: PatternType, beforeId?: number): Promise<PatternRow[]> {
  const conditions: SQL[] = [];
  if (type) conditions.push(eq(patterns.type, type));
  if (beforeId !== undefined) conditions.push(lt(patterns.id, beforeId));
  return on(client)
    .select()
    .from(patterns)
    .where(and(...conditions))
    .orderBy(desc(patterns.id))
    .limit(limit);
}

export async function patternsOfCycles(client: Client, cycleNumbers: readonly number[]): Promise<PatternRow[]> {
  return on(client)
    .select()
    .from(patterns)
    .where(inArray(patterns.cycleNumber, [...cycleNumbers]))
    .orderBy(asc(patterns.id));
}
