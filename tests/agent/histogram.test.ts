import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUCKET_RATIO, bucketOf, bucketValue, histogramOf, MAX_RELATIVE_ERROR, mergeHistogram, quantile, ZERO_BUCKET } from '../../src/agent/histogram';
import { percentileCont } from '../../src/agent/observe';

const latency = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.double({ min: 1e-6, max: 1, noNaN: true }),
  fc.integer({ min: 0, max: 60_000 }),
);

test('a bucket stands for every value in it within 1%, from fractions to the largest double', () => {
  assert.ok(MAX_RELATIVE_ERROR < 0.01);
  assert.equal(bucketOf(0), ZERO_BUCKET);
  assert.equal(bucketValue(ZERO_BUCKET), 0);
  for (const value of [1e-300, 1e-9, 0.001, 0.5, 1, 1.02, 100, 180, 5_000, 60_000, 1e12, 1e300, Number.MAX_VALUE]) {
    const read = bucketValue(bucketOf(value));
    assert.ok(Math.abs(read - value) <= MAX_RELATIVE_ERROR * value * (1 + 1e-9), `${value} read back as ${read}`);
  }
  fc.assert(
    fc.property(fc.double({ min: Number.MIN_VALUE * 2 ** 60, max: Number.MAX_VALUE, noNaN: true }), (value) => {
      const bucket = bucketOf(value);
      assert.ok(Number.isInteger(bucket) && bucket > ZERO_BUCKET, 'an int4 above the zero bucket, storable in Postgres');
      assert.ok(Math.abs(bucketValue(bucket) - value) <= MAX_RELATIVE_ERROR * value * (1 + 1e-9));
    }),
    { numRuns: 2_000 },
  );
});

test('buckets grow by the ratio: a value and one 2% above it are one bucket apart', () => {
  assert.equal(bucketOf(100 * BUCKET_RATIO) - bucketOf(100), 1);
  assert.equal(bucketOf(100 / BUCKET_RATIO ** 2) - bucketOf(100), -2);
});

test('the p95 of a histogram is within 1% of percentile_cont over the exact values', () => {
  fc.assert(
    fc.property(fc.array(latency, { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, fraction) => {
      const exact = percentileCont(
        [...values].sort((a, b) => a - b),
        fraction,
      );
      const read = quantile(histogramOf(values), fraction);
      assert.ok(Math.abs(read - exact) <= MAX_RELATIVE_ERROR * exact * (1 + 1e-9), `${read} vs ${exact}`);
    }),
    { numRuns: 500 },
  );
  assert.equal(quantile(new Map(), 0.95), 0, 'an empty histogram has p95 0, as an empty group has');
});

test('merging histograms equals the histogram of all the values, in any order', () => {
  fc.assert(
    fc.property(fc.array(fc.array(latency, { maxLength: 50 }), { maxLength: 6 }), (parts) => {
      const whole = histogramOf(parts.flat());
      const merged = parts.reduce((into, part) => mergeHistogram(into, histogramOf(part)), new Map<number, number>());
      const reversed = [...parts].reverse().reduce((into, part) => mergeHistogram(into, histogramOf(part)), new Map<number, number>());
      const sorted = (h: Map<number, number>) => [...h.entries()].sort((a, b) => a[0] - b[0]);
      assert.deepEqual(sorted(merged), sorted(whole));
      assert.deepEqual(sorted(reversed), sorted(whole));
      assert.equal(quantile(merged, 0.95), quantile(whole, 0.95), 'so the same p95, exactly');
    }),
    { numRuns: 300 },
  );
});
