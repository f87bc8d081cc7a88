import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createDatabase, inTransaction, type Database } from '../../src/db/client';
import { DependencyUnavailable } from '../../src/errors';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTcpProxy, type TcpProxy } from '../support/tcp-proxy';

let database: TestDatabase;
let link: TcpProxy;
let db: Database;
before(async () => {
  database = await createTestDatabase('postgres_link');
  link = await createTcpProxy(5432);
  const url = new URL(database.url);
  url.port = String(link.port);
  db = createDatabase({ url: url.toString(), pool_size: 2, connect_timeout_ms: 500, statement_timeout_ms: 2_000 });
});
after(async () => {
  await db.close();
  await link.close();
  await database.drop();
});

it('fails a transaction whose connection is lost between two of its queries, and the process lives on', async () => {
  const lost = inTransaction(db, async (client) => {
    await client.query('SELECT 1');
    // Idle inside the transaction (a cycle computing, a job waiting on Redis) when Postgres goes away:
    // without a listener of its own the client's error event would be uncaught and end the process.
    await link.cut();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.query('SELECT 1');
  });
  await assert.rejects(lost, (err: unknown) => err instanceof DependencyUnavailable);
  await link.restore();
  // The broken client was thrown away, not handed to the next caller.
  for (let i = 0; i < 3; i += 1)
    assert.equal(await inTransaction(db, async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one), 1);
});
