import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../src/db/client';
import { openMigratedDatabase } from '../../src/db/migrate';

const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database of its own for one test file, so files never see each other's rows. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `payops_test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A fresh, migrated database for one test file, its pool open; `close` ends the pool and drops it. */
export async function openTestDatabase(label: string, poolSize: number): Promise<{ database: TestDatabase; db: Database; close: () => Promise<void> }> {
  const database = await createTestDatabase(label);
  const db = await openMigratedDatabase({ url: database.url, pool_size: poolSize, connect_timeout_ms: 2_000, statement_timeout_ms: 10_000 });
  return {
    database,
    db,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}
