// A single metric scored point by point, for any series an operator can export: what the detect CLI
// runs. The expectation is a robust level (the best of a fast, a medium and a slow one) plus a
// seasonal profile whose period is searched in the recent history; a point's surprise is its
// residual over a robust scale. A lasting change is accepted as the new normal after a few points,
// so a level shift alarms at its onset and not forever. State is bounded and plain data.

export interface SeriesPoint {
  value: number;
  /** Epoch milliseconds; gaps and repeats are tolerated. Without it, each row is one step. */
  timestamp?: number;
}

export interface SeriesOptions {
  /** Points folded in before any is scored. */
  warmupWindows: number;
}

export const defaultSeriesOptions: SeriesOptions = { warmupWindows: 10 };

/** A level that follows the deseasonalised series at its own pace, with its own error scale. */
interface Level {
  alpha: number;
  value: number;
  /** EWMA of the absolute one-step error (clipped), both the scale and how well it predicts. */
  error: number;
}

export interface SeriesState {
  /** Finite points folded in. */
  seen: number;
  clock: { step: number; last: number; interval: number; intervals: number[] };
  /** Ring buffers of recent values and their steps, for the period search. */
  history: number[];
  steps: number[];
  levels: Level[];
  period: number;
  /** Seasonal offset by phase (step mod period). */
  season: number[];
  /** Consecutive points beyond SHIFT_Z on the same side, signed. */
  run: number;
  /** The last few deseasonalised values, to re-level to after a lasting shift. */
  recent: number[];
}

export interface SeriesScore {
  state: SeriesState;
  /** 0..1, ranking points by surprise; comparable across series. */
  score: number;
  zScore: number;
  anomalous: boolean;
}

const HISTORY = 2048;
const LEVEL_ALPHAS = [0.5, 0.1, 0.02];
const ERROR_ALPHA = 0.05;
/** Residuals are clipped at this many scales before updating, so spikes barely move the baseline. */
const CLIP_Z = 3;
const SEASON_ALPHA = 0.1;
/** After this many points beyond SHIFT_Z on one side, the level jumps to them: a new normal. */
const SHIFT_RUN = 5;
const SHIFT_Z = 3;
const REFIT_EVERY = 128;
/** A period needs this many cycles in the history to be trusted. */
const MIN_CYCLES = 2.5;
/** Share of the deseasonalised variance a period must explain, net of what noise alone would. */
const MIN_SEASONAL_GAIN = 0.1;
/** Inputs beyond this are clipped so squares and differences stay finite. */
const MAX_MAGNITUDE = 1e150;
const RELATIVE_SCALE_FLOOR = 1e-9;
const ABSOLUTE_SCALE_FLOOR = 1e-12;
/** z at which the score is 0.5. */
const HALF_SCORE_Z = 6;
const ANOMALOUS_SCORE = 0.5;

export const initialSeriesState = (): SeriesState => ({
  seen: 0,
  clock: { step: -1, last: Number.NaN, interval: Number.NaN, intervals: [] },
  history: [],
  steps: [],
  levels: LEVEL_ALPHAS.map((alpha) => ({ alpha, value: 0, error: 0 })),
  period: 0,
  season: [],
  run: 0,
  recent: [],
});

/** Positive intervals whose median becomes the series' step, fixed from then on so phases keep. */
const INTERVAL_SAMPLES = 15;
/** A gap counts for at most this many steps: a wild timestamp must not throw the phase far off. */
const MAX_GAP_STEPS = 100_000;

/**
 * The step of a point: one per row until the usual interval is known; then elapsed time over it,
 * so a gap skips phases. A repeated timestamp keeps its phase, one going back counts one step.
 */
function advanceClock(clock: SeriesState['clock'], timestamp: number | undefined): number {
  const t = timestamp ?? Number.NaN;
  const elapsed = t - clock.last;
  if (Number.isFinite(t)) clock.last = t;
  if (!(elapsed >= 0)) return (clock.step += 1);
  if (elapsed === 0) return Math.max(0, clock.step);
  if (!Number.isFinite(clock.interval)) {
    clock.intervals.push(elapsed);
    if (clock.intervals.length === INTERVAL_SAMPLES) clock.interval = median(clock.intervals);
    return (clock.step += 1);
  }
  return (clock.step += Math.min(MAX_GAP_STEPS, Math.max(1, Math.round(elapsed / clock.interval))));
}

const phaseOf = (step: number, period: number): number => ((step % period) + period) % period;
const seasonalAt = (state: SeriesState, step: number): number => (state.period > 0 ? (state.season[phaseOf(step, state.period)] ?? 0) : 0);

function bestLevel(levels: readonly Level[]): Level {
  return levels.reduce((best, l) => (l.error < best.error ? l : best));
}

function scaleOf(state: SeriesState, level: Level): number {
  const magnitude = Math.max(Math.abs(level.value), Math.abs(state.recent[state.recent.length - 1] ?? 0));
  return Math.max(level.error, RELATIVE_SCALE_FLOOR * magnitude, ABSOLUTE_SCALE_FLOOR);
}

const clip = (x: number, bound: number): number => Math.max(-bound, Math.min(bound, x));

function remember(state: SeriesState, value: number, step: number): void {
  const slot = state.seen % HISTORY;
  state.history[slot] = value;
  state.steps[slot] = step;
}

/** The history in arrival order. */
function chronological(state: SeriesState): { values: number[]; steps: number[] } {
  const n = Math.min(state.seen, HISTORY);
  const start = state.seen > HISTORY ? state.seen % HISTORY : 0;
  const values: number[] = [];
  const steps: number[] = [];
  for (let i = 0; i < n; i++) {
    values.push(state.history[(start + i) % HISTORY] ?? 0);
    steps.push(state.steps[(start + i) % HISTORY] ?? 0);
  }
  return { values, steps };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** Values pulled in to 6 MADs of a short running median, so spikes do not shape the season. */
function winsorised(values: readonly number[]): number[] {
  const deviations = values.map((v, i) => Math.abs(v - (values[i - 1] ?? v)));
  const bound = 6 * Math.max(median(deviations), ABSOLUTE_SCALE_FLOOR);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const local = median(values.slice(Math.max(0, i - 4), i + 1));
    out.push(local + clip((values[i] ?? 0) - local, bound));
  }
  return out;
}

interface Fit {
  period: number;
  gain: number;
  profile: number[];
}

/**
 * How well a period explains the history: residuals from a centred moving average over one cycle
 * (which removes level and trend but keeps nothing of the cycle) are averaged by phase; the gain is
 * the variance the phase means remove, adjusted for the phases fitted (adjusted R²).
 */
function fitPeriod(values: readonly number[], steps: readonly number[], prefix: readonly number[], period: number): Fit {
  const n = values.length;
  const half = Math.floor(period / 2);
  const sums = new Array<number>(period).fill(0);
  const counts = new Array<number>(period).fill(0);
  const residuals: number[] = [];
  const phases: number[] = [];
  for (let i = half; i + period - half <= n; i++) {
    const mean = ((prefix[i - half + period] ?? 0) - (prefix[i - half] ?? 0)) / period;
    const r = (values[i] ?? 0) - mean;
    const phase = phaseOf(steps[i] ?? 0, period);
    residuals.push(r);
    phases.push(phase);
    sums[phase] = (sums[phase] ?? 0) + r;
    counts[phase] = (counts[phase] ?? 0) + 1;
  }
  const profile = sums.map((s, p) => (counts[p] ? s / (counts[p] ?? 1) : 0));
  const m = residuals.length;
  let total = 0;
  let left = 0;
  for (let i = 0; i < m; i++) {
    const r = residuals[i] ?? 0;
    total += r * r;
    left += (r - (profile[phases[i] ?? 0] ?? 0)) ** 2;
  }
  const dof = m - period;
  const gain = total > 0 && dof > 0 ? 1 - left / dof / (total / (m - 1)) : 0;
  return { period, gain, profile };
}

/** Searches every period the history holds enough cycles of and keeps the best, if it is worth it. */
function refitSeason(state: SeriesState): void {
  const { values: raw, steps } = chronological(state);
  const values = winsorised(raw);
  const prefix = [0];
  for (const v of values) prefix.push((prefix[prefix.length - 1] ?? 0) + v);
  let best: Fit = { period: 0, gain: MIN_SEASONAL_GAIN, profile: [] };
  for (let period = 2; period * MIN_CYCLES <= values.length; period++) {
    const fit = fitPeriod(values, steps, prefix, period);
    if (fit.gain > best.gain) best = fit;
  }
  if (best.period === state.period) return;
  const lastStep = steps[steps.length - 1] ?? 0;
  const shiftLevels = seasonalAt(state, lastStep) - (best.period > 0 ? (best.profile[phaseOf(lastStep, best.period)] ?? 0) : 0);
  for (const level of state.levels) level.value += shiftLevels;
  state.period = best.period;
  state.season = best.profile;
}

function foldIn(state: SeriesState, deseasonalised: number, x: number, step: number, zBest: number): void {
  for (const level of state.levels) {
    const scale = scaleOf(state, level);
    const e = deseasonalised - level.value;
    const clipped = clip(e, CLIP_Z * scale);
    level.value = state.seen === 0 ? deseasonalised : level.value + level.alpha * clipped;
    level.error = state.seen === 0 ? 0 : level.error + ERROR_ALPHA * (Math.abs(clipped) - level.error);
  }
  if (state.period > 0) {
    const phase = phaseOf(step, state.period);
    const level = bestLevel(state.levels);
    const e = x - level.value - (state.season[phase] ?? 0);
    state.season[phase] = (state.season[phase] ?? 0) + SEASON_ALPHA * clip(e, CLIP_Z * scaleOf(state, level));
  }
  state.recent.push(deseasonalised);
  if (state.recent.length > SHIFT_RUN) state.recent.shift();
  state.run = Math.abs(zBest) > SHIFT_Z ? (Math.sign(zBest) === Math.sign(state.run) ? state.run + Math.sign(zBest) : Math.sign(zBest)) : 0;
  if (Math.abs(state.run) >= SHIFT_RUN) {
    const settled = median(state.recent);
    for (const level of state.levels) level.value = settled;
    state.run = 0;
  }
}

const toScore = (z: number): number => (z * z) / (z * z + HALF_SCORE_Z * HALF_SCORE_Z);

/**
 * Scores a point against the expectation from the points before it, then folds it in. The state
 * is updated in place (its buffers are bounded but large) and returned. A non-finite value scores
 * 0 and leaves the state alone.
 */
export function scorePoint(state: SeriesState, point: SeriesPoint | number, options: SeriesOptions = defaultSeriesOptions): SeriesScore {
  const { value, timestamp } = typeof point === 'number' ? { value: point, timestamp: undefined } : point;
  if (!Number.isFinite(value)) return { state, score: 0, zScore: 0, anomalous: false };
  const x = clip(value, MAX_MAGNITUDE);
  const step = advanceClock(state.clock, timestamp);
  const deseasonalised = x - seasonalAt(state, step);
  const level = bestLevel(state.levels);
  const zScore = state.seen === 0 ? 0 : (deseasonalised - level.value) / scaleOf(state, level);
  const score = state.seen >= options.warmupWindows ? toScore(zScore) : 0;
  foldIn(state, deseasonalised, x, step, zScore);
  remember(state, x, step);
  state.seen += 1;
  if (state.seen % REFIT_EVERY === 0) refitSeason(state);
  return { state, score, zScore, anomalous: score >= ANOMALOUS_SCORE };
}
