// EWMA baselines and the one scoring rule used by the agent and by the detect CLI.
import type { AgentConfig } from './config';
import type { DimensionBaseline, DimensionMetrics, Ewma } from './types';
import { technicalFailures, type ErrorTaxonomy } from './errorCodes';
import { retryRate, successRate } from './metrics';

export type EwmaRates = Pick<AgentConfig, 'ewmaAlpha' | 'ewmaVarianceAlpha'>;
type SlowRate = Pick<AgentConfig, 'slowEwmaAlpha'>;
type BaselineSettings = EwmaRates & SlowRate & ErrorTaxonomy;

/**
 * Weights of the newest observation in the mean and in the variance. The variance has its own,
 * slower rate: a z-score is only as good as its spread estimate, and a short memory makes that
 * too noisy to trust at the tails. The first points weigh at least 1/(n+1), so early estimates
 * are plain running averages and a baseline that has seen nothing takes the first value as it is.
 */
const meanWeight = (rates: EwmaRates, seen: number): number => Math.max(rates.ewmaAlpha, 1 / (seen + 1));
const varianceWeight = (rates: EwmaRates, seen: number): number => Math.max(rates.ewmaVarianceAlpha, 1 / (seen + 1));

const nextMean = (mean: number, observed: number, weight: number): number => mean + weight * (observed - mean);
const nextVariance = (mean: number, variance: number, observed: number, weight: number): number =>
  (1 - weight) * (variance + weight * (observed - mean) * (observed - mean));

export function updateEwma(previous: Ewma, observed: number, rates: EwmaRates, seen: number): Ewma {
  return {
    mean: nextMean(previous.mean, observed, meanWeight(rates, seen)),
    variance: nextVariance(previous.mean, previous.variance, observed, varianceWeight(rates, seen)),
  };
}

/** Positions in a DimensionBaseline tuple. */
export const BASELINE = {
  windows: 0,
  volumeMean: 1,
  successRateMean: 2,
  successRateVariance: 3,
  latencyP95MsMean: 4,
  latencyP95MsVariance: 5,
  retryRateMean: 6,
  retryRateVariance: 7,
  /** Technical failures per attempt: the target's usual mix, against which failures are judged on their excess. */
  technicalRateMean: 8,
  successRateSlowMean: 9,
  lastCycle: 10,
  latencyP95MsSlowMean: 11,
} as const;

export function emptyBaseline(): DimensionBaseline {
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}

/** Technical failures per attempt in a window. */
export const technicalRate = (m: DimensionMetrics, taxonomy: ErrorTaxonomy): number => (m.volume > 0 ? technicalFailures(m, taxonomy) / m.volume : 0);

/**
 * Runs once per dimension per window, so it works on plain numbers and allocates one array.
 * `windows` > 1 folds a pool of thin windows as one observation, its volume per window.
 */
export function updateBaseline(
  b: DimensionBaseline,
  metrics: DimensionMetrics,
  rates: BaselineSettings,
  windows = 1,
  cycle = b[BASELINE.lastCycle],
): DimensionBaseline {
  const seen = b[BASELINE.windows];
  const wm = meanWeight(rates, seen);
  const ws = Math.max(rates.slowEwmaAlpha, 1 / (seen + 1));
  const wv = varianceWeight(rates, seen);
  const success = successRate(metrics);
  const retry = retryRate(metrics);
  const latency = metrics.latencyP95Ms;
  const successMean = b[BASELINE.successRateMean];
  const latencyMean = b[BASELINE.latencyP95MsMean];
  const retryMean = b[BASELINE.retryRateMean];
  const technical = technicalRate(metrics, rates);
  return [
    seen + 1,
    nextMean(b[BASELINE.volumeMean], metrics.volume / windows, wm),
    nextMean(successMean, success, wm),
    nextVariance(successMean, b[BASELINE.successRateVariance], success, wv),
    nextMean(latencyMean, latency, wm),
    nextVariance(latencyMean, b[BASELINE.latencyP95MsVariance], latency, wv),
    nextMean(retryMean, retry, wm),
    nextVariance(retryMean, b[BASELINE.retryRateVariance], retry, wv),
    // A baseline saved before this slot existed starts it from the window, like a new one.
    nextMean(b[BASELINE.technicalRateMean] ?? technical, technical, wm),
    nextMean(b[BASELINE.successRateSlowMean] ?? successMean, success, ws),
    cycle,
    nextMean(b[BASELINE.latencyP95MsSlowMean] ?? latencyMean, latency, ws),
  ];
}

/** The same baseline marked as carried by `cycle`'s window; unchanged (not copied) when it already is. */
export function seenIn(b: DimensionBaseline, cycle: number): DimensionBaseline {
  if (b[BASELINE.lastCycle] === cycle) return b;
  const out = [...b] as DimensionBaseline;
  out[BASELINE.lastCycle] = cycle;
  return out;
}

/**
 * How much wider a baseline's variance must be taken for the few windows it was estimated from:
 * (n + 1)/(n − 1) with n the windows seen, capped at the EWMA's effective memory 2/α − 1. Just
 * after warm-up a 10-window estimate is 22% wider; a long-lived one about 5%.
 */
export function varianceInflation(seen: number, rates: EwmaRates): number {
  const n = Math.min(seen, 2 / rates.ewmaVarianceAlpha - 1);
  return n > 1 ? (n + 1) / (n - 1) : 2;
}

/** Which way is bad: -1 a drop, +1 a rise, 0 either. */
export type Direction = -1 | 0 | 1;

/**
 * How many standard deviations `observed` lies from the baseline in the bad direction. Plain
 * numbers in and out: it runs three times per dimension per window.
 */
export function zScoreOf(
  mean: number,
  variance: number,
  observed: number,
  direction: Direction,
  volumeRatio: number,
  samplingVariance: number,
  config: AgentConfig,
): number {
  const floorStd = config.minStdRelative * Math.abs(mean);
  const spread = Math.max(variance * Math.max(1, volumeRatio), samplingVariance, floorStd * floorStd, Number.MIN_VALUE);
  const delta = observed - mean;
  return (direction === 0 ? Math.abs(delta) : direction * delta) / Math.sqrt(spread);
}

/** The change as a share of the baseline, in the bad direction. */
export function relativeChangeOf(mean: number, observed: number, direction: Direction): number {
  const delta = observed - mean;
  return (direction === 0 ? Math.abs(delta) : direction * delta) / Math.max(Math.abs(mean), Number.EPSILON);
}

export function isAnomalous(zScore: number, relativeChange: number, minRelativeChange: number, config: AgentConfig): boolean {
  return zScore >= config.anomalyThreshold && relativeChange >= minRelativeChange;
}

/** 0..1: z^2 / (z^2 + threshold^2), exactly 0.5 at the threshold, scaled down while the change is immaterial. */
export function anomalyScore(zScore: number, relativeChange: number, minRelativeChange: number, config: AgentConfig): number {
  if (zScore <= 0) return 0;
  const t = config.anomalyThreshold;
  const material = minRelativeChange > 0 ? Math.min(1, Math.max(0, relativeChange) / minRelativeChange) : 1;
  return ((zScore * zScore) / (zScore * zScore + t * t)) * material;
}

/** Whether a baseline has seen enough windows to judge. */
export function isWarm(baseline: DimensionBaseline | undefined, config: AgentConfig): baseline is DimensionBaseline {
  return baseline !== undefined && baseline[BASELINE.windows] >= config.warmupWindows;
}

/**
 * The same baseline re-centred on the window's level: an incident closed as a persistent shift
 * becomes the new normal. A dimension that sent nothing keeps its rates and learns its new volume.
 */
export function rebase(b: DimensionBaseline, metrics: DimensionMetrics, taxonomy: ErrorTaxonomy): DimensionBaseline {
  const out = [...b] as DimensionBaseline;
  out[BASELINE.volumeMean] = metrics.volume;
  if (metrics.volume === 0) return out;
  out[BASELINE.successRateMean] = successRate(metrics);
  out[BASELINE.successRateSlowMean] = successRate(metrics);
  out[BASELINE.latencyP95MsMean] = metrics.latencyP95Ms;
  out[BASELINE.latencyP95MsSlowMean] = metrics.latencyP95Ms;
  out[BASELINE.retryRateMean] = retryRate(metrics);
  out[BASELINE.technicalRateMean] = technicalRate(metrics, taxonomy);
  return out;
}
