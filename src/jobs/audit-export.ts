import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { auditBetween } from '../db/audit';
import { withPostgres, type Database } from '../db/client';

const MS_PER_DAY = 86_400_000;

/** `audit_YYYYMMDD.jsonl`, the original's daily file name, for the UTC day starting at `day`. */
export const auditFileName = (day: Date) => `audit_${day.toISOString().slice(0, 10).replace(/-/g, '')}.jsonl`;

export const utcDayStart = (at: Date) => new Date(Math.floor(at.getTime() / MS_PER_DAY) * MS_PER_DAY);

/** Writes one UTC day of the audit log as JSON lines; the file appears whole or not at all. */
export async function exportAuditDay(db: Database, dir: string, day: Date): Promise<{ path: string; entries: number }> {
  const from = utcDayStart(day);
  const rows = await withPostgres(() => auditBetween(db.pool, from, new Date(from.getTime() + MS_PER_DAY)));
  await mkdir(dir, { recursive: true });
  const path = join(dir, auditFileName(from));
  const lines = rows.map((row) => JSON.stringify({ id: row.id, at: row.at.toISOString(), kind: row.kind, actor: row.actor, subject: row.subject, cycle: row.cycle_number, data: row.data }));
  await writeFile(`${path}.tmp`, lines.length ? `${lines.join('\n')}\n` : '');
  await rename(`${path}.tmp`, path);
  return { path, entries: rows.length };
}

/** Exports yesterday once its file is missing: safe to call on every scheduler tick and from several schedulers. */
export async function exportYesterdayIfMissing(db: Database, dir: string, now: Date): Promise<string | null> {
  const yesterday = new Date(utcDayStart(now).getTime() - MS_PER_DAY);
  if (existsSync(join(dir, auditFileName(yesterday)))) return null;
  return (await exportAuditDay(db, dir, yesterday)).path;
}
