// A single metric scored point by point, for any series an operator can export: what the detect CLI
// runs, and what the agent runs on its system-wide series (detect's scoreSystemSeries). The
// expectation is the best-predicting of four robust levels (fast to slow) plus a seasonal profile
// whose period is searched in the recent history (autocorrelation peaks, checked on held-out
// cycles), with seasonal noise. Two statistics are scored: a point's residual, and a drift (recent
// residuals against the slowest level). Each becomes a surprise, -log10 of how often this series
// produces that much, read off the series' own decayed histogram, so one threshold means about the
// same false-alarm rate on every series. Five points beyond 3 scales on one side are accepted as a
// new normal (a return to the old one is normal again), so a level shift alarms at its onset and
// not forever. The state is plain data of bounded size: about 3 numbers per point of history kept
// (2,048 by default, so about 6,000 numbers), plus a few hundred.

import { erfc } from './tails';

export interface SeriesPoint {
  value: number;
  /** Epoch milliseconds; gaps and repeats are tolerated. Without it, each row is one step. */
  timestamp?: number;
  /**
   * The value's own sampling variance, when it is measured from a sample (a rate or a p95 of n
   * payments): the point is never judged on a scale narrower than that, so a thin window cannot
   * pass for a precise one. Without it (any exported series), the scale is the series' own.
   */
  variance?: number;
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
  /** The same, clipped only far out: rare jumps (a sparse count's ones) keep the scale from collapsing. */
  spread: number;
}

export interface SeriesState {
  /** Finite points folded in. */
  seen: number;
  /** Steps (see advanceClock), the last timestamp, and the usual interval once sampled. */
  clock: { step: number; last: number | null; interval: number | null; intervals: number[] };
  /** Ring buffers of recent values and their steps, for the period search, of `capacity` points: a period needs 2.5 cycles of them. */
  capacity: number;
  history: number[];
  steps: number[];
  /** Fast to slow; the one with the least error predicts, the slowest is the drift's reference. */
  levels: Level[];
  /** Steps per cycle, 0 while no period predicts well. */
  period: number;
  /** Seasonal offset by phase (step mod period). */
  season: number[];
  /** Seasonal noise by phase, relative to the levels' scales: busy hours are noisier than quiet ones. */
  noise: number[];
  shift: Shift;
  /** The last few deseasonalised values, to re-level to after a lasting shift. */
  recent: number[];
  /** The typical nonzero step between consecutive values when steps recur (a count's one), else 0. */
  resolution: number;
  /** EWMA of the residuals from the slowest level, in its scales: a small lasting change or a drift. */
  drift: number;
  /** This series' own distributions of |z| and of the drift, so a heavy tail needs more to score as high. */
  calibration: { point: Calibration; drift: Calibration };
}

/**
 * A run of consecutive points beyond SHIFT_Z on one side (signed length), the levels from before it
 * began, and the levels of the regime the last accepted shift left (with when), so a return to it
 * soon after is normal.
 */
interface Shift {
  run: number;
  before: Level[] | null;
  previous: Level[] | null;
  acceptedAt: number;
}

/** Decayed counts of log10 |z| in fixed bins, and their total. */
interface Calibration {
  counts: number[];
  total: number;
}

export interface SeriesScore {
  state: SeriesState;
  /** 0..1, ranking points by surprise; comparable across series. */
  score: number;
  zScore: number;
  /** The drift's own z: recent residuals from the slowest level, in the standard deviations of their average. */
  driftZScore: number;
  /** What the point was judged against: the predicting level (the slowest for a drift) plus the season at its phase. */
  expected: number;
  anomalous: boolean;
}

/** The history kept unless a caller asks for more: periods up to 819 points. */
const HISTORY = 2048;
const LEVEL_ALPHAS = [0.9, 0.5, 0.1, 0.02];
const ERROR_ALPHA = 0.05;
/** Residuals are clipped at this many scales before updating, so spikes barely move the baseline. */
const CLIP_Z = 3;
const SEASON_ALPHA = 0.1;
/** Seasonal noise is smoothed over a window of the period divided by this (both sides). */
const NOISE_PHASES_PER_SMOOTHING = 12;
/** After this many points beyond SHIFT_Z on one side, the level jumps to them: a new normal. */
const SHIFT_RUN = 5;
const SHIFT_Z = 3;
/** A return to the regime before a shift is normal for this many points after it (an outage's end). */
const REGIME_MEMORY = 2048;
/** The season is searched at doubling counts up to REFIT_EVERY, then every REFIT_EVERY points. */
const REFIT_EVERY = 256;
const FIRST_REFIT = 64;
const MIN_PERIOD = 2;
/** A period needs this many cycles in the history: two to fit on, more to check the fit on. */
const MIN_CYCLES = 2.5;
const PERIOD_CANDIDATES = 16;
/** Points (at least) whose deseasonalised median the levels restart from when the season changes. */
const RELEVEL_POINTS = 16;
const WINSOR_STEPS = 6;
const WINSOR_HALF_WIDTH = 4;
/** Share of the variance around the level a period must predict in held-out cycles. */
const MIN_SEASONAL_GAIN = 0.1;
/** The spread bounds the scale from below at this fraction, and is clipped at this many scales. */
const SPREAD_TO_SCALE = 3;
const SPREAD_CLIP_Z = 1000;
/** Points whose errors are averaged plainly before clipping starts: the scale needs a first guess. */
const SCALE_WARMUP = 20;
/**
 * A quantised series (counts) is never scaled finer than this share of its usual step, once it has
 * stepped this many times in the history: mostly-zero counts would otherwise shrink the scale
 * towards nothing and score every one as a record.
 */
const RESOLUTION_SHARE = 0.5;
const RESOLUTION_MIN_STEPS = 8;
/** Inputs beyond this are clipped so squares, sums and spectra stay finite. */
const MAX_MAGNITUDE = 1e100;
const RELATIVE_SCALE_FLOOR = 1e-9;
const ABSOLUTE_SCALE_FLOOR = 1e-12;
/** |z| is binned by log10 from LOG_Z_MIN in steps of BIN_WIDTH; beyond the last bin it extrapolates. */
const LOG_Z_MIN = -2;
const BIN_WIDTH = 0.1;
const BINS = 80;
/** Counts fade with a memory of about this many points. */
const CALIBRATION_MEMORY = 2000;
/** The empirical tail is trusted while this many points lie beyond; further out it is extrapolated. */
const TAIL_MIN_COUNT = 3;
/** The tail's shape is the mean log10-excess of the top this-share of points (a Hill estimate). */
const SHAPE_SHARE = 0.01;
/** Points already this surprising count for little, so an anomaly does not teach that anomalies are normal. */
const ANOMALY_SURPRISE = 4;
const ANOMALY_WEIGHT = 0.1;
/** A thin tail (quantised or near-constant series) is not trusted to be thinner than this. */
const MIN_TAIL_SHAPE = 0.03;
/** Points before the levels and scales settle (the slowest averages ~50) teach the calibration nothing. */
const CALIBRATION_WARMUP = 100;
/** Before data, a Gaussian's |z| (in mean absolute deviations) worth this many points. */
const PRIOR_POINTS = 50;
/** Weight of the newest residual in the drift: about the last ten points. */
const DRIFT_ALPHA = 0.2;
/** The drift's standard deviation over the residuals' when they are independent. */
const DRIFT_SHRINK = Math.sqrt(DRIFT_ALPHA / (2 - DRIFT_ALPHA));
/**
 * Surprise (-log10 of the tail probability) at which the score is 0.5, the alarm level: the single
 * threshold that scores best on bench:series (about one false alarm per 1,000 healthy points).
 */
const HALF_SCORE_SURPRISE = 3.3;
const ANOMALOUS_SCORE = 0.5;

export const initialSeriesState = (capacity = HISTORY): SeriesState => ({
  seen: 0,
  clock: { step: -1, last: null, interval: null, intervals: [] },
  capacity,
  history: [],
  steps: [],
  levels: LEVEL_ALPHAS.map((alpha) => ({ alpha, value: 0, error: 0, spread: 0 })),
  period: 0,
  season: [],
  noise: [],
  shift: { run: 0, before: null, previous: null, acceptedAt: 0 },
  recent: [],
  resolution: 0,
  drift: 0,
  calibration: { point: priorCalibration(), drift: priorCalibration() },
});

/** A copy sharing nothing mutable with `state`: what a caller that must keep its input scores. */
export function copySeriesState(state: SeriesState): SeriesState {
  const levels = (ls: readonly Level[] | null): Level[] | null => ls && ls.map((l) => ({ ...l }));
  return {
    ...state,
    clock: { ...state.clock, intervals: [...state.clock.intervals] },
    history: [...state.history],
    steps: [...state.steps],
    levels: levels(state.levels) ?? [],
    season: [...state.season],
    noise: [...state.noise],
    shift: { ...state.shift, before: levels(state.shift.before), previous: levels(state.shift.previous) },
    recent: [...state.recent],
    calibration: {
      point: { ...state.calibration.point, counts: [...state.calibration.point.counts] },
      drift: { ...state.calibration.drift, counts: [...state.calibration.drift.counts] },
    },
  };
}

/** Positive intervals whose median becomes the series' step, fixed from then on so phases keep. */
const INTERVAL_SAMPLES = 15;
/** A gap counts for at most this many steps: a wild timestamp must not throw the phase far off. */
const MAX_GAP_STEPS = 100_000;

/**
 * The step of a point: one per row until the usual interval is known; then elapsed time over it,
 * so a gap skips phases. A repeated timestamp keeps its phase, one going back counts one step.
 */
function advanceClock(clock: SeriesState['clock'], timestamp: number | undefined): number {
  const t = timestamp !== undefined && Number.isFinite(timestamp) ? timestamp : null;
  const elapsed = t !== null && clock.last !== null ? t - clock.last : null;
  if (t !== null) clock.last = t;
  if (elapsed === null || elapsed < 0) return (clock.step += 1);
  if (elapsed === 0) return Math.max(0, clock.step);
  if (clock.interval === null) {
    clock.intervals.push(elapsed);
    if (clock.intervals.length === INTERVAL_SAMPLES) clock.interval = median(clock.intervals);
    return (clock.step += 1);
  }
  return (clock.step += Math.min(MAX_GAP_STEPS, Math.max(1, Math.round(elapsed / clock.interval))));
}

const phaseOf = (step: number, period: number): number => ((step % period) + period) % period;
const seasonalAt = (state: SeriesState, step: number): number => (state.period > 0 ? (state.season[phaseOf(step, state.period)] ?? 0) : 0);

/** The seasonal noise at a step, averaged over neighbouring phases: each phase alone is seen once a cycle. */
function noiseAt(state: SeriesState, step: number): number {
  if (state.period === 0) return 1;
  const width = Math.floor(state.period / NOISE_PHASES_PER_SMOOTHING);
  let sum = 0;
  for (let k = -width; k <= width; k++) sum += state.noise[phaseOf(step + k, state.period)] ?? 1;
  return sum / (2 * width + 1);
}

function bestLevel(levels: readonly Level[]): Level {
  return levels.reduce((best, l) => (l.error < best.error ? l : best));
}

/**
 * A level's scale where the seasonal noise is `local`: its error times the local noise, floored
 * in absolute terms (the data's resolution, its magnitude) so a well-fitted or constant series
 * cannot divide by nothing.
 */
function scaleOf(state: SeriesState, level: Level, local: number): number {
  const magnitude = Math.max(Math.abs(level.value), Math.abs(state.recent[state.recent.length - 1] ?? 0));
  const fitted = Math.max(level.error, level.spread / SPREAD_TO_SCALE) * local;
  return Math.max(fitted, RESOLUTION_SHARE * state.resolution, RELATIVE_SCALE_FLOOR * magnitude, ABSOLUTE_SCALE_FLOOR);
}

const clip = (x: number, bound: number): number => Math.max(-bound, Math.min(bound, x));

function remember(state: SeriesState, value: number, step: number): void {
  const slot = state.seen % state.capacity;
  state.history[slot] = value;
  state.steps[slot] = step;
}

/**
 * The history on a regular grid of steps, starting at `first`: a repeated step keeps its last
 * value and a gap is bridged linearly, so lags and phases count time rather than rows. Null when
 * gaps make the grid much longer than the history.
 */
function regularHistory(state: SeriesState): { first: number; values: number[] } | null {
  const capacity = state.capacity;
  const n = Math.min(state.seen, capacity);
  const start = state.seen > capacity ? state.seen % capacity : 0;
  const at = (i: number): { step: number; value: number } => ({
    step: state.steps[(start + i) % capacity] ?? 0,
    value: state.history[(start + i) % capacity] ?? 0,
  });
  const first = at(0).step;
  const span = at(n - 1).step - first + 1;
  if (span > 2 * capacity) return null;
  const values = new Array<number>(span);
  let previous = at(0);
  for (let i = 0; i < n; i++) {
    const point = at(i);
    for (let s = previous.step + 1; s < point.step; s++) {
      values[s - first] = previous.value + ((point.value - previous.value) * (s - previous.step)) / (point.step - previous.step);
    }
    values[point.step - first] = point.value;
    previous = point;
  }
  return { first, values };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/**
 * Values pulled to within WINSOR_STEPS typical steps of a centred running median (the history is
 * all past, so centring looks ahead of nothing scored), so spikes up to WINSOR_HALF_WIDTH points
 * long do not shape the season: two of them a cycle apart would otherwise look periodic.
 */
function winsorised(values: readonly number[]): number[] {
  const deviations = values.map((v, i) => Math.abs(v - (values[i - 1] ?? v)));
  const bound = WINSOR_STEPS * Math.max(median(deviations), ABSOLUTE_SCALE_FLOOR);
  return values.map((v, i) => {
    const local = median(values.slice(Math.max(0, i - WINSOR_HALF_WIDTH), i + WINSOR_HALF_WIDTH + 1));
    return local + clip(v - local, bound);
  });
}

/** Radix-2 FFT in place; lengths are powers of two. */
function fft(re: number[], im: number[]): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j] ?? 0, re[i] ?? 0];
      [im[i], im[j]] = [im[j] ?? 0, im[i] ?? 0];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const wr = Math.cos(angle * k);
        const wi = Math.sin(angle * k);
        const a = start + k;
        const b = a + size / 2;
        const xr = (re[b] ?? 0) * wr - (im[b] ?? 0) * wi;
        const xi = (re[b] ?? 0) * wi + (im[b] ?? 0) * wr;
        re[b] = (re[a] ?? 0) - xr;
        im[b] = (im[a] ?? 0) - xi;
        re[a] = (re[a] ?? 0) + xr;
        im[a] = (im[a] ?? 0) + xi;
      }
    }
  }
}

/** Autocorrelation of the mean-removed values at lags 0..n-1, by FFT. */
function autocorrelation(values: readonly number[]): number[] {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Array<number>(size).fill(0);
  const im = new Array<number>(size).fill(0);
  values.forEach((v, i) => (re[i] = v - mean));
  fft(re, im);
  for (let i = 0; i < size; i++) {
    re[i] = (re[i] ?? 0) ** 2 + (im[i] ?? 0) ** 2;
    im[i] = 0;
  }
  fft(re, im);
  const zero = re[0] || 1;
  return re.slice(0, n).map((r) => r / zero);
}

/**
 * The strongest local maxima of the autocorrelation and their neighbours (noise moves a broad
 * peak by a lag or so): the periods worth fitting.
 */
function candidatePeriods(acf: readonly number[], maxPeriod: number): number[] {
  const peaks: number[] = [];
  for (let lag = MIN_PERIOD; lag <= maxPeriod; lag++) {
    const a = acf[lag] ?? 0;
    if (a > 0 && a > (acf[lag - 1] ?? 0) && a >= (acf[lag + 1] ?? 0)) peaks.push(lag);
  }
  const strongest = peaks.sort((x, y) => (acf[y] ?? 0) - (acf[x] ?? 0)).slice(0, PERIOD_CANDIDATES);
  return [...new Set(strongest.flatMap((p) => [p - 1, p, p + 1]))].filter((p) => p >= MIN_PERIOD && p <= maxPeriod);
}

interface Fit {
  period: number;
  gain: number;
  profile: number[];
}

/**
 * How well a period predicts the history: residuals from a centred moving average over one cycle
 * (level and trend, nothing of the cycle) are averaged by phase over even cycles to predict odd
 * ones and the other way round, so a period that only fits noise or a wander gains nothing.
 */
function fitPeriod(values: readonly number[], first: number, prefix: readonly number[], period: number): Fit {
  const n = values.length;
  const half = Math.floor(period / 2);
  const sums = [new Array<number>(period).fill(0), new Array<number>(period).fill(0)];
  const counts = [new Array<number>(period).fill(0), new Array<number>(period).fill(0)];
  const residuals: { r: number; phase: number; parity: number }[] = [];
  for (let i = half; i + period - half <= n; i++) {
    const mean = ((prefix[i - half + period] ?? 0) - (prefix[i - half] ?? 0)) / period;
    const step = first + i;
    const item = { r: (values[i] ?? 0) - mean, phase: phaseOf(step, period), parity: Math.floor(step / period) % 2 };
    residuals.push(item);
    (sums[item.parity] as number[])[item.phase] = ((sums[item.parity] as number[])[item.phase] ?? 0) + item.r;
    (counts[item.parity] as number[])[item.phase] = ((counts[item.parity] as number[])[item.phase] ?? 0) + 1;
  }
  const meanOf = (parity: number, phase: number): number => {
    const c = counts[parity]?.[phase] ?? 0;
    return c > 0 ? (sums[parity]?.[phase] ?? 0) / c : 0;
  };
  let total = 0;
  let left = 0;
  for (const { r, phase, parity } of residuals) {
    total += r * r;
    left += (r - meanOf(1 - parity, phase)) ** 2;
  }
  const profile = Array.from({ length: period }, (_, p) => {
    const c = (counts[0]?.[p] ?? 0) + (counts[1]?.[p] ?? 0);
    return c > 0 ? ((sums[0]?.[p] ?? 0) + (sums[1]?.[p] ?? 0)) / c : 0;
  });
  return { period, gain: total > 0 ? 1 - left / total : 0, profile };
}

/** Short series learn their season early; long ones look again regularly. */
const isRefitDue = (seen: number): boolean => (seen < REFIT_EVERY ? seen >= FIRST_REFIT && (seen & (seen - 1)) === 0 : seen % REFIT_EVERY === 0);

function measureResolution(state: SeriesState): void {
  const capacity = state.capacity;
  const n = Math.min(state.seen, capacity);
  const start = state.seen > capacity ? state.seen % capacity : 0;
  const steps: number[] = [];
  for (let i = 1; i < n; i++) {
    const step = Math.abs((state.history[(start + i) % capacity] ?? 0) - (state.history[(start + i - 1) % capacity] ?? 0));
    if (step > 0) steps.push(step);
  }
  state.resolution = steps.length >= RESOLUTION_MIN_STEPS ? median(steps) : 0;
}

/**
 * Fits the strongest autocorrelation peaks and the period in use, and keeps the best if worth it.
 * A new season means new deseasonalised values: every level restarts from their recent median (at
 * least a cycle), or the slow ones would lag behind a change of model as if it were a drift.
 */
function refitSeason(state: SeriesState): void {
  const history = regularHistory(state);
  if (history === null) return;
  const values = winsorised(history.values);
  const prefix = [0];
  for (const v of values) prefix.push((prefix[prefix.length - 1] ?? 0) + v);
  const maxPeriod = Math.floor(values.length / MIN_CYCLES);
  const candidates = candidatePeriods(autocorrelation(values), maxPeriod);
  if (state.period > 0 && state.period <= maxPeriod && !candidates.includes(state.period)) candidates.push(state.period);
  let best: Fit = { period: 0, gain: MIN_SEASONAL_GAIN, profile: [] };
  for (const period of candidates) {
    const fit = fitPeriod(values, history.first, prefix, period);
    if (fit.gain > best.gain) best = fit;
  }
  if (best.period === state.period) return;
  state.period = best.period;
  state.season = best.profile;
  state.noise = best.profile.map(() => 1);
  const recent = values.slice(-Math.max(best.period, RELEVEL_POINTS));
  const settled = median(recent.map((v, i) => v - seasonalAt(state, history.first + values.length - recent.length + i)));
  for (const level of state.levels) level.value = settled;
  state.drift = 0;
}

/**
 * Folds a point into the levels, the season and its noise. Residuals are in local scales (the
 * phase's noise taken out). A level moves by its residual clipped at the noise scale (the best
 * level's), not its own: a slow level's own error grows with a drift, and clipping at it would let
 * the slow level keep up with the very drift it is the reference for.
 */
function foldIn(state: SeriesState, deseasonalised: number, x: number, step: number, local: number): void {
  const warm = state.seen >= SCALE_WARMUP;
  const best = bestLevel(state.levels);
  const noise = scaleOf(state, best, local);
  learnNoise(state, step, (deseasonalised - best.value) / noise, local);
  const errorWeight = state.seen === 0 ? 1 : Math.max(ERROR_ALPHA, 1 / state.seen);
  for (const level of state.levels) {
    const scale = scaleOf(state, level, local);
    const residual = deseasonalised - level.value;
    level.value += Math.max(level.alpha, 1 / (state.seen + 1)) * (warm ? clip(residual, CLIP_Z * noise) : residual);
    const error = state.seen === 0 ? 0 : Math.abs(warm ? clip(residual, CLIP_Z * scale) : residual) / local;
    level.error += errorWeight * (error - level.error);
    level.spread += errorWeight * ((state.seen === 0 ? 0 : Math.min(Math.abs(residual), SPREAD_CLIP_Z * scale) / local) - level.spread);
  }
  if (state.period > 0) {
    const phase = phaseOf(step, state.period);
    const level = bestLevel(state.levels);
    const e = x - level.value - (state.season[phase] ?? 0);
    state.season[phase] = (state.season[phase] ?? 0) + SEASON_ALPHA * clip(e, CLIP_Z * scaleOf(state, level, local));
  }
  state.recent.push(deseasonalised);
  if (state.recent.length > SHIFT_RUN) state.recent.shift();
}

/**
 * Moves this phase's noise towards the point's residual in the levels' scale (|z| times the local
 * noise it was measured in; |z| averages about 1 when the scales are right).
 */
function learnNoise(state: SeriesState, step: number, z: number, local: number): void {
  if (state.period === 0 || state.seen < SCALE_WARMUP) return;
  const phase = phaseOf(step, state.period);
  const current = state.noise[phase] ?? 1;
  state.noise[phase] = current + SEASON_ALPHA * (Math.min(Math.abs(z), CLIP_Z) * local - current);
}

const copyLevels = (levels: readonly Level[]): Level[] => levels.map((l) => ({ ...l }));

/**
 * Counts points beyond SHIFT_Z on one side; SHIFT_RUN of them in a row are a new normal: the levels
 * jump to their median and the old regime is remembered. Called before the point is folded in.
 */
function trackShift(state: SeriesState, zScore: number): void {
  const shift = state.shift;
  const side = Math.abs(zScore) > SHIFT_Z ? Math.sign(zScore) : 0;
  if (side === 0) {
    shift.run = 0;
    return;
  }
  if (side !== Math.sign(shift.run)) {
    shift.run = 0;
    shift.before = copyLevels(state.levels);
  }
  shift.run += side;
}

function acceptShift(state: SeriesState): void {
  const shift = state.shift;
  if (Math.abs(shift.run) < SHIFT_RUN) return;
  shift.previous = shift.before;
  shift.acceptedAt = state.seen;
  const settled = median(state.recent);
  for (const level of state.levels) level.value = settled;
  shift.run = 0;
  state.drift = 0;
}

/** A point back within SHIFT_Z of the regime before a recent shift restores that regime. */
function returnToPrevious(state: SeriesState, deseasonalised: number, local: number): boolean {
  const previous = state.shift.previous;
  if (previous === null || state.seen - state.shift.acceptedAt > REGIME_MEMORY) return false;
  const level = bestLevel(previous);
  if (Math.abs(deseasonalised - level.value) > SHIFT_Z * scaleOf(state, level, local)) return false;
  state.levels = previous;
  state.shift = { run: 0, before: null, previous: null, acceptedAt: 0 };
  state.drift = 0;
  return true;
}

/**
 * The drift with this point: residuals from the slowest level, which lags behind a lasting change,
 * in the best level's scale (the slowest one's own error grows with the very change it lags),
 * clipped so that one spike is not a drift.
 */
function driftOf(state: SeriesState, deseasonalised: number, local: number, floor: number): number {
  const slowest = state.levels[state.levels.length - 1];
  if (slowest === undefined || state.seen === 0) return 0;
  const z = (deseasonalised - slowest.value) / Math.max(floor, scaleOf(state, bestLevel(state.levels), local));
  return state.drift + DRIFT_ALPHA * (clip(z, CLIP_Z) - state.drift);
}

function zOf(state: SeriesState, deseasonalised: number, local: number, floor: number): number {
  const level = bestLevel(state.levels);
  return state.seen === 0 ? 0 : (deseasonalised - level.value) / Math.max(floor, scaleOf(state, level, local));
}

/** The scales are mean absolute deviations: a normal's is this share of its standard deviation. */
const MAD_PER_SD = Math.sqrt(2 / Math.PI);

/** The narrowest scale a point with this sampling variance may be judged on. */
const samplingFloor = (variance: number | undefined): number =>
  variance !== undefined && variance > 0 && Number.isFinite(variance) ? MAD_PER_SD * Math.sqrt(variance) : 0;

const binOf = (z: number): number => Math.min(BINS - 1e-9, Math.max(0, (Math.log10(Math.max(z, Number.MIN_VALUE)) - LOG_Z_MIN) / BIN_WIDTH));

/** A Gaussian's |z| when z is in mean absolute deviations (sd = 1.25), spread over the bins. */
function priorCalibration(): Calibration {
  const gaussianTail = (z: number): number => erfc(z / 1.25 / Math.SQRT2);
  const counts = Array.from({ length: BINS }, (_, i) => {
    const lower = i === 0 ? 0 : 10 ** (LOG_Z_MIN + i * BIN_WIDTH);
    return PRIOR_POINTS * (gaussianTail(lower) - gaussianTail(10 ** (LOG_Z_MIN + (i + 1) * BIN_WIDTH)));
  });
  return { counts, total: PRIOR_POINTS };
}

/** Mass at or beyond bin position `v` (fractional), interpolating inside its bin. */
function massBeyond(counts: readonly number[], v: number): number {
  const b = Math.floor(v);
  let mass = (counts[b] ?? 0) * (1 - (v - b));
  for (let j = b + 1; j < BINS; j++) mass += counts[j] ?? 0;
  return mass;
}

/** The lowest bin position beyond which at most `mass` lies (walking down from the top). */
function positionWithMass(counts: readonly number[], mass: number): number {
  let above = 0;
  for (let j = BINS - 1; j >= 0; j--) {
    const c = counts[j] ?? 0;
    if (above + c >= mass) return j + 1 - (mass - above) / c;
    above += c;
  }
  return 0;
}

/** Mean excess (in bins) of the mass beyond position `v`: how heavy the tail is. */
function tailShape(counts: readonly number[], v: number): number {
  let mass = 0;
  let excess = 0;
  for (let j = Math.ceil(v); j < BINS; j++) {
    mass += counts[j] ?? 0;
    excess += (counts[j] ?? 0) * (j + 0.5 - v);
  }
  return mass > 0 ? (excess / mass) * BIN_WIDTH : 0;
}

/**
 * -log10 of how often this series' |z| is at least this large: read off the decayed histogram
 * while enough points lie beyond, and past that extrapolated as a power law whose exponent
 * comes from the series' own tail (so one threshold means about the same false-alarm rate).
 */
function surprise(calibration: Calibration, z: number): number {
  const { counts, total } = calibration;
  const v = binOf(z);
  const mass = massBeyond(counts, v);
  if (mass >= TAIL_MIN_COUNT) return Math.max(0, -Math.log10(mass / total));
  const anchor = positionWithMass(counts, TAIL_MIN_COUNT);
  const shape = Math.max(MIN_TAIL_SHAPE, tailShape(counts, positionWithMass(counts, SHAPE_SHARE * total)));
  return -Math.log10(TAIL_MIN_COUNT / total) + (Math.max(0, v - anchor) * BIN_WIDTH) / shape;
}

const CALIBRATION_DECAY = 1 - 1 / CALIBRATION_MEMORY;

function calibrate(calibration: Calibration, z: number, surprised: number): void {
  const { counts } = calibration;
  const weight = surprised >= ANOMALY_SURPRISE ? ANOMALY_WEIGHT : 1;
  for (let j = 0; j < BINS; j++) counts[j] = (counts[j] ?? 0) * CALIBRATION_DECAY;
  const b = Math.floor(binOf(z));
  counts[b] = (counts[b] ?? 0) + weight;
  calibration.total = calibration.total * CALIBRATION_DECAY + weight;
}

/**
 * Surprise to [0, 1]: 0.5 at HALF_SCORE_SURPRISE, each further HALF_SCORE_SURPRISE halving the
 * distance to 1 (so 6 decimals still rank surprises up to about 20 times it), 0 for anything not
 * a positive number.
 */
const toScore = (s: number): number => (s > 0 ? 1 - 2 ** (-s / HALF_SCORE_SURPRISE) : 0);

/**
 * Scores a point against the expectation from the points before it, then folds it in. The state
 * is updated in place (copying its buffers for every point would cost more than the scoring) and
 * returned. A non-finite value scores 0 and leaves the state alone.
 */
export function scorePoint(state: SeriesState, point: SeriesPoint | number, options: SeriesOptions = defaultSeriesOptions): SeriesScore {
  const { value, timestamp, variance } = typeof point === 'number' ? { value: point, timestamp: undefined, variance: undefined } : point;
  if (!Number.isFinite(value)) return { state, score: 0, zScore: 0, driftZScore: 0, expected: bestLevel(state.levels).value, anomalous: false };
  const x = clip(value, MAX_MAGNITUDE);
  const step = advanceClock(state.clock, timestamp);
  const deseasonalised = x - seasonalAt(state, step);
  const local = noiseAt(state, step);
  const floor = samplingFloor(variance);
  let zScore = zOf(state, deseasonalised, local, floor);
  if (Math.abs(zScore) > SHIFT_Z && returnToPrevious(state, deseasonalised, local)) zScore = zOf(state, deseasonalised, local, floor);
  const z = Math.abs(zScore);
  const drift = driftOf(state, deseasonalised, local, floor);
  const driftZ = Math.abs(drift) / DRIFT_SHRINK;
  const pointSurprise = surprise(state.calibration.point, z);
  const driftSurprise = surprise(state.calibration.drift, driftZ);
  // A drift is judged against the slowest level, which has not followed it.
  const reference = driftSurprise > pointSurprise ? state.levels[state.levels.length - 1] : undefined;
  const expected = (reference ?? bestLevel(state.levels)).value + seasonalAt(state, step);
  const score = state.seen >= options.warmupWindows ? toScore(Math.max(pointSurprise, driftSurprise)) : 0;
  if (state.seen >= CALIBRATION_WARMUP) {
    calibrate(state.calibration.point, z, pointSurprise);
    calibrate(state.calibration.drift, driftZ, driftSurprise);
  }
  state.drift = drift;
  trackShift(state, zScore);
  foldIn(state, deseasonalised, x, step, local);
  acceptShift(state);
  remember(state, x, step);
  state.seen += 1;
  if (isRefitDue(state.seen)) {
    measureResolution(state);
    refitSeason(state);
  }
  return { state, score, zScore, driftZScore: driftZ, expected, anomalous: score >= ANOMALOUS_SCORE };
}
