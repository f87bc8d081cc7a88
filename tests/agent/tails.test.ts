import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalUpperTail, poissonLowerTail } from '../../src/agent/tails';
import { assertClose } from './helpers';

test('the normal upper tail at known points', () => {
  assertClose(normalUpperTail(0), 0.5, 1e-7);
  assertClose(normalUpperTail(1.959964), 0.025, 1e-6);
  assertClose(normalUpperTail(3.2), 6.871e-4, 1e-6);
});

test('the Poisson lower tail: exact sums, a mean in the thousands without underflow, and the edges', () => {
  assertClose(poissonLowerTail(0, 15), Math.exp(-15), 1e-15);
  assertClose(poissonLowerTail(2, 2), 5 * Math.exp(-2), 1e-12);
  // The median of a Poisson with a large mean sits just above it.
  const large = poissonLowerTail(1000, 1000);
  assert.ok(large > 0.5 && large < 0.52, `P(X <= 1000 | 1000) = ${large}`);
  assert.ok(poissonLowerTail(300, 1000) > 0, 'a far tail is tiny, not zero by underflow of its first term');
  assert.equal(poissonLowerTail(-1, 5), 0);
  assert.equal(poissonLowerTail(3, 0), 1);
});
