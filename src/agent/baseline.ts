// EWMA baselines and the one scoring rule used by the agent and by the detect CLI.
import type { AgentConfig } from './config';
import type { DimensionBaseline, DimensionMetrics, Ewma } from './types';
import { retryRate, successRate } from './metrics';

/**
 * Folds one observation in. The variance has its own, slower rate: a z-score is only as good as
 * its spread estimate, and a short memory makes that estimate too noisy to trust at the tails.
 * During warm-up a point weighs at least 1/(n+1), so early estimates are plain running averages.
 */
export function updateEwma(previous: Ewma | null, observed: number, rates: EwmaRates, seen: number): Ewma {
  if (previous === null) return { mean: observed, variance: 0 };
  const floor = 1 / (seen + 1);
  const meanWeight = Math.max(rates.ewmaAlpha, floor);
  const varianceWeight = Math.max(rates.ewmaVarianceAlpha, floor);
  const diff = observed - previous.mean;
  return {
    mean: previous.mean + meanWeight * diff,
    variance: (1 - varianceWeight) * (previous.variance + varianceWeight * diff * diff),
  };
}

export type EwmaRates = Pick<AgentConfig, 'ewmaAlpha' | 'ewmaVarianceAlpha'>;

export function updateBaseline(
  previous: DimensionBaseline | undefined,
  metrics: DimensionMetrics,
  rates: EwmaRates,
): DimensionBaseline {
  const seen = previous?.windows ?? 0;
  return {
    windows: seen + 1,
    volume: updateEwma(previous?.volume ?? null, metrics.volume, rates, seen),
    successRate: updateEwma(previous?.successRate ?? null, successRate(metrics), rates, seen),
    latencyP95Ms: updateEwma(previous?.latencyP95Ms ?? null, metrics.latencyP95Ms, rates, seen),
    retryRate: updateEwma(previous?.retryRate ?? null, retryRate(metrics), rates, seen),
  };
}

/** Which way is bad: -1 a drop, +1 a rise, 0 either. */
export type Direction = -1 | 0 | 1;

export interface JudgeInput {
  baseline: Ewma;
  observed: number;
  direction: Direction;
  /**
   * Baseline volume over this window's volume. Window-to-window variance is mostly sampling
   * noise, which grows as the sample shrinks, so a thin window is judged against a wider band.
   */
  volumeRatio: number;
  /** Sampling variance known from the metric itself, e.g. binomial p(1-p)/n for a rate. */
  samplingVariance: number;
  minRelativeChange: number;
}

export interface Judgement {
  zScore: number;
  relativeChange: number;
  anomalous: boolean;
  /** 0..1; 0.5 exactly where |z| meets the threshold with a material change. */
  score: number;
}

export function judge(input: JudgeInput, config: AgentConfig): Judgement {
  const { baseline, observed, direction } = input;
  const scale = Math.abs(baseline.mean);
  const floorStd = config.minStdRelative * scale;
  const variance = Math.max(
    baseline.variance * Math.max(1, input.volumeRatio),
    input.samplingVariance,
    floorStd * floorStd,
    Number.MIN_VALUE,
  );
  const delta = observed - baseline.mean;
  const signed = direction === 0 ? Math.abs(delta) : direction * delta;
  const zScore = signed / Math.sqrt(variance);
  const relativeChange = signed / Math.max(scale, Number.EPSILON);
  const anomalous = zScore >= config.anomalyThreshold && relativeChange >= input.minRelativeChange;
  return { zScore, relativeChange, anomalous, score: anomalyScore(zScore, relativeChange, input, config) };
}

function anomalyScore(z: number, relative: number, input: JudgeInput, config: AgentConfig): number {
  if (z <= 0) return 0;
  const t = config.anomalyThreshold;
  const zPart = (z * z) / (z * z + t * t);
  const material = input.minRelativeChange > 0 ? Math.min(1, Math.max(0, relative) / input.minRelativeChange) : 1;
  return zPart * material;
}

/** Whether a baseline has seen enough windows to judge. */
export const isWarm = (baseline: DimensionBaseline | undefined, config: AgentConfig): baseline is DimensionBaseline =>
  baseline !== undefined && baseline.windows >= config.warmupWindows;
