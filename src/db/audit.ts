import type { Queryable } from './client';

export interface AuditEntry {
  kind: string;
  actor: string;
  subject: string | null;
  cycleNumber: number | null;
  data: unknown;
  at: Date;
}

export interface AuditRow {
  id: number;
  at: Date;
  kind: string;
  actor: string;
  subject: string | null;
  cycle_number: number | null;
  data: unknown;
}

export async function appendAudit(client: Queryable, entry: AuditEntry): Promise<void> {
  await client.query('INSERT INTO audit_log (at, kind, actor, subject, cycle_number, data) VALUES ($1, $2, $3, $4, $5, $6)', [
    entry.at, entry.kind, entry.actor, entry.subject, entry.cycleNumber, JSON.stringify(entry.data),
  ]);
}

/** Newest first; `beforeId` pages further back. */
export async function recentAudit(client: Queryable, limit: number, beforeId?: number): Promise<AuditRow[]> {
  const result = await client.query<AuditRow>(
    'SELECT * FROM audit_log WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1',
    [limit, beforeId ?? null],
  );
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** Every entry of [from, to), oldest first: what a daily export writes. */
export async function auditBetween(client: Queryable, from: Date, to: Date): Promise<AuditRow[]> {
  const result = await client.query<AuditRow>('SELECT * FROM audit_log WHERE at >= $1 AND at < $2 ORDER BY id', [from, to]);
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}
