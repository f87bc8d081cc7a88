import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bearer, keys, startService, testConfig } from '../support/service';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
let service: Service;
before(async () => {
  database = await createTestDatabase('fuzz');
  service = await startService(testConfig(database.url, 'test-fuzz'), { roles: ['api'] });
});
after(async () => {
  await service.close();
  await database.drop();
});

const headers = { ...bearer(keys.ingest), 'content-type': 'application/json' };
const inject = (url: string, payload: string, contentType = 'application/json') =>
  service.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': contentType }, payload });

/** Every answer to bad input is a 4xx with a JSON error naming the problem; never a 5xx. */
function assertRefusedOrAccepted(res: Awaited<ReturnType<typeof inject>>): void {
  assert.ok(res.statusCode < 500, `${res.statusCode}: ${res.body}`);
  if (res.statusCode >= 400) {
    const body = JSON.parse(res.body);
    assert.equal(typeof body.error, 'string');
    assert.equal(typeof body.message, 'string');
  }
}

const fields = ['id', 'timestamp', 'issuer', 'method', 'status', 'amountMinor', 'currency', 'latencyMs', 'retryCount', 'errorCode', 'merchantId', 'gateway'];
const hostile = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '\u0000', 'NaN', '-0', '1e309', "'; DROP TABLE transactions; --", '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', ' USD', 'usd'),
  fc.double(),
  fc.bigInt().map((n) => Number(n)),
);

/** A valid transaction with some fields replaced by hostile values and unknown keys added. */
const mutated = fc
  .record({
    replace: fc.dictionary(fc.constantFrom(...fields), hostile, { maxKeys: 4 }),
    remove: fc.subarray(fields, { maxLength: 2 }),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 2 }),
  })
  .map(({ replace, remove, extra }) => {
    const tx: Record<string, unknown> = { ...makeTransaction(), ...replace, ...extra };
    for (const key of remove) delete tx[key];
    return tx;
  });

describe('fuzzing every REST body', () => {
  it('answers arbitrary JSON on both ingestion endpoints with a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.boolean(), async (value, batch) => {
        assertRefusedOrAccepted(await inject(batch ? '/v1/transactions/batch' : '/v1/transactions', JSON.stringify(value)));
      }),
      { numRuns: 1_500 },
    );
  });

  it('answers mutated transactions, single and in batches, with 202 or a 4xx naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutated, { minLength: 1, maxLength: 5 }), async (items) => {
        const single = await inject('/v1/transactions', JSON.stringify(items[0]));
        assertRefusedOrAccepted(single);
        if (single.statusCode === 400) assert.ok(JSON.parse(single.body).errors?.length > 0 || JSON.parse(single.body).error !== 'validation_failed');
        assertRefusedOrAccepted(await inject('/v1/transactions/batch', JSON.stringify({ transactions: items })));
      }),
      { numRuns: 1_500 },
    );
  });

  it('answers arbitrary bytes and NDJSON lines with a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), async (text, ndjson) => {
        assertRefusedOrAccepted(await inject('/v1/transactions/batch', text, ndjson ? 'application/x-ndjson' : 'application/json'));
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts an issuer or gateway exactly when it is a contract code, and names the field when not', async () => {
    const code = /^[A-Za-z0-9_.-]{1,64}$/;
    const candidate = fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(code), fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,70}$/));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('issuer', 'gateway'), candidate, async (field, value) => {
        const res = await inject('/v1/transactions', JSON.stringify(makeTransaction({ [field]: value })));
        if (code.test(value)) assert.equal(res.statusCode, 202, res.body);
        else {
          assert.equal(res.statusCode, 400, `${field}=${JSON.stringify(value)}: ${res.body}`);
          assert.deepEqual(JSON.parse(res.body).errors.map((e: { field: string }) => e.field), [field]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stores SQL-looking strings verbatim and harmlessly', async () => {
    const nasty = ["'; DROP TABLE transactions; --", 'Robert"); DELETE FROM audit_log;--', "\\'; SELECT pg_sleep(10); --", '$1::text', 'ÄÖÜ💳'];
    for (const [i, text] of nasty.entries()) {
      const tx = makeTransaction({ id: `${text}-${i}`, merchantId: text, errorCode: text });
      const res = await inject('/v1/transactions', JSON.stringify(tx));
      assert.equal(res.statusCode, 202, res.body);
      const { rows } = await service.db.pool.query('SELECT id, merchant_id, error_code FROM transactions WHERE id = $1', [tx.id]);
      assert.deepEqual(rows[0], { id: tx.id, merchant_id: text, error_code: text });
    }
    const { rows } = await service.db.pool.query('SELECT count(*)::int AS n FROM transactions');
    assert.ok(rows[0].n >= nasty.length, 'the table is still there');
  });
});

describe('fuzzing every GraphQL argument', () => {
  const operations = [
    'query($last: Int, $before: Int) { cycles(last: $last, before: $before) { number reason } }',
    'query($last: Int, $type: PatternType, $before: ID) { patterns(last: $last, type: $type, before: $before) { id target } }',
    'query($status: InterventionStatus, $last: Int, $before: ID) { interventions(status: $status, last: $last, before: $before) { id status } }',
    'query($id: ID!) { intervention(id: $id) { id status } }',
    'query($last: Int, $before: ID) { auditLog(last: $last, before: $before) { id kind } }',
    'mutation($id: ID!, $note: String, $scope: ApprovalScope) { approveIntervention(id: $id, note: $note, scope: $scope) { id } }',
    'mutation($id: ID!, $reason: String!) { rejectIntervention(id: $id, reason: $reason) { id } }',
    'mutation($id: ID!, $reason: String!) { rollbackIntervention(id: $id, reason: $reason) { id } }',
  ];
  const variable = fc.oneof(hostile, fc.record({ ttlSeconds: hostile, trafficShare: hostile }, { requiredKeys: [] }));
  const variables = fc.dictionary(fc.constantFrom('last', 'before', 'type', 'status', 'id', 'note', 'reason', 'scope'), variable, { maxKeys: 4 });
  const graphql = (body: string) =>
    service.app.inject({ method: 'POST', url: '/graphql', headers: { ...bearer(keys.operator), 'content-type': 'application/json' }, payload: body });

  /** A GraphQL answer to bad input: an error with a client-facing code, never a 5xx or an internal error. */
  function assertGraphqlRefusal(res: Awaited<ReturnType<typeof graphql>>): void {
    assert.ok(res.statusCode < 500, `${res.statusCode}: ${res.body}`);
    const body = JSON.parse(res.body);
    for (const error of body.errors ?? []) assert.notEqual(error.extensions?.code, 'INTERNAL_SERVER_ERROR', res.body);
  }

  it('answers hostile variables on every operation without a 5xx or an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), variables, async (query, vars) => {
        assertGraphqlRefusal(await graphql(JSON.stringify({ query, variables: vars })));
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers malformed, oversized and deeply nested documents without a 5xx', async () => {
    const deep = (n: number) => `{ cycles { ${'interventions { alternatives { id } '.repeat(0)}${'hypotheses { evidence } '.repeat(1)}${'interventions { '.repeat(n)}id${' }'.repeat(n)} } }`;
    const documents = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.integer({ min: 5, max: 40 }).map((n) => JSON.stringify({ query: deep(n) })),
      fc.integer({ min: 50, max: 400 }).map((n) => JSON.stringify({ query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: cycles(last: 100) { number }`).join(' ')} }` })),
    );
    await fc.assert(
      fc.asyncProperty(documents, async (body) => {
        assertGraphqlRefusal(await graphql(body));
      }),
      { numRuns: 500 },
    );
  });
});
