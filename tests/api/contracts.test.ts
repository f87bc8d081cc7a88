import assert from 'node:assert/strict';
import { test } from 'node:test';
import { committedBaselines, contractBreaks, graphqlBreaks, isNewVersion, openApiBreaks, type OpenApiDocument } from '../../scripts/contracts';

test('the GraphQL schema and the OpenAPI document the code builds keep their committed baselines working (npm run contracts)', async () => {
  assert.deepEqual(await contractBreaks(), []);
});

test('a new major version, or a new minor while the major is 0, is what marks a breaking change', () => {
  assert.equal(isNewVersion('0.1.0', '0.1.7'), false);
  assert.equal(isNewVersion('0.1.0', '0.2.0'), true);
  assert.equal(isNewVersion('1.4.0', '1.9.0'), false);
  assert.equal(isNewVersion('1.4.0', '2.0.0'), true);
  assert.equal(isNewVersion('2.0.0', '1.9.0'), false);
});

test('removing a GraphQL field breaks a client, unless the version says so; adding one does not', () => {
  const { graphql } = committedBaselines();
  const without = graphql.document.replace('\n  kind: String!\n', '\n');
  assert.notEqual(without, graphql.document, 'the fixture edit applies');
  assert.deepEqual(graphqlBreaks(graphql, { version: graphql.version, document: without }), ['GraphQL: AuditEntry.kind was removed.']);
  assert.deepEqual(graphqlBreaks(graphql, { version: '0.2.0', document: without }), []);
  const added = graphql.document.replace('type AuditEntry {', 'type AuditEntry {\n  note: String');
  assert.deepEqual(graphqlBreaks(graphql, { version: graphql.version, document: added }), []);
});

test('a removed path, a newly required request field or a response field no longer sent breaks a client, unless the version says so', () => {
  const { openapi } = committedBaselines();
  const changed = structuredClone<OpenApiDocument>(openapi);
  delete changed.paths['/v1/agent/state'];
  const schemas = changed.components!.schemas!;
  schemas.TransactionInput!.required!.push('note');
  schemas.Directives!.required = schemas.Directives!.required!.filter((name) => name !== 'generatedAt');
  assert.deepEqual(openApiBreaks(openapi, changed).sort(), [
    'GET /v1/agent/state: removed',
    'GET /v1/routing/directives 200: response field generatedAt is no longer always sent',
    'POST /v1/transactions application/json: request field note is now required',
    'POST /v1/transactions/batch application/json.transactions[]: request field note is now required',
    'POST /v1/transactions/batch application/x-ndjson.transactions[]: request field note is now required',
  ]);
  assert.deepEqual(openApiBreaks(openapi, { ...changed, info: { ...changed.info, version: '0.2.0' } }), []);
  // Additions are compatible: a new path, an optional request field, one more response field.
  const grown = structuredClone<OpenApiDocument>(openapi);
  grown.paths['/v1/new'] = { get: {} };
  grown.components!.schemas!.Directives!.required!.push('extra');
  assert.deepEqual(openApiBreaks(openapi, grown), []);
});
