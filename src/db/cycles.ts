import { emptyWindow } from '../agent/metrics';
import { upgradeAgentState } from '../agent/state';
import type { AgentState, CycleResult, Pattern } from '../agent/types';
import type { Queryable } from './client';

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
  const result = await client.query<AgentStateRow>(
    'SELECT cycle_number, window_end, state FROM agent_state WHERE id = 1 FOR UPDATE',
  );
  return storedState(result.rows[0]!);
}

export async function readAgentState(client: Queryable): Promise<StoredAgentState | undefined> {
  const result = await client.query<AgentStateRow>(
    'SELECT cycle_number, window_end, state FROM agent_state WHERE id = 1',
  );
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
      result.cycleNumber, new Date(result.windowStart), new Date(result.windowEnd), result.metrics.system.volume,
      result.decision.kind, result.decision.reason, JSON.stringify(result.metrics), JSON.stringify(result.hypotheses),
      JSON.stringify(result.options), JSON.stringify(result.decision.refused), JSON.stringify(result.incidentEvents), JSON.stringify(result.evaluations),
    ],
  );
}

export async function insertPatterns(client: Queryable, patterns: readonly Pattern[]): Promise<void> {
  if (patterns.length === 0) return;
  const column = <K extends keyof Pattern>(key: K) => patterns.map((p) => p[key]);
  await client.query(
    `INSERT INTO patterns (cycle_number, type, dimension, target, metric, z_score, observed, baseline, severity, volume, relative_change)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::int[], $11::float8[])`,
    [
      column('cycleNumber'), column('type'), column('dimension'), column('target'), column('metric'),
      column('zScore'), column('observed'), column('baseline'), column('severity'), column('volume'), column('relativeChange'),
    ],
  );
}

export async function recentCycles(client: Queryable, limit: number, beforeNumber?: number): Promise<CycleRow[]> {
  const result = await client.query<CycleRow>(
    'SELECT * FROM cycles WHERE ($2::int IS NULL OR number < $2) ORDER BY number DESC LIMIT $1',
    [limit, beforeNumber ?? null],
  );
  return result.rows.map(upgradeCycleRow);
}

export interface PatternRow {
  id: number;
  cycle_number: number;
  type: string;
  dimension: string;
  target: string;
  metric: string;
  z_score: number;
  observed: number;
  baseline: number;
  severity: number;
  relative_change: number;
  volume: number;
}

/** A stored pattern in the core's own shape, e.g. to rebuild SystemHealth from a stored cycle. */
export const patternFromRow = (row: PatternRow): Pattern => ({
  type: row.type as Pattern['type'],
  dimension: row.dimension as Pattern['dimension'],
  target: row.target,
  metric: row.metric as Pattern['metric'],
  zScore: row.z_score,
  observed: row.observed,
  baseline: row.baseline,
  relativeChange: row.relative_change,
  severity: row.severity,
  volume: row.volume,
  cycleNumber: row.cycle_number,
});

export async function recentPatterns(client: Queryable, limit: number, type?: string, beforeId?: number): Promise<PatternRow[]> {
  const result = await client.query<PatternRow>(
    `SELECT * FROM patterns WHERE ($2::text IS NULL OR type = $2) AND ($3::bigint IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $1`,
    [limit, type ?? null, beforeId ?? null],
  );
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

export async function patternsOfCycles(client: Queryable, cycleNumbers: readonly number[]): Promise<PatternRow[]> {
  const result = await client.query<PatternRow>('SELECT * FROM patterns WHERE cycle_number = ANY($1) ORDER BY id', [cycleNumbers]);
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}
