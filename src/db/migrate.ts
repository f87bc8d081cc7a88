import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Database } from './client';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any constant shared by every PayOps process: only one of them migrates at a time.
const migrationLockKey = 7_310_425;

/** Applies pending drizzle-kit migrations; safe when several processes start at once. */
export async function runMigrations(db: Database): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
    try {
      await migrate(db.orm, { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]);
    }
  } finally {
    client.release();
  }
}
