import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Database } from '../../src/db/client';
import { countTransactions, insertTransactionBatch, insertTransactions, type Placement } from '../../src/db/transactions';
import { openTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { makeTransaction } from '../support/transactions';

let db: Database;
let close: () => Promise<void>;
before(async () => ({ db, close } = await openTestDatabase('transactions', 4)));
after(() => close());

const placement: Placement = { lateAfterSeconds: 60, windowSeconds: 60, dedupHorizonHours: 168 };

const storedIssuer = async (id: string) => (await db.pool.query<{ issuer: string }>('SELECT issuer FROM transactions WHERE id = $1', [id])).rows[0]?.issuer;

it('stores new ids, skips stored ones, and keeps the first of an id repeated within the rows', async () => {
  const stored = makeTransaction({ issuer: 'HDFC' });
  assert.deepEqual(await insertTransactions(db, [stored], placement), [stored.id]);

  const fresh = makeTransaction({ issuer: 'AXIS' });
  const repeated = makeTransaction({ issuer: 'SBI' });
  const rows = [{ ...stored, issuer: 'ICICI' }, repeated, fresh, { ...repeated, issuer: 'KOTAK' }];
  assert.deepEqual((await insertTransactions(db, rows, placement)).sort(), [fresh.id, repeated.id].sort());
  assert.equal(await storedIssuer(stored.id), 'HDFC', 'a resent id does not overwrite the stored row');
  assert.equal(await storedIssuer(repeated.id), 'SBI', 'the first of two rows with one id is the one stored');
});

it('counts a batch: stored ids and ids repeated within it are not new', async () => {
  const [stored, fresh] = [makeTransaction(), makeTransaction()];
  assert.equal(await insertTransactionBatch(db, [stored], placement), 1);
  assert.equal(await insertTransactionBatch(db, [stored, fresh, { ...fresh, issuer: 'KOTAK' }], placement), 1);
  assert.equal(await storedIssuer(fresh.id), 'HDFC');
});

it('settles a race with a writer committing the same id meanwhile: no error, nothing counted twice', async () => {
  const contested = makeTransaction({ issuer: 'HDFC' });
  const other = makeTransaction({ issuer: 'AXIS' });
  const before = await countTransactions(db);

  // The rival has written the id but not committed, so the insert's existence check cannot see
  // it; the insert then waits on the primary key and fails once the rival commits.
  const rival = await db.pool.connect();
  try {
    await rival.query('BEGIN');
    await rival.query(`INSERT INTO transaction_ids (id, window_time) VALUES ($1, $2)`, [contested.id, contested.timestamp]);
    await rival.query(
      `INSERT INTO transactions (id, event_time, window_time, issuer, method, status, amount_minor, currency, latency_ms, retry_count)
       VALUES ($1, $2, $2, 'RIVAL', 'card', 'success', 1, 'INR', 1, 0)`,
      [contested.id, contested.timestamp],
    );
    const insert = insertTransactions(db, [contested, other], placement);
    await eventually(async () => {
      const waiting = await db.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO transaction_ids%'`,
      );
      return waiting.rowCount === 1;
    }, 'the insert to wait on the rival transaction');
    await rival.query('COMMIT');
    assert.deepEqual(await insert, [other.id]);
  } finally {
    rival.release();
  }
  assert.equal(await storedIssuer(contested.id), 'RIVAL');
  assert.equal(await countTransactions(db), before + 2);
});
