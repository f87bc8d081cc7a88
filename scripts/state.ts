import { loadConfig } from '../src/config';
import { readAgentState } from '../src/db/cycles';
import { openMigratedDatabase } from '../src/db/migrate';

// npm run --silent state > current_state.json   (the original's current_state.json)
const config = loadConfig();
const db = await openMigratedDatabase(config.database);
const stored = await readAgentState(db.pool);
await db.close();
process.stdout.write(
  `${JSON.stringify({ cycleNumber: stored?.cycleNumber ?? 0, windowEnd: stored?.windowEnd ? new Date(stored.windowEnd).toISOString() : null, state: stored?.state ?? null }, null, 2)}\n`,
);
