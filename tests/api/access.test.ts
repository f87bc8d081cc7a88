import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { bearer, keys, startService, testConfig } from '../support/service';
import { codesOf, gql, wsClient } from './graphql/client';
import { makeTransaction } from '../support/transactions';

let database: TestDatabase;
let service: Service;
before(async () => {
  database = await createTestDatabase('access');
  service = await startService(testConfig(database.url, 'test-access', { PAYOPS_SERVER_RATE_LIMIT_MAX: '60', PAYOPS_SERVER_RATE_LIMIT_MAX_ANONYMOUS: '60' }), {
    roles: ['api'],
  });
  await service.app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await service.close();
  await database.drop();
});

type Caller = 'none' | keyof typeof keys;
const callers: Caller[] = ['none', 'ingest', 'viewer', 'operator'];

const operations: { name: string; send: (headers: Record<string, string>) => request.Test; allowed: Caller[]; ok: number }[] = [
  {
    name: 'POST /v1/transactions',
    send: (h) => request(service.app.server).post('/v1/transactions').set(h).send(makeTransaction()),
    allowed: ['ingest'],
    ok: 202,
  },
  {
    name: 'POST /v1/transactions/batch',
    send: (h) =>
      request(service.app.server)
        .post('/v1/transactions/batch')
        .set(h)
        .send({ transactions: [makeTransaction()] }),
    allowed: ['ingest'],
    ok: 202,
  },
  {
    name: 'GET /v1/routing/directives',
    send: (h) => request(service.app.server).get('/v1/routing/directives').set(h),
    allowed: ['ingest', 'viewer', 'operator'],
    ok: 200,
  },
  { name: 'GET /v1/agent/state', send: (h) => request(service.app.server).get('/v1/agent/state').set(h), allowed: ['viewer', 'operator'], ok: 200 },
  { name: 'GET /dashboard/session', send: (h) => request(service.app.server).get('/dashboard/session').set(h), allowed: callers, ok: 200 },
  { name: 'GET /dashboard/history', send: (h) => request(service.app.server).get('/dashboard/history').set(h), allowed: ['viewer', 'operator'], ok: 200 },
  // Probes and scrapes answer everyone: a balancer or Prometheus holds no key.
  { name: 'GET /healthz', send: (h) => request(service.app.server).get('/healthz').set(h), allowed: callers, ok: 200 },
  { name: 'GET /readyz', send: (h) => request(service.app.server).get('/readyz').set(h), allowed: callers, ok: 200 },
  { name: 'GET /metrics', send: (h) => request(service.app.server).get('/metrics').set(h), allowed: callers, ok: 200 },
  { name: 'GET /openapi.json', send: (h) => request(service.app.server).get('/openapi.json').set(h), allowed: callers, ok: 200 },
];

describe('every role against every REST operation', () => {
  for (const operation of operations) {
    for (const caller of callers) {
      const expected = operation.allowed.includes(caller) ? operation.ok : caller === 'none' ? 401 : 403;
      it(`${caller} -> ${operation.name}: ${expected}`, async () => {
        const res = await operation.send(caller === 'none' ? {} : bearer(keys[caller]));
        assert.equal(res.status, expected, JSON.stringify(res.body));
      });
    }
  }
});

describe('every role against every GraphQL operation', () => {
  const reads = [
    '{ health { cycleNumber } }',
    '{ cycles { number } }',
    '{ patterns { id } }',
    '{ interventions { id } }',
    '{ intervention(id: "none") { id } }',
    '{ auditLog { id } }',
  ];
  const writes = [
    'mutation { approveIntervention(id: "none") { id } }',
    'mutation { rejectIntervention(id: "none", reason: "no") { id } }',
    'mutation { rollbackIntervention(id: "none", reason: "no") { id } }',
  ];
  // An operator reaching a mutation on an unknown id gets NOT_FOUND: it was let through.
  const expectations: [string, Caller[], string | null][] = [
    ...reads.map((query): [string, Caller[], string | null] => [query, ['viewer', 'operator'], null]),
    ...writes.map((query): [string, Caller[], string | null] => [query, ['operator'], 'NOT_FOUND']),
  ];
  for (const [query, allowed, allowedCode] of expectations) {
    for (const caller of callers) {
      const expected = allowed.includes(caller) ? allowedCode : caller === 'none' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
      it(`${caller} -> ${query}: ${expected ?? 'data'}`, async () => {
        const answer = await gql(service, query, {}, caller === 'none' ? undefined : keys[caller]);
        assert.deepEqual(codesOf(answer), expected ? [expected] : [], JSON.stringify(answer));
      });
    }
  }
});

describe('every role against /graphql bodies that must not be read unauthenticated', () => {
  // Either body would be refused once read (400 unparseable, 413 over graphql.body_limit_bytes):
  // a caller without a key gets 401 first; any configured key, whatever its role, gets the body read.
  const bodies: [string, string, number][] = [
    ['unparseable', '{"query": "{ cycles {', 400],
    ['over 64 KiB', JSON.stringify({ query: `{ cycles { number } }${' '.repeat(64 * 1024)}` }), 413],
  ];
  for (const [name, body, read] of bodies) {
    for (const caller of callers) {
      const expected = caller === 'none' ? 401 : read;
      it(`${caller} -> POST /graphql ${name}: ${expected}`, async () => {
        const res = await request(service.app.server)
          .post('/graphql')
          .set({ 'content-type': 'application/json', ...(caller === 'none' ? {} : bearer(keys[caller])) })
          .send(body);
        assert.equal(res.status, expected, JSON.stringify(res.body));
      });
    }
  }
});

describe('every role against every GraphQL subscription over WebSocket', () => {
  for (const subscription of ['subscription { interventionEvents { type } }', 'subscription { cycleCompleted { number } }']) {
    for (const caller of callers) {
      const allowed = caller === 'viewer' || caller === 'operator';
      it(`${caller} -> ${subscription}: ${allowed ? 'subscribed' : 'refused'}`, async () => {
        const client = wsClient(service, caller === 'none' ? undefined : keys[caller]);
        try {
          const outcome = await new Promise<string>((resolve) => {
            const stop = client.subscribe(
              { query: subscription },
              { next: () => resolve('data'), error: () => resolve('refused'), complete: () => resolve('complete') },
            );
            // A live subscription stays silent until an event: silence means it was accepted.
            setTimeout(() => {
              stop();
              resolve('subscribed');
            }, 600);
          });
          assert.equal(outcome, allowed ? 'subscribed' : 'refused');
        } finally {
          await client.dispose();
        }
      });
    }
  }
});

describe('rate limits per key', () => {
  it('answers 429 with Retry-After once a key uses up its window, without touching other keys', async () => {
    const answers = [];
    for (let i = 0; i < 65; i += 1) answers.push(await request(service.app.server).get('/v1/agent/state').set(bearer(keys.viewer)));
    const limited = answers.filter((res) => res.status === 429);
    assert.ok(limited.length >= 5, `only ${limited.length} answers were 429`);
    assert.equal(limited[0]!.body.error, 'rate_limited');
    assert.ok(Number(limited[0]!.headers['retry-after']) > 0);
    assert.equal((await request(service.app.server).get('/v1/routing/directives').set(bearer(keys.ingest))).status, 200);
  });

  it('throttles URL probing on unknown paths too', async () => {
    const statuses = [];
    for (let i = 0; i < 65; i += 1) statuses.push((await request(service.app.server).get(`/probe/${i}`).set(bearer('probing-key-123'))).status);
    assert.ok(statuses.includes(404));
    assert.ok(statuses.includes(429));
  });
});
