// A single metric scored point by point with the agent's own baseline and z-score rule: what the
// detect CLI runs, so backtests on any exported series measure the detector the agent uses.
import type { AgentConfig } from './config';
import { anomalyScore, isAnomalous, relativeChangeOf, updateEwma, zScoreOf } from './baseline';
import type { Ewma } from './types';

export interface SeriesState {
  seen: number;
  baseline: Ewma;
}

export const initialSeriesState = (): SeriesState => ({ seen: 0, baseline: { mean: 0, variance: 0 } });

export interface SeriesScore {
  state: SeriesState;
  /** 0..1, see anomalyScore: 0.5 where |z| meets the threshold with a material change. */
  score: number;
  zScore: number;
  anomalous: boolean;
}

/**
 * Scores `value` against the baseline of the points before it, in either direction, then folds it
 * in unless it was anomalous (the agent's freeze: a lasting shift stays visible). Nothing is
 * scored during warm-up, and a non-finite value scores 0 and leaves the state alone.
 */
export function scorePoint(state: SeriesState, value: number, config: AgentConfig): SeriesScore {
  if (!Number.isFinite(value)) return { state, score: 0, zScore: 0, anomalous: false };
  const { mean, variance } = state.baseline;
  const warm = state.seen >= config.warmupWindows;
  const zScore = warm ? zScoreOf(mean, variance, value, 0, 1, 0, config) : 0;
  const relative = warm ? relativeChangeOf(mean, value, 0) : 0;
  const anomalous = warm && isAnomalous(zScore, relative, config.minRelativeChange, config);
  const score = anomalyScore(zScore, relative, config.minRelativeChange, config);
  const next = anomalous ? state : { seen: state.seen + 1, baseline: updateEwma(state.baseline, value, config, state.seen) };
  return { state: next, score, zScore, anomalous };
}
