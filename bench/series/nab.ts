// Scoring in the manner of the Numenta Anomaly Benchmark: each labelled anomaly gets a window
// (10% of the series' rows shared among its anomalies, centred on the label); the first alarm in a
// window earns a scaled sigmoid of how early it came, every alarm outside one costs a weight that
// shrinks just after a window, and a window without an alarm costs a miss. One threshold serves the
// whole corpus, rows in the probationary first 15% are not scored, and the total is normalised so
// never alarming scores 0 and alarming at the start of every window scores 100.

export interface CostProfile {
  tp: number;
  fp: number;
  fn: number;
}

/** NAB's standard profile. */
export const STANDARD_PROFILE: CostProfile = { tp: 1, fp: 0.11, fn: 1 };

const WINDOW_SHARE = 0.1;
const PROBATION_SHARE = 0.15;
const PROBATION_MAX_ROWS = 750;

export interface ScoredSeries {
  /** One detector score per row. */
  scores: readonly number[];
  /** Row indices of the labelled anomalies. */
  anomalies: readonly number[];
}

/** Scaled sigmoid of a position relative to a window's right edge: 0.987 at -1, 0 at 0, -1 from 3. */
function scaledSigmoid(position: number): number {
  return position >= 3 ? -1 : 2 / (1 + Math.exp(5 * position)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

export function probationRows(length: number): number {
  return Math.min(Math.floor(PROBATION_SHARE * length), PROBATION_MAX_ROWS);
}

/** Inclusive [start, end] rows of each anomaly's window, overlapping windows merged. */
export function anomalyWindows(length: number, anomalies: readonly number[]): [number, number][] {
  if (anomalies.length === 0) return [];
  const half = Math.floor(Math.floor((WINDOW_SHARE * length) / anomalies.length) / 2);
  const windows: [number, number][] = [];
  for (const a of [...anomalies].sort((x, y) => x - y)) {
    const start = Math.max(0, a - half);
    const end = Math.min(length - 1, a + half);
    const last = windows[windows.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else windows.push([start, end]);
  }
  return windows;
}

/** A scored row: what it adds if it alarms, and the window it would detect (-1 for none). */
interface Row {
  score: number;
  weight: number;
  window: number;
}

/** Every row's contribution if it alarms, scored windows numbered from `firstWindow` across the corpus. */
function rowsOf(series: ScoredSeries, firstWindow: number, profile: CostProfile): { rows: Row[]; windows: number } {
  const length = series.scores.length;
  const windows = anomalyWindows(length, series.anomalies);
  const probation = probationRows(length);
  const unscored = windows.filter(([, end]) => end < probation).length;
  const rows: Row[] = [];
  let w = 0;
  let previous: [number, number] | null = null;
  for (let i = probation; i < length; i++) {
    while (w < windows.length && (windows[w]?.[1] ?? 0) < i) previous = windows[w++] ?? null;
    const current = windows[w];
    const score = series.scores[i] ?? 0;
    if (current !== undefined && current[0] <= i) {
      const width = current[1] - current[0] + 1;
      rows.push({ score, weight: (scaledSigmoid(-(current[1] - i + 1) / width) * profile.tp) / MAX_TP, window: firstWindow + w - unscored });
    } else {
      const position = previous === null ? 3 : (i - previous[1]) / Math.max(1, previous[1] - previous[0]);
      rows.push({ score, weight: scaledSigmoid(position) * profile.fp, window: -1 });
    }
  }
  return { rows, windows: windows.length - unscored };
}

export interface CorpusResult {
  threshold: number;
  /** Normalised: 0 never alarms, 100 alarms at the start of every window and nowhere else. */
  score: number;
  raw: number;
  windows: number;
  detected: number;
  falsePositives: number;
}

interface Sweep {
  rows: Row[];
  windows: number;
}

function sweepOf(corpus: readonly ScoredSeries[], profile: CostProfile): Sweep {
  const rows: Row[] = [];
  let windows = 0;
  for (const series of corpus) {
    const scored = rowsOf(series, windows, profile);
    for (const r of scored.rows) rows.push(r);
    windows += scored.windows;
  }
  return { rows, windows };
}

const normalise = (raw: number, windows: number, profile: CostProfile): number =>
  windows === 0 ? 0 : (100 * (raw + profile.fn * windows)) / ((profile.tp + profile.fn) * windows);

/** Alarms at every row scoring at least `threshold`, scored over the whole corpus. */
function scoreSweepAt(sweep: Sweep, threshold: number, profile: CostProfile): CorpusResult {
  const best = new Map<number, number>();
  let fp = 0;
  let falsePositives = 0;
  for (const r of sweep.rows) {
    if (r.score < threshold) continue;
    if (r.window < 0) {
      fp += r.weight;
      falsePositives++;
    } else best.set(r.window, Math.max(best.get(r.window) ?? -Infinity, r.weight));
  }
  let raw = fp - profile.fn * (sweep.windows - best.size);
  for (const weight of best.values()) raw += weight;
  return { threshold, score: normalise(raw, sweep.windows, profile), raw, windows: sweep.windows, detected: best.size, falsePositives };
}

export function scoreCorpusAt(corpus: readonly ScoredSeries[], threshold: number, profile: CostProfile = STANDARD_PROFILE): CorpusResult {
  return scoreSweepAt(sweepOf(corpus, profile), threshold, profile);
}

/**
 * The best single threshold for the corpus, found by lowering it through every distinct score once
 * (rows sorted high to low, each window keeping its best weight so far).
 */
export function bestThreshold(corpus: readonly ScoredSeries[], profile: CostProfile = STANDARD_PROFILE): CorpusResult {
  const sweep = sweepOf(corpus, profile);
  const rows = [...sweep.rows].sort((a, b) => b.score - a.score);
  const best = new Map<number, number>();
  let raw = -profile.fn * sweep.windows;
  let falsePositives = 0;
  let top: CorpusResult = { threshold: Infinity, score: 0, raw, windows: sweep.windows, detected: 0, falsePositives: 0 };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Row;
    if (r.window < 0) {
      raw += r.weight;
      falsePositives++;
    } else {
      const before = best.get(r.window);
      const gain = before === undefined ? r.weight + profile.fn : Math.max(0, r.weight - before);
      raw += gain;
      best.set(r.window, Math.max(before ?? -Infinity, r.weight));
    }
    const nextScore = rows[i + 1]?.score;
    if (nextScore === r.score) continue;
    const score = normalise(raw, sweep.windows, profile);
    if (score > top.score) top = { threshold: r.score, score, raw, windows: sweep.windows, detected: best.size, falsePositives };
  }
  return top;
}
