import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { openMigratedDatabase } from '../src/db/migrate';
import { auditDay, dropExportedDay, exportAuditDay, utcYesterday } from '../src/jobs/audit-export';

// Audit retention, the operator's step (docs/scaling.md):
//   npm run audit:export -- [YYYY-MM-DD] [--dir DIR | --stdout]   one UTC day (default yesterday)
//   npm run audit:drop -- audit_YYYYMMDD.jsonl...                 delete each file's day once the log matches it
const usage = 'usage: npm run audit:export -- [YYYY-MM-DD] [--dir DIR | --stdout]\n       npm run audit:drop -- audit_YYYYMMDD.jsonl...\n';
const fail = (message: string): never => {
  process.stderr.write(`${message}\n${usage}`);
  process.exit(2);
};

const { values, positionals } = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { dir: { type: 'string' }, stdout: { type: 'boolean' }, drop: { type: 'boolean' } } });
  } catch (err) {
    return fail((err as Error).message);
  }
})();
const config = loadConfig();

if (values.drop) {
  if (positionals.length === 0) fail('audit:drop needs the export files whose days to drop');
  const db = await openMigratedDatabase(config.database);
  try {
    for (const path of positionals) {
      const { day, entries, sha256 } = await dropExportedDay(db, path, await readFile(path, 'utf8'));
      process.stdout.write(`${day}: ${entries} entries dropped (sha256 ${sha256} matched the log)\n`);
    }
  } catch (err) {
    process.stderr.write(`refused: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
} else {
  const day = positionals[0] ? new Date(`${positionals[0]}T00:00:00Z`) : utcYesterday(new Date());
  if (positionals.length > 1 || Number.isNaN(day.getTime())) fail(`not one day (YYYY-MM-DD): ${positionals.join(' ')}`);
  const dir = values.dir ?? config.audit.export_dir;
  if (values.stdout && values.dir) fail('--dir and --stdout: choose one');
  if (!values.stdout && dir === '') fail('no destination: set audit.export_dir, or pass --dir DIR or --stdout');
  const db = await openMigratedDatabase(config.database);
  try {
    if (values.stdout) {
      process.stdout.write(await auditDay(db, day));
    } else {
      const { path, entries, sha256 } = await exportAuditDay(db, dir, day);
      process.stdout.write(`${entries} entries -> ${path} (sha256 ${sha256})\n`);
    }
  } finally {
    await db.close();
  }
}
