import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { appendAudit } from '../../src/db/audit';
import type { Database } from '../../src/db/client';
import { auditFileName, exportAuditDay, exportYesterdayIfMissing } from '../../src/jobs/audit-export';
import { openTestDatabase } from '../support/database';

let db: Database;
let close: () => Promise<void>;
before(async () => ({ db, close } = await openTestDatabase('audit_export', 2)));
after(() => close());

it('writes one UTC day of the audit log as audit_YYYYMMDD.jsonl, oldest first', async () => {
  const entry = (at: string, kind: string) => appendAudit(db.pool, { kind, actor: 'agent', subject: 'x', cycleNumber: 1, data: { at }, at: new Date(at) });
  await entry('2026-11-22T23:59:59.999Z', 'before');
  await entry('2026-11-23T00:00:00.000Z', 'first');
  await entry('2026-11-23T23:59:59.999Z', 'last');
  await entry('2026-11-24T00:00:00.000Z', 'after');
  const dir = mkdtempSync(join(tmpdir(), 'payops-audit-'));
  const { path, entries } = await exportAuditDay(db, dir, new Date('2026-11-23T12:00:00Z'));
  assert.equal(path, join(dir, 'audit_20261123.jsonl'));
  assert.equal(entries, 2);
  const lines = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.deepEqual(
    lines.map((line) => line.kind),
    ['first', 'last'],
  );
  assert.equal(lines[0].at, '2026-11-23T00:00:00.000Z');

  const written = await exportYesterdayIfMissing(db, dir, new Date('2026-11-24T00:00:05Z'));
  assert.equal(written, null, 'an exported day is not written again');
  assert.equal(await exportYesterdayIfMissing(db, dir, new Date('2026-11-25T00:00:05Z')), join(dir, auditFileName(new Date('2026-11-24T00:00:00Z'))));
  assert.ok(existsSync(join(dir, 'audit_20261124.jsonl')));
});
