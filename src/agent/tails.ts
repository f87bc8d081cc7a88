// Tail probabilities the detector judges counts and scores by.

/** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
export function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const poly =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** P(Z >= z) for a standard normal Z. */
export const normalUpperTail = (z: number): number => erfc(z / Math.SQRT2) / 2;

/**
 * P(X <= k) for X Poisson with mean `mean`, summed in log space so a mean in the thousands does not
 * underflow its first term. Counts of a few per window are where the normal curve misleads: 0 of an
 * expected 15 is rarer than its z of 3.9 says.
 */
export function poissonLowerTail(k: number, mean: number): number {
  if (k < 0) return 0;
  if (mean <= 0) return 1;
  const logMean = Math.log(mean);
  let logTerm = -mean;
  let logSum = logTerm;
  for (let i = 1; i <= k; i++) {
    logTerm += logMean - Math.log(i);
    logSum = Math.max(logSum, logTerm) + Math.log1p(Math.exp(-Math.abs(logSum - logTerm)));
  }
  return Math.min(1, Math.exp(logSum));
}
