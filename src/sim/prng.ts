// A small seeded PRNG (mulberry32) whose whole state is one 32-bit integer, so simulations are
// reproducible from a seed and can be paused and resumed from plain data.

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal, by Box-Muller. */
  normal(): number;
  state(): number;
}

const TWO_POW_32 = 4294967296;

/** A class rather than closures: the stream makes one per payment, and methods on a prototype cost nothing to create. */
class Mulberry32 implements Prng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  }

  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  state(): number {
    return this.a;
  }
}

export const createPrng = (seed: number): Prng => new Mulberry32(seed);

/** Picks an index with probability proportional to its weight. */
export const pickWeighted = (prng: Prng, cumulative: readonly number[]): number => pickAt(prng.next(), cumulative);

/** The index a uniform draw in [0, 1) falls on, weights given cumulatively. */
export function pickAt(u: number, cumulative: readonly number[]): number {
  const r = u * (cumulative[cumulative.length - 1] ?? 0);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] ?? 0) > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function cumulativeOf(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}
