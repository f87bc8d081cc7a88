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
    entry.at,
    entry.kind,
    entry.actor,
    entry.subject,
    entry.cycleNumber,
    JSON.stringify(entry.data),
  ]);
}

/** Newest first; `beforeId` pages further back. */
export async function recentAudit(client: Queryable, limit: number, beforeId?: number): Promise<AuditRow[]> {
  const result = await client.query<AuditRow>('SELECT * FROM audit_log WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1', [
    limit,
    beforeId ?? null,
  ]);
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/**
 * The export lines of the entries of [from, to), oldest first, as the database defines them
 * (audit_log_line), so the check before a drop recomputes exactly these bytes.
 */
export async function auditLinesBetween(client: Queryable, from: Date, to: Date): Promise<string[]> {
  const result = await client.query<{ line: string }>('SELECT audit_log_line(a) AS line FROM audit_log a WHERE at >= $1 AND at < $2 ORDER BY id', [from, to]);
  return result.rows.map((row) => row.line);
}

/**
 * Deletes the UTC day `day` (YYYY-MM-DD) through audit_log_drop_day, which refuses unless the
 * day's rows are exactly `entries` lines hashing to `sha256`; returns how many went.
 */
export async function dropAuditDay(client: Queryable, day: string, entries: number, sha256: string): Promise<number> {
  const result = await client.query<{ dropped: string }>('SELECT audit_log_drop_day($1::date, $2, $3) AS dropped', [day, entries, sha256]);
  return Number(result.rows[0]!.dropped);
}
