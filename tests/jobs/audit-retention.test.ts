import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { appendAudit } from '../../src/db/audit';
import type { Database } from '../../src/db/client';
import { auditDay, digestOf, dropExportedDay, exportAuditDay, exportYesterdayIfMissing } from '../../src/jobs/audit-export';
import { openTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
let db: Database;
let close: () => Promise<void>;
before(async () => ({ database, db, close } = await openTestDatabase('audit_retention', 2)));
after(() => close());

const entry = (at: string, kind: string, data: unknown = { at }) =>
  appendAudit(db.pool, { kind, actor: 'agent', subject: 'x', cycleNumber: 1, data, at: new Date(at) });
const kindsOf = async (from: string, to: string) =>
  (await db.pool.query<{ kind: string }>('SELECT kind FROM audit_log WHERE at >= $1 AND at < $2 ORDER BY id', [from, to])).rows.map((r) => r.kind);
const dropRefusal = (path: string, content: string) => assert.rejects(dropExportedDay(db, path, content), /does not match its export/);

it('exports a day, verifies it against the log and drops only that day; a tampered export is refused', async () => {
  await entry('2026-10-01T23:59:59.999Z', 'day-before');
  await entry('2026-10-02T00:00:00.000Z', 'first', { amount: 1.5, note: 'ünïcode "quoted"\nline', nested: { b: [1, null], a: true } });
  await entry('2026-10-02T23:59:59.999Z', 'last');
  await entry('2026-10-03T00:00:00.000Z', 'day-after');
  const dir = mkdtempSync(join(tmpdir(), 'payops-audit-'));
  const exported = await exportAuditDay(db, dir, new Date('2026-10-02T12:00:00Z'));
  const content = readFileSync(exported.path, 'utf8');
  assert.deepEqual(digestOf(content), { entries: 2, sha256: exported.sha256 });
  assert.equal(JSON.parse(content.split('\n')[0]!).data.note, 'ünïcode "quoted"\nline', 'each line is one JSON entry');

  // One changed character, a dropped line, an extra line: each refused, and nothing is deleted.
  await dropRefusal(exported.path, content.replace('"last"', '"lust"'));
  await dropRefusal(exported.path, content.split('\n').slice(1).join('\n'));
  await dropRefusal(exported.path, `${content}${content.split('\n')[0]}\n`);
  assert.deepEqual(await kindsOf('2026-10-02', '2026-10-03'), ['first', 'last']);

  const dropped = await dropExportedDay(db, exported.path, content);
  assert.deepEqual(dropped, { day: '2026-10-02', entries: 2, sha256: exported.sha256 });
  assert.deepEqual(await kindsOf('2026-10-02', '2026-10-03'), []);
  assert.deepEqual(await kindsOf('2026-10-01', '2026-10-04'), ['day-before', 'day-after'], 'the days around it stay');
  const record = await db.pool.query<{ subject: string; data: { entries: number; sha256: string } }>(
    "SELECT subject, data FROM audit_log WHERE kind = 'audit.day_dropped'",
  );
  assert.deepEqual(record.rows, [{ subject: '2026-10-02', data: { entries: 2, sha256: exported.sha256 } }], 'the drop itself is on the record');
});

it('refuses an export of a day that has rows added since, and a day that has not ended', async () => {
  await entry('2026-10-05T10:00:00.000Z', 'exported');
  const dir = mkdtempSync(join(tmpdir(), 'payops-audit-'));
  const { path } = await exportAuditDay(db, dir, new Date('2026-10-05T00:00:00Z'));
  await entry('2026-10-05T11:00:00.000Z', 'late');
  await dropRefusal(path, readFileSync(path, 'utf8'));
  assert.deepEqual(await kindsOf('2026-10-05', '2026-10-06'), ['exported', 'late']);

  const today = new Date().toISOString().slice(0, 10);
  const todayFile = join(dir, `audit_${today.replace(/-/g, '')}.jsonl`);
  writeFileSync(todayFile, await auditDay(db, new Date()));
  await assert.rejects(dropExportedDay(db, todayFile, readFileSync(todayFile, 'utf8')), /has not ended/);
});

it("keeps the log append-only for the application's own statements", async () => {
  await entry('2026-10-07T10:00:00.000Z', 'kept');
  await assert.rejects(db.pool.query("DELETE FROM audit_log WHERE at < '2026-10-08'"), /append-only/);
  await assert.rejects(db.pool.query("UPDATE audit_log SET kind = 'changed'"), /append-only/);
  // Even a day's DELETE run by hand, outside audit_log_drop_day, is refused.
  await assert.rejects(db.pool.query("DELETE FROM audit_log WHERE at >= '2026-10-07' AND at < '2026-10-08'"), /append-only/);
  assert.deepEqual(await kindsOf('2026-10-07', '2026-10-08'), ['kept']);
});

it('exports nowhere on its own without a configured directory', async () => {
  assert.equal(await exportYesterdayIfMissing(db, '', new Date('2026-10-08T00:00:05Z')), null);
});

it('runs as the operator would: export to stdout, then drop from the saved file', async () => {
  await entry('2026-10-09T08:00:00.000Z', 'cli');
  const run = promisify(execFile);
  const env = { ...process.env, DATABASE_URL: database.url };
  const exported = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-export.ts', '2026-10-09', '--stdout'], { env });
  assert.equal(digestOf(exported.stdout).entries, 1);
  const file = join(mkdtempSync(join(tmpdir(), 'payops-audit-')), 'audit_20261009.jsonl');
  writeFileSync(file, exported.stdout);
  const dropped = await run(process.execPath, ['--import', 'tsx', 'scripts/audit-export.ts', '--drop', file], { env });
  assert.match(dropped.stdout, /2026-10-09: 1 entries dropped/);
  assert.deepEqual(await kindsOf('2026-10-09', '2026-10-10'), []);
  await assert.rejects(run(process.execPath, ['--import', 'tsx', 'scripts/audit-export.ts', '2026-10-09'], { env }), /no destination/);
});
