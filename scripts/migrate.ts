import { ConfigError, loadConfig } from '../src/config';
import { openMigratedDatabase } from '../src/db/migrate';

try {
  const config = loadConfig();
  const db = await openMigratedDatabase(config.database);
  await db.close();
  process.stdout.write('migrations applied\n');
} catch (err) {
  const lines = err instanceof ConfigError ? err.problems.map((p) => `config: ${p}`) : [String(err)];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
