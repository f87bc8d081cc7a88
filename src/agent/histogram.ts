// Latency histogram with logarithmic buckets: merged by adding counts (so per-batch rollups add up
// to a window's), quantiles within 1% of the exact value. Buckets are computed here only, at
// ingest and in observe, so the service and a replay hold identical counts.

/** Upper bound over lower bound of one bucket. */
export const BUCKET_RATIO = 1.02;
/** Largest relative error of a value read back from its bucket: (ratio - 1) / (ratio + 1), 0.99%. */
export const MAX_RELATIVE_ERROR = (BUCKET_RATIO - 1) / (BUCKET_RATIO + 1);

const LOG_RATIO = Math.log(BUCKET_RATIO);

/** The bucket of 0 (and of any value not above it): the smallest Postgres integer, below every real bucket. */
export const ZERO_BUCKET = -2_147_483_648;

/** Bucket counts by bucket index. */
export type Histogram = Map<number, number>;

/** Bucket i holds the values in (ratio^(i-1), ratio^i]. */
export function bucketOf(value: number): number {
  return value > 0 ? Math.ceil(Math.log(value) / LOG_RATIO) : ZERO_BUCKET;
}

/**
 * The value a bucket stands for: 2 ratio^i / (1 + ratio), within MAX_RELATIVE_ERROR of both ends,
 * so of every value in it (a value a rounding of the logarithm puts one bucket off lies on the
 * shared end, and is within the bound too).
 */
export function bucketValue(bucket: number): number {
  if (bucket === ZERO_BUCKET) return 0;
  return Math.min(Number.MAX_VALUE, Math.exp((bucket - 1) * LOG_RATIO) * ((2 * BUCKET_RATIO) / (1 + BUCKET_RATIO)));
}

export function addToHistogram(histogram: Histogram, bucket: number, count = 1): Histogram {
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + count);
  return histogram;
}

export function histogramOf(values: Iterable<number>): Histogram {
  const histogram: Histogram = new Map();
  for (const value of values) addToHistogram(histogram, bucketOf(value));
  return histogram;
}

/** Adds `source`'s counts into `target`. */
export function mergeHistogram(target: Histogram, source: ReadonlyMap<number, number>): Histogram {
  for (const [bucket, count] of source) addToHistogram(target, bucket, count);
  return target;
}

/**
 * Postgres percentile_cont over the values the buckets stand for: linear interpolation between the
 * two closest ranks. Each rank's value is within MAX_RELATIVE_ERROR, so (values being non-negative)
 * the interpolation is too. 0 for an empty histogram.
 */
export function quantile(histogram: ReadonlyMap<number, number>, fraction: number): number {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total === 0) return 0;
  const position = fraction * (total - 1);
  const [lower, upper] = [Math.floor(position), Math.ceil(position)];
  let seen = 0;
  let low: number | undefined;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket)!;
    // Ranks are 0-based: the bucket holds ranks [seen - count, seen).
    if (low === undefined && lower < seen) low = bucketValue(bucket);
    if (upper < seen) {
      const high = bucketValue(bucket);
      return low! + (high - low!) * (position - lower);
    }
  }
  return low ?? 0;
}
