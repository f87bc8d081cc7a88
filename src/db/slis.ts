import type { DimensionMetrics } from '../agent';
import type { Queryable } from './client';

/** The reads behind the service's own SLIs in /metrics: each a small aggregate, cheap at scrape rate. */

export interface JudgedWindow {
  /** End (epoch ms) of the last window a cycle judged, or null before the first cycle. */
  windowEnd: number | null;
  /** Failed attempts of that window per error code in neither taxonomy list (the agent state's). */
  unclassifiedErrorCodes: Record<string, number>;
}

export async function lastJudgedWindow(client: Queryable): Promise<JudgedWindow> {
  const result = await client.query<{ window_end: Date | null; unclassified: Record<string, number> | null }>(
    `SELECT window_end, state->'unclassifiedErrorCodes' AS unclassified FROM agent_state WHERE id = 1`,
  );
  const row = result.rows[0];
  return { windowEnd: row?.window_end?.getTime() ?? null, unclassifiedErrorCodes: row?.unclassified ?? {} };
}

export interface DistinctValues {
  issuer: number;
  method: number;
  gateway: number;
}

/** Distinct issuers, methods and gateways that sent in [start, end), before any folding (the cycle's own rollups). */
export async function distinctValues(client: Queryable, start: number, end: number): Promise<DistinctValues> {
  const result = await client.query<DistinctValues>(
    `SELECT count(DISTINCT issuer)::int AS issuer, count(DISTINCT method)::int AS method, count(DISTINCT gateway)::int AS gateway
     FROM window_rollups WHERE window_time >= $1 AND window_time < $2`,
    [new Date(start), new Date(end)],
  );
  return result.rows[0] ?? { issuer: 0, method: 0, gateway: 0 };
}

export interface LatestWindow {
  system: DimensionMetrics;
  issuers: Record<string, DimensionMetrics>;
  methods: Record<string, DimensionMetrics>;
  gateways: Record<string, DimensionMetrics>;
}

/** The newest cycle's per-dimension metrics (cycles stored before gateways were watched have none). */
export async function latestWindow(client: Queryable): Promise<LatestWindow | null> {
  const result = await client.query<LatestWindow>(
    `SELECT metrics->'system' AS system, metrics->'issuers' AS issuers, metrics->'methods' AS methods,
            coalesce(metrics->'gateways', '{}'::jsonb) AS gateways
     FROM cycles ORDER BY number DESC LIMIT 1`,
  );
  return result.rows[0] ?? null;
}

export interface OutboxBacklog {
  events: number;
  /** Creation time (epoch ms) of the oldest unpublished event, or null when none waits. */
  oldestAt: number | null;
}

export async function outboxBacklog(client: Queryable): Promise<OutboxBacklog> {
  const result = await client.query<{ events: string; oldest: Date | null }>(
    'SELECT count(*) AS events, min(created_at) AS oldest FROM event_outbox WHERE published_at IS NULL',
  );
  const row = result.rows[0]!;
  return { events: Number(row.events), oldestAt: row.oldest?.getTime() ?? null };
}

export async function interventionCounts(client: Queryable): Promise<{ status: string; action: string; count: number }[]> {
  const result = await client.query<{ status: string; action: string; count: string }>(
    'SELECT status, action, count(*) AS count FROM interventions GROUP BY status, action',
  );
  return result.rows.map((row) => ({ ...row, count: Number(row.count) }));
}

export async function webhookDeliveryCounts(client: Queryable): Promise<{ status: string; count: number }[]> {
  const result = await client.query<{ status: string; count: string }>('SELECT status, count(*) AS count FROM webhook_deliveries GROUP BY status');
  return result.rows.map((row) => ({ ...row, count: Number(row.count) }));
}
