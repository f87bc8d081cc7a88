import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { generateOpenApi, openApiPath } from '../../src/api/openapi';

it('keeps the committed OpenAPI document equal to the one the routes generate (npm run openapi)', async () => {
  const generated = await generateOpenApi();
  assert.equal(readFileSync(openApiPath, 'utf8'), generated);
  const doc = JSON.parse(generated);
  assert.equal(doc.openapi, '3.1.0');
  const batch = doc.paths['/v1/transactions/batch'].post;
  assert.ok(batch.requestBody.content['application/json']);
  assert.deepEqual(Object.keys(batch.responses).sort(), ['202', '400', '401', '403', '413', '415', '503']);
});
