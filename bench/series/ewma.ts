// The plain baseline the streaming scorer must beat: an exponentially weighted mean and variance
// that fold in every point, and |z| against them mapped to [0, 1).
const ALPHA = 0.1;
/** |z| at which the score is 0.5; any monotone map ranks the same, this one keeps 6 decimals useful. */
const HALF_SCORE_Z = 3;

export function ewmaScores(values: readonly number[]): number[] {
  let mean = 0;
  let variance = 0;
  return values.map((x, i) => {
    const sd = Math.sqrt(variance);
    const z = i === 0 ? 0 : sd > 0 ? Math.abs(x - mean) / sd : x === mean ? 0 : Infinity;
    const delta = x - mean;
    mean = i === 0 ? x : mean + ALPHA * delta;
    variance = i === 0 ? 0 : (1 - ALPHA) * (variance + ALPHA * delta * delta);
    return Number.isFinite(z) ? z / (z + HALF_SCORE_Z) : 1;
  });
}
