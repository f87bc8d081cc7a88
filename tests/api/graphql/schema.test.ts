import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { printedSchema, schemaPath } from '../../../src/api/graphql/print';

it('keeps the committed schema.graphql equal to the served schema (npm run graphql:schema)', () => {
  const committed = readFileSync(schemaPath, 'utf8');
  assert.equal(committed, printedSchema());
  // The contract's names are fixed; a rename would break every dashboard.
  for (const name of [
    'health: SystemHealth!',
    'cycles(last: Int = 20',
    'patterns(last: Int = 50, type: PatternType',
    'interventions(status: InterventionStatus, last: Int = 50',
    'intervention(id: ID!): Intervention',
    'auditLog(last: Int = 100',
    'approveIntervention(id: ID!, note: String',
    'rejectIntervention(id: ID!, reason: String!)',
    'rollbackIntervention(id: ID!, reason: String!)',
    'interventionEvents: InterventionEvent!',
    'cycleCompleted: Cycle!',
  ]) {
    assert.ok(committed.includes(name), name);
  }
});
