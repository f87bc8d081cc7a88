import { loadConfig } from '../src/config';
import { openMigratedDatabase } from '../src/db/migrate';
import { exportAuditDay, utcDayStart } from '../src/jobs/audit-export';

// npm run audit:export -- [YYYY-MM-DD]   (default: yesterday, UTC)
const arg = process.argv[2];
const day = arg ? new Date(`${arg}T00:00:00Z`) : new Date(utcDayStart(new Date()).getTime() - 86_400_000);
if (Number.isNaN(day.getTime())) {
  process.stderr.write(`usage: npm run audit:export -- [YYYY-MM-DD]\n`);
  process.exit(2);
}
const config = loadConfig();
const db = await openMigratedDatabase(config.database);
const { path, entries } = await exportAuditDay(db, config.audit.export_dir, day);
await db.close();
process.stdout.write(`${entries} entries -> ${path}\n`);
