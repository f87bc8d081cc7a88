import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import { projectRoot } from '../config/root';
import { createDatabase, type Database, type DatabaseOptions } from './client';

export const migrationsFolder = join(projectRoot, 'migrations');

// Any constant shared by every PayOps process: only one of them migrates at a time.
const migrationLockKey = 7_310_425;

/** Applies pending drizzle-kit migrations; safe when several processes start at once. */
export async function runMigrations(db: Database): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
    try {
      // On the connection holding the lock, so even a pool of one cannot deadlock.
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]);
    }
  } finally {
    client.release();
  }
}

/**
 * Creates the configured database when the server has none of that name, so a fresh
 * machine needs no manual step before the first start.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (err) {
    // Another process created it first.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await admin.end();
  }
}

/** Connects to the configured database, creating it and applying migrations as needed. */
export async function openMigratedDatabase(options: DatabaseOptions, logger?: Logger): Promise<Database> {
  await ensureDatabase(options.url);
  const db = createDatabase(options, logger);
  await runMigrations(db);
  return db;
}
