import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { createDatabase, type Database } from '../../src/db/client';
import { runMigrations } from '../../src/db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { migrationsUpTo } from '../support/migrations';

let database: TestDatabase;
let db: Database;
before(async () => {
  database = await createTestDatabase('partitioned_migration');
  db = createDatabase({ url: database.url, pool_size: 2, connect_timeout_ms: 2_000, statement_timeout_ms: 10_000 });
});
after(async () => {
  await db.close();
  await database.drop();
});

it('moves every stored transaction into the partitioned table, its id kept as an idempotency key', async () => {
  await migrate(drizzle(db.pool), { migrationsFolder: migrationsUpTo('0005_intervention_heartbeat_turned_away') });
  await db.pool.query(
    `INSERT INTO transactions (id, event_time, window_time, issuer, method, status, amount_minor, currency, latency_ms, retry_count, error_code, gateway)
     SELECT 'old-' || i, t, t, 'HDFC', 'upi', 'failed', i, 'INR', i / 10.0, 1, 'TIMEOUT', 'pg_a'
     FROM generate_series(1, 500) AS i, LATERAL (SELECT timestamptz '2026-11-01T00:00:00Z' + i * interval '7 minutes' AS t) AS s`,
  );
  const before = await db.pool.query('SELECT * FROM transactions ORDER BY id');
  await runMigrations(db);
  const afterRows = await db.pool.query('SELECT * FROM transactions ORDER BY id');
  assert.deepEqual(afterRows.rows, before.rows, 'every row and column kept');
  const { rows } = await db.pool.query<{ partitioned: boolean; ids: number }>(
    `SELECT (SELECT relkind = 'p' FROM pg_class WHERE relname = 'transactions') AS partitioned, (SELECT count(*)::int FROM transaction_ids) AS ids`,
  );
  assert.deepEqual(rows, [{ partitioned: true, ids: 500 }]);
});
