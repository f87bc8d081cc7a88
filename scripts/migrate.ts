import { ConfigError, loadConfig } from '../src/config';
import { createDatabase } from '../src/db/client';
import { runMigrations } from '../src/db/migrate';

try {
  const config = loadConfig();
  const db = createDatabase(config.database);
  await runMigrations(db);
  await db.close();
  process.stdout.write('migrations applied\n');
} catch (err) {
  const lines = err instanceof ConfigError ? err.problems.map((p) => `config: ${p}`) : [String(err)];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
