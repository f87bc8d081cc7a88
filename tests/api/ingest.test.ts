import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { countTransactions } from '../../src/db/transactions';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bearer, keys, startService, testConfig } from '../support/service';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
let service: Service;
const ingest = bearer(keys.ingest);

before(async () => {
  database = await createTestDatabase('ingest');
  service = await startService(testConfig(database.url, 'test-ingest'));
});
after(async () => {
  await service.close();
  await database.drop();
});

const http = () => request(service.app.server);
const postOne = (body: unknown) =>
  http()
    .post('/v1/transactions')
    .set(ingest)
    .send(body as object);
const postBatch = (transactions: unknown[]) => http().post('/v1/transactions/batch').set(ingest).send({ transactions });
const stored = () => countTransactions(service.db);

describe('single ingestion', () => {
  it('stores a transaction with every field and answers 202 after commit', async () => {
    const tx = makeTransaction({ errorCode: 'U30', status: 'failed', merchantId: 'm-1', gateway: 'gw-a', latencyMs: 12.5 });
    const res = await postOne(tx);
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { accepted: 1, duplicates: 0 });
    const { rows } = await service.db.pool.query('SELECT * FROM transactions WHERE id = $1', [tx.id]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].issuer, 'HDFC');
    assert.equal(rows[0].status, 'failed');
    assert.equal(Number(rows[0].amount_minor), 125_000);
    assert.equal(rows[0].latency_ms, 12.5);
    assert.equal(rows[0].error_code, 'U30');
    assert.equal(rows[0].merchant_id, 'm-1');
    assert.equal(rows[0].event_time.toISOString(), tx.timestamp);
  });

  it('counts a resent id as a duplicate and stores it once', async () => {
    const tx = makeTransaction();
    assert.deepEqual((await postOne(tx)).body, { accepted: 1, duplicates: 0 });
    assert.deepEqual((await postOne(tx)).body, { accepted: 0, duplicates: 1 });
    const { rows } = await service.db.pool.query('SELECT count(*)::int AS n FROM transactions WHERE id = $1', [tx.id]);
    assert.equal(rows[0].n, 1);
  });

  it('stores one row when many clients POST the same id at once', async () => {
    const tx = makeTransaction();
    const answers = await Promise.all(Array.from({ length: 40 }, () => postOne(tx)));
    assert.ok(answers.every((res) => res.status === 202));
    assert.equal(answers.filter((res) => res.body.accepted === 1).length, 1);
    assert.equal(answers.filter((res) => res.body.duplicates === 1).length, 39);
    const { rows } = await service.db.pool.query('SELECT count(*)::int AS n FROM transactions WHERE id = $1', [tx.id]);
    assert.equal(rows[0].n, 1);
  });

  it('commits concurrent distinct POSTs together, each answered for itself', async () => {
    const before = await stored();
    const answers = await Promise.all(Array.from({ length: 60 }, () => postOne(makeTransaction())));
    assert.ok(answers.every((res) => res.status === 202 && res.body.accepted === 1));
    assert.equal(await stored(), before + 60);
  });
});

describe('batch ingestion', () => {
  it('stores a JSON batch and counts resent items as duplicates', async () => {
    const batch = [makeTransaction(), makeTransaction({ method: 'upi' }), makeTransaction({ issuer: 'SBI' })];
    assert.deepEqual((await postBatch(batch)).body, { accepted: 3, duplicates: 0 });
    const again = await postBatch([...batch, makeTransaction()]);
    assert.equal(again.status, 202);
    assert.deepEqual(again.body, { accepted: 1, duplicates: 3 });
  });

  it('counts an id repeated inside one batch once', async () => {
    const tx = makeTransaction();
    const res = await postBatch([tx, makeTransaction(), tx]);
    assert.deepEqual(res.body, { accepted: 2, duplicates: 1 });
  });

  it('accepts the same items as NDJSON, skipping blank lines', async () => {
    const items = [makeTransaction(), makeTransaction()];
    const res = await http()
      .post('/v1/transactions/batch')
      .set(ingest)
      .set('Content-Type', 'application/x-ndjson')
      .send(`${items.map((tx) => JSON.stringify(tx)).join('\n')}\n\n`);
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { accepted: 2, duplicates: 0 });
  });

  it('stores nothing when one item is bad, and names the item, field and reason', async () => {
    const before = await stored();
    const bad = makeTransaction({ amountMinor: -5 });
    const res = await postBatch([makeTransaction(), bad, makeTransaction()]);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'validation_failed');
    assert.equal(res.body.errors.length, 1);
    assert.deepEqual({ ...res.body.errors[0], reason: undefined }, { index: 1, id: bad.id, field: 'amountMinor', reason: undefined });
    assert.match(res.body.errors[0].reason, />=0/);
    assert.equal(await stored(), before);
  });

  it('lists every invalid item of a batch', async () => {
    const res = await postBatch([makeTransaction({ currency: 'usd' }), makeTransaction(), makeTransaction({ retryCount: 1.5, extra: true })]);
    assert.equal(res.status, 400);
    const located = res.body.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`).sort();
    assert.deepEqual(located, ['0:currency', '2:extra', '2:retryCount']);
  });
});

describe('event times ahead of the server clock', () => {
  // The service's clock is injected: it reads 2026-11-24T06:00:00Z whatever the machine's says.
  const clockMs = Date.parse('2026-11-24T06:00:00Z');
  let held: Service;
  before(async () => {
    held = await startService(testConfig(database.url, 'test-ingest-clock'), { roles: ['api'], now: () => new Date(clockMs) });
  });
  after(async () => {
    await held.close();
  });
  const at = (offsetSeconds: number) => makeTransaction({ timestamp: new Date(clockMs + offsetSeconds * 1000).toISOString() });
  const reason = 'timestamp_out_of_range: more than 300 s ahead of the server clock';

  it('accepts up to ingest.max_clock_skew_seconds (300) ahead, and refuses a second more naming the field', async () => {
    assert.equal((await request(held.app.server).post('/v1/transactions').set(ingest).send(at(300))).status, 202);
    const before = await stored();
    const res = await request(held.app.server).post('/v1/transactions').set(ingest).send(at(301));
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'validation_failed', message: '1 invalid field', errors: [{ field: 'timestamp', reason }] });
    // Years ahead, written with an offset, is the same refusal.
    const offset = makeTransaction({ timestamp: '2031-05-01T10:00:00+05:30' });
    assert.deepEqual((await request(held.app.server).post('/v1/transactions').set(ingest).send(offset)).body.errors, [{ field: 'timestamp', reason }]);
    assert.equal(await stored(), before);
  });

  it('refuses a whole batch, listing every item from the future by index and id', async () => {
    const before = await stored();
    const items = [at(-60), at(3_600), at(0), at(86_400 * 365)];
    const res = await request(held.app.server).post('/v1/transactions/batch').set(ingest).send({ transactions: items });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors, [
      { index: 1, id: items[1]!.id, field: 'timestamp', reason },
      { index: 3, id: items[3]!.id, field: 'timestamp', reason },
    ]);
    assert.equal(await stored(), before);
  });

  it('uses the machine clock when none is injected', async () => {
    // The times above are days in the machine's past: only the injected clock refused them.
    const hourAhead = makeTransaction({ timestamp: new Date(Date.now() + 3_600_000).toISOString() });
    const res = await postOne(hourAhead);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors, [{ field: 'timestamp', reason }]);
    assert.equal((await postOne(makeTransaction({ timestamp: new Date().toISOString() }))).status, 202);
  });
});

describe('bad input, each class with its own answer', () => {
  const cases: [string, () => request.Test, number, string, string?][] = [
    ['malformed JSON', () => http().post('/v1/transactions').set(ingest).set('Content-Type', 'application/json').send('{"id": "x",'), 400, 'invalid_json'],
    ['an empty body', () => http().post('/v1/transactions').set(ingest).set('Content-Type', 'application/json').send(''), 400, 'empty_body'],
    ['a wrong type', () => postOne(makeTransaction({ latencyMs: '180' })), 400, 'validation_failed', 'latencyMs'],
    ['an unknown field', () => postOne(makeTransaction({ cardNumber: '4111' })), 400, 'validation_failed', 'cardNumber'],
    ['a negative amount', () => postOne(makeTransaction({ amountMinor: -1 })), 400, 'validation_failed', 'amountMinor'],
    ['a fractional amount', () => postOne(makeTransaction({ amountMinor: 10.5 })), 400, 'validation_failed', 'amountMinor'],
    ['a timestamp without offset', () => postOne(makeTransaction({ timestamp: '2026-11-24T06:00:00' })), 400, 'validation_failed', 'timestamp'],
    ['an impossible date', () => postOne(makeTransaction({ timestamp: '2026-02-30T06:00:00Z' })), 400, 'validation_failed', 'timestamp'],
    ['a lower-case currency', () => postOne(makeTransaction({ currency: 'inr' })), 400, 'validation_failed', 'currency'],
    ['a currency that is not ISO 4217', () => postOne(makeTransaction({ currency: 'XYZ' })), 400, 'validation_failed', 'currency'],
    ['a bad method code', () => postOne(makeTransaction({ method: 'Net Banking' })), 400, 'validation_failed', 'method'],
    ['an unknown status', () => postOne(makeTransaction({ status: 'pending' })), 400, 'validation_failed', 'status'],
    ['a missing id', () => postOne(makeTransaction({ id: undefined })), 400, 'validation_failed', 'id'],
    ['an over-long id', () => postOne(makeTransaction({ id: 'x'.repeat(129) })), 400, 'validation_failed', 'id'],
    ['a NUL byte in a string', () => postOne(makeTransaction({ merchantId: 'm\u0000-1' })), 400, 'validation_failed', 'merchantId'],
    ['an issuer that would read as an issuer x method cell', () => postOne(makeTransaction({ issuer: 'HDFC/method:upi' })), 400, 'validation_failed', 'issuer'],
    ['an issuer over 64 characters', () => postOne(makeTransaction({ issuer: 'B'.repeat(65) })), 400, 'validation_failed', 'issuer'],
    ['a gateway that would read as a path', () => postOne(makeTransaction({ gateway: 'pg_a/issuer:HDFC' })), 400, 'validation_failed', 'gateway'],
    ['an empty gateway', () => postOne(makeTransaction({ gateway: '' })), 400, 'validation_failed', 'gateway'],
    ['a bad gateway in one batch item', () => postBatch([makeTransaction(), makeTransaction({ gateway: 'pg a' })]), 400, 'validation_failed', 'gateway'],
    ['a JSON array instead of an object', () => postOne([makeTransaction()]), 400, 'validation_failed', '(body)'],
    ['an empty batch', () => postBatch([]), 400, 'empty_batch'],
    [
      'a batch without the transactions list',
      () => http().post('/v1/transactions/batch').set(ingest).send({ items: [] }),
      400,
      'validation_failed',
      'transactions',
    ],
    ['over 10,000 items', () => postBatch(Array.from({ length: 10_001 }, () => makeTransaction())), 413, 'batch_too_large'],
    [
      'over 10,000 NDJSON lines',
      () =>
        http()
          .post('/v1/transactions/batch')
          .set(ingest)
          .set('Content-Type', 'application/x-ndjson')
          .send(`${JSON.stringify(makeTransaction())}\n`.repeat(10_001)),
      413,
      'batch_too_large',
    ],
    [
      'a malformed NDJSON line',
      () =>
        http()
          .post('/v1/transactions/batch')
          .set(ingest)
          .set('Content-Type', 'application/x-ndjson')
          .send(`${JSON.stringify(makeTransaction())}\n{nope\n`),
      400,
      'invalid_json',
    ],
    [
      'a body over the limit',
      () =>
        http()
          .post('/v1/transactions/batch')
          .set(ingest)
          .set('Content-Type', 'application/json')
          .send(`{"transactions":["${'x'.repeat(17 * 1024 * 1024)}"]}`),
      413,
      'payload_too_large',
    ],
    ['a wrong content type', () => http().post('/v1/transactions').set(ingest).set('Content-Type', 'text/plain').send('hello'), 415, 'unsupported_media_type'],
    [
      'NDJSON on the single endpoint',
      () => http().post('/v1/transactions').set(ingest).set('Content-Type', 'application/x-ndjson').send(JSON.stringify(makeTransaction())),
      415,
      'unsupported_media_type',
    ],
    ['a missing key', () => http().post('/v1/transactions').send(makeTransaction()), 401, 'unauthorized'],
    ['an unknown key', () => http().post('/v1/transactions').set(bearer('not-a-real-key')).send(makeTransaction()), 401, 'unauthorized'],
    ['a key without the ingest role', () => http().post('/v1/transactions').set(bearer(keys.viewer)).send(makeTransaction()), 403, 'forbidden'],
    [
      'an operator key on ingestion',
      () =>
        http()
          .post('/v1/transactions/batch')
          .set(bearer(keys.operator))
          .send({ transactions: [makeTransaction()] }),
      403,
      'forbidden',
    ],
  ];

  for (const [name, send, status, code, field] of cases) {
    it(`answers ${status} ${code} for ${name} and stores nothing`, async () => {
      const before = await stored();
      const res = await send();
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error, code);
      assert.equal(typeof res.body.message, 'string');
      if (field)
        assert.ok(
          res.body.errors.some((e: { field: string }) => e.field === field),
          JSON.stringify(res.body.errors),
        );
      assert.equal(await stored(), before);
    });
  }

  it('says why an issuer or gateway code is refused, and accepts every code the contract allows', async () => {
    const res = await postOne(makeTransaction({ issuer: 'HDFC/method:upi', gateway: 'pg:a' }));
    assert.deepEqual(
      res.body.errors.map((e: { field: string; reason: string }) => [e.field, /\[A-Za-z0-9_\.-\]\{1,64\}/.test(e.reason)]),
      [
        ['issuer', true],
        ['gateway', true],
      ],
      JSON.stringify(res.body.errors),
    );
    const allowed = makeTransaction({ issuer: `Axis.Bank-2_${'x'.repeat(52)}`, gateway: 'PG-a.1_b' });
    assert.equal((await postOne(allowed)).status, 202);
  });

  it('answers an unknown path with a JSON 404', async () => {
    const res = await http().get('/v1/nothing');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'not_found');
  });
});

describe('metrics and documents', () => {
  it('counts accepted, duplicate and rejected transactions for Prometheus', async () => {
    const res = await http().get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.text, /payops_transactions_accepted_total \d+/);
    assert.match(res.text, /payops_transactions_duplicates_total [1-9]/);
    assert.match(res.text, /payops_transactions_rejected_total\{reason="400"\} [1-9]/);
    assert.match(res.text, /payops_http_request_duration_seconds_count\{method="POST",route="\/v1\/transactions",status="202"\} [1-9]/);
  });

  it('serves the OpenAPI document and a docs page', async () => {
    const doc = await http().get('/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');
    assert.ok(doc.body.paths['/v1/transactions/batch'].post);
    assert.equal((await http().get('/docs/')).status, 200);
  });
});
