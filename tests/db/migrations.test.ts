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
  database = await createTestDatabase('migrations');
  db = createDatabase({ url: database.url, pool_size: 2, connect_timeout_ms: 2_000, statement_timeout_ms: 10_000 });
});
after(async () => {
  await db.close();
  await database.drop();
});

it('gives interventions stored before heartbeats and estimates heartbeat = false and nothing turned away', async () => {
  await migrate(drizzle(db.pool), { migrationsFolder: migrationsUpTo('0004_window_time') });
  await db.pool.query(
    `INSERT INTO interventions (id, cycle_number, action, target, subject, params, status, nrv, option, alternatives, pre_mortem, blast_radius, requires_approval, ttl_seconds)
     VALUES ('old-alert', 1, 'ALERT_OPS', 'ops_team', 'ops_team', '{}', 'EXECUTED', -5, '{}', '[]', '{}', 0, false, 1800)`,
  );
  await runMigrations(db);
  const { rows } = await db.pool.query('SELECT heartbeat, turned_away FROM interventions WHERE id = $1', ['old-alert']);
  assert.deepEqual(rows, [{ heartbeat: false, turned_away: { paymentsPerMinute: 0, valuePerMinute: 0, currency: 'INR' } }]);
});
