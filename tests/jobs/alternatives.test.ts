import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ValuedOption } from '../../src/agent';
import { alternativesTo } from '../../src/jobs/cycle-result';

const option = (id: string, nrv: number) => ({ id, nrv: { nrv } }) as ValuedOption;

it("keeps an intervention's five best runners-up, best first, not every option its cycle weighed", () => {
  const options = [
    option('a', 10),
    option('chosen', 900),
    option('b', 500),
    option('c', -20),
    option('d', 70),
    option('e', 500),
    option('f', 300),
    option('g', 0),
  ];
  assert.deepEqual(
    alternativesTo(options, 'chosen').map((o) => o.id),
    ['b', 'e', 'f', 'd', 'a'],
  );
  assert.deepEqual(
    alternativesTo(options.slice(0, 3), 'chosen').map((o) => o.id),
    ['b', 'a'],
    'fewer options: all the others',
  );
});
