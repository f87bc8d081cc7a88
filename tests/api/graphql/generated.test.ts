import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { buildSchema } from 'graphql';
import { documentTypes, generate, generatedPaths } from '../../../scripts/graphql-types';

it('keeps the types generated from schema.graphql up to date (npm run graphql:types)', () => {
  const files = generate();
  for (const key of Object.keys(generatedPaths) as (keyof typeof generatedPaths)[]) {
    assert.equal(readFileSync(generatedPaths[key], 'utf8'), files[key], `${generatedPaths[key]} is stale: run npm run graphql:types`);
  }
});

it('refuses a dashboard document that asks for a field the schema lacks', () => {
  const schema = buildSchema('type Query { health: Health! } type Health { cycleNumber: Int! }');
  assert.match(documentTypes(schema, { ok: 'query Ok { health { cycleNumber } }' }), /export type OkQuery = \{\n {2}health: \{\n {4}cycleNumber: number;/);
  assert.throws(() => documentTypes(schema, { bad: 'query Bad { health { windowEnd } }' }), /Cannot query field "windowEnd"/);
});
