import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MS_PER_DAY } from '../agent';
import { auditLinesBetween, dropAuditDay } from '../db/audit';
import { withPostgres, type Database } from '../db/client';

/** `audit_YYYYMMDD.jsonl`, the original's daily file name, for the UTC day starting at `day`. */
export const auditFileName = (day: Date) => `audit_${day.toISOString().slice(0, 10).replace(/-/g, '')}.jsonl`;

export const utcDayStart = (at: Date) => new Date(Math.floor(at.getTime() / MS_PER_DAY) * MS_PER_DAY);

/** The UTC day before the one `now` is in: the newest day that is complete. */
export const utcYesterday = (now: Date) => new Date(utcDayStart(now).getTime() - MS_PER_DAY);

/** What a drop is checked against: the export's line count and the SHA-256 of its bytes. */
export interface AuditDigest {
  entries: number;
  sha256: string;
}

export const digestOf = (content: string): AuditDigest => ({
  entries: content === '' ? 0 : content.split('\n').length - 1,
  sha256: createHash('sha256').update(content, 'utf8').digest('hex'),
});

/** One UTC day of the audit log as JSON lines, each ending in a newline: the export's exact bytes. */
export async function auditDay(db: Database, day: Date): Promise<string> {
  const from = utcDayStart(day);
  const lines = await withPostgres(() => auditLinesBetween(db.pool, from, new Date(from.getTime() + MS_PER_DAY)));
  return lines.map((line) => `${line}\n`).join('');
}

/** Writes one UTC day to `dir`/audit_YYYYMMDD.jsonl; the file appears whole or not at all. */
export async function exportAuditDay(db: Database, dir: string, day: Date): Promise<{ path: string } & AuditDigest> {
  const content = await auditDay(db, day);
  await mkdir(dir, { recursive: true });
  const path = join(dir, auditFileName(utcDayStart(day)));
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
  return { path, ...digestOf(content) };
}

/**
 * Exports yesterday once its file is missing: safe on every scheduler tick and from several
 * schedulers. Nothing without a configured directory: a default on one process's disk would be
 * a copy nobody knows to keep.
 */
export async function exportYesterdayIfMissing(db: Database, dir: string, now: Date): Promise<string | null> {
  if (dir === '') return null;
  const yesterday = utcYesterday(now);
  if (existsSync(join(dir, auditFileName(yesterday)))) return null;
  return (await exportAuditDay(db, dir, yesterday)).path;
}

/** The UTC day (YYYY-MM-DD) an export file holds, from its audit_YYYYMMDD.jsonl name. */
export function exportedDay(path: string): string {
  const match = /^audit_(\d{4})(\d{2})(\d{2})\.jsonl$/.exec(basename(path));
  if (!match) throw new Error(`${path}: not an audit export (audit_YYYYMMDD.jsonl)`);
  return `${match[1]}-${match[2]}-${match[3]}`;
}

/**
 * Deletes the day an export holds, once the log agrees with it: the database recomputes the day's
 * count and digest in the statement that deletes it and refuses (nothing deleted) on any difference,
 * so a tampered, truncated or stale file never costs an entry.
 */
export async function dropExportedDay(db: Database, path: string, content: string): Promise<{ day: string } & AuditDigest> {
  const day = exportedDay(path);
  const digest = digestOf(content);
  await withPostgres(() => dropAuditDay(db.pool, day, digest.entries, digest.sha256));
  return { day, ...digest };
}
