// Labelled single-metric series for the streaming scorer's benchmark: the shapes operational
// telemetry takes (counts, sparse error counts, success rates, latencies, utilisation, constants)
// with daily-like cycles of several periods, heavy-tailed noise and gaps, and anomalies injected
// at known rows. Each anomaly is labelled at its onset, as public corpora label them.
import { createPrng, type Prng } from '../prng';

export type SeriesKind = 'count' | 'sparse_count' | 'rate' | 'latency' | 'utilisation' | 'constant';
export type AnomalyKind = 'spike' | 'dip' | 'shift' | 'drift' | 'zeros' | 'noise_burst';

export interface LabelledSeries {
  name: string;
  kind: SeriesKind;
  /** Rows per cycle, 0 for none; a weekly pattern rides on a daily one 7 cycles long. */
  period: number;
  /** Epoch milliseconds, increasing, with occasional gaps. */
  timestamps: number[];
  values: number[];
  /** Row indices of anomaly onsets, increasing. */
  anomalies: number[];
  anomalyKinds: AnomalyKind[];
}

const KINDS: readonly SeriesKind[] = ['count', 'sparse_count', 'rate', 'latency', 'utilisation', 'constant'];
const PERIODS = [24, 96, 168, 288] as const;
const INTERVALS_SECONDS = [60, 300, 600, 3600] as const;
const START_MS = Date.UTC(2025, 0, 1);
/** Anomalies start after the part a benchmark ignores while a detector learns (15% of the rows). */
const FIRST_ANOMALY_SHARE = 0.2;

const pick = <T>(prng: Prng, items: readonly T[]): T => items[Math.floor(prng.next() * items.length)] as T;
const uniform = (prng: Prng, lo: number, hi: number): number => lo + (hi - lo) * prng.next();
const logUniform = (prng: Prng, lo: number, hi: number): number => Math.exp(uniform(prng, Math.log(lo), Math.log(hi)));
const intBetween = (prng: Prng, lo: number, hi: number): number => Math.floor(uniform(prng, lo, hi + 1));

/** Student-t with `dof` degrees of freedom: the heavy tails of real telemetry noise. */
function studentT(prng: Prng, dof: number): number {
  let chi2 = 0;
  for (let i = 0; i < dof; i++) chi2 += prng.normal() ** 2;
  return prng.normal() / Math.sqrt(chi2 / dof);
}

function poisson(prng: Prng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * prng.normal()));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = prng.next(); p > limit; p *= prng.next()) k++;
  return k;
}

/**
 * A cycle of one period, sometimes with a second one (7 times longer, like a week over days), as a
 * zero-mean shape of roughly unit amplitude; business-hours bumps as well as smooth waves.
 */
function seasonality(prng: Prng, length: number): { period: number; shape: number[] } {
  if (prng.next() < 0.25) return { period: 0, shape: new Array<number>(length).fill(0) };
  const period = pick(prng, PERIODS);
  const weekly = period === 24 && prng.next() < 0.5;
  const phase = uniform(prng, 0, 2 * Math.PI);
  const sharpness = pick(prng, [1, 1, 3]);
  const out: number[] = [];
  for (let t = 0; t < length; t++) {
    const angle = (2 * Math.PI * t) / period + phase;
    const wave = sharpness === 1 ? Math.sin(angle) + 0.3 * Math.sin(2 * angle) : 2 * Math.exp(sharpness * (Math.cos(angle) - 1)) - 0.5;
    const week = weekly && Math.floor(t / period) % 7 >= 5 ? -0.5 : 0;
    out.push(wave + week);
  }
  return { period: weekly ? 7 * period : period, shape: out };
}

/** How one kind of metric looks: its expected value from a cycle, and noise around it. */
interface Model {
  expected(season: number): number;
  observe(expected: number, season: number): number;
  /** Typical noise, the unit of anomaly sizes. */
  sigma: number;
  lower: number;
  upper: number;
}

function countModel(prng: Prng): Model {
  const base = logUniform(prng, 5, 3000);
  const amplitude = uniform(prng, 0.2, 0.8);
  const overdispersion = uniform(prng, 0, 0.1);
  return {
    expected: (s) => base * Math.exp(amplitude * s),
    observe: (m) => poisson(prng, m * Math.exp(overdispersion * prng.normal())),
    sigma: Math.sqrt(base) + overdispersion * base,
    lower: 0,
    upper: Infinity,
  };
}

function sparseCountModel(prng: Prng): Model {
  const base = logUniform(prng, 0.05, 2);
  const amplitude = uniform(prng, 0.5, 1.5);
  return { expected: (s) => base * Math.exp(amplitude * s), observe: (m) => poisson(prng, m), sigma: Math.max(1, Math.sqrt(base)), lower: 0, upper: Infinity };
}

function rateModel(prng: Prng): Model {
  const success = uniform(prng, 0.8, 0.99);
  const volume = logUniform(prng, 50, 5000);
  const dip = uniform(prng, 0, 0.03);
  return {
    expected: (s) => Math.min(0.999, success - dip * s),
    observe: (p, s) => {
      const n = Math.max(1, poisson(prng, volume * Math.exp(0.6 * s)));
      return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * prng.normal()))) / n;
    },
    sigma: Math.sqrt((success * (1 - success)) / volume),
    lower: 0,
    upper: 1,
  };
}

function latencyModel(prng: Prng): Model {
  const median = logUniform(prng, 20, 2000);
  const amplitude = uniform(prng, 0, 0.3);
  const spread = uniform(prng, 0.03, 0.25);
  const dof = pick(prng, [2, 3, 5]);
  return {
    expected: (s) => median * (1 + amplitude * s),
    observe: (m) => m * Math.exp(spread * Math.max(-8, Math.min(8, studentT(prng, dof)))),
    sigma: median * spread,
    lower: 1,
    upper: Infinity,
  };
}

/** CPU-like utilisation: a persistent AR(1) wander with heavy-tailed shocks, in [0, 100]. */
function utilisationModel(prng: Prng): Model {
  const level = uniform(prng, 5, 70);
  const amplitude = uniform(prng, 0, 15);
  const shock = uniform(prng, 0.3, 4);
  const persistence = uniform(prng, 0, 0.9);
  const dof = pick(prng, [3, 5, 30]);
  let wander = 0;
  return {
    expected: (s) => level + amplitude * s,
    observe: (m) => {
      wander = persistence * wander + shock * studentT(prng, dof);
      return Math.min(100, Math.max(0, m + wander));
    },
    sigma: shock / Math.sqrt(1 - persistence * persistence),
    lower: 0,
    upper: 100,
  };
}

function constantModel(prng: Prng): Model {
  const value = pick(prng, [0, 1, 42.5, 1e6, -3]);
  return { expected: () => value, observe: (m) => m, sigma: Math.max(1, Math.abs(value) * 0.05), lower: -Infinity, upper: Infinity };
}

const MODELS: Record<SeriesKind, (prng: Prng) => Model> = {
  count: countModel,
  sparse_count: sparseCountModel,
  rate: rateModel,
  latency: latencyModel,
  utilisation: utilisationModel,
  constant: constantModel,
};

/** Anomalies that suit a kind: a rate does not burst its noise, a constant does not drift. */
const ANOMALIES: Record<SeriesKind, readonly AnomalyKind[]> = {
  count: ['spike', 'dip', 'shift', 'drift', 'zeros'],
  sparse_count: ['spike', 'shift'],
  rate: ['dip', 'shift', 'drift', 'zeros'],
  latency: ['spike', 'shift', 'drift', 'noise_burst'],
  utilisation: ['spike', 'dip', 'shift', 'drift', 'noise_burst'],
  constant: ['spike', 'shift'],
};

/** A lasting fall covers at most this share of the way down to the metric's floor. */
const LASTING_REACH = 0.8;

/** Failures show in a success rate as falls and in sparse error counts as bursts. */
const DIRECTION: Partial<Record<SeriesKind, number>> = { rate: -1, sparse_count: 1 };

/**
 * Per-row changes an anomaly makes: added to the expectation (in sigmas) briefly or for good (a
 * lasting change never takes more than most of the way to the metric's floor), noise scale, zero.
 */
interface Effects {
  offset: number[];
  lasting: number[];
  noise: number[];
  zero: boolean[];
}

function applyAnomaly(prng: Prng, kind: AnomalyKind, at: number, length: number, effects: Effects, direction: number): void {
  const until = (lo: number, hi: number): number => Math.min(length, at + intBetween(prng, lo, hi));
  switch (kind) {
    case 'spike':
    case 'dip': {
      const size = logUniform(prng, 5, 25) * (kind === 'spike' ? 1 : -1);
      const end = until(1, 4);
      for (let t = at; t < end; t++) effects.offset[t] = (effects.offset[t] ?? 0) + size;
      return;
    }
    case 'shift': {
      const size = logUniform(prng, 4, 15) * direction;
      for (let t = at; t < length; t++) effects.lasting[t] = (effects.lasting[t] ?? 0) + size;
      return;
    }
    case 'drift': {
      const size = logUniform(prng, 8, 25) * direction;
      const rows = intBetween(prng, 30, 400);
      for (let t = at; t < length; t++) effects.lasting[t] = (effects.lasting[t] ?? 0) + size * Math.min(1, (t - at + 1) / rows);
      return;
    }
    case 'zeros': {
      const end = until(5, 120);
      for (let t = at; t < end; t++) effects.zero[t] = true;
      return;
    }
    case 'noise_burst': {
      const end = until(10, 80);
      for (let t = at; t < end; t++) effects.noise[t] = 5;
    }
  }
}

/** Onsets spread over the scored part, at least a benchmark window apart. */
function onsets(prng: Prng, length: number): number[] {
  const count = pick(prng, [0, 1, 1, 1, 2, 2, 3]);
  if (count === 0) return [];
  const first = Math.ceil(FIRST_ANOMALY_SHARE * length);
  const slot = Math.floor((length - first) / count);
  return Array.from({ length: count }, (_, i) => first + i * slot + intBetween(prng, Math.floor(slot * 0.1), Math.floor(slot * 0.7)));
}

/** Rows around an onset are never dropped, so a short spike cannot vanish into a gap. */
const ONSET_GUARD = 5;

/** Drops short runs of rows (a feed's lost samples): the timestamps keep the gap. */
function keptRows(prng: Prng, length: number, onsets: readonly number[]): number[] {
  const gappy = prng.next() < 0.2;
  const guarded = (t: number, skip: number): boolean => onsets.some((a) => t + skip >= a - ONSET_GUARD && t <= a + ONSET_GUARD);
  const kept: number[] = [];
  for (let t = 0; t < length; t++) {
    const skip = intBetween(prng, 1, 20);
    if (gappy && prng.next() < 0.003 && !guarded(t, skip)) t += skip;
    if (t < length) kept.push(t);
  }
  return kept;
}

function generateOne(prng: Prng, name: string, kind: SeriesKind): LabelledSeries {
  const length = intBetween(prng, 1000, 6000);
  const model = MODELS[kind](prng);
  const { period, shape: season } = kind === 'constant' ? { period: 0, shape: new Array<number>(length).fill(0) } : seasonality(prng, length);
  const effects: Effects = {
    offset: new Array<number>(length).fill(0),
    lasting: new Array<number>(length).fill(0),
    noise: new Array<number>(length).fill(1),
    zero: new Array<boolean>(length).fill(false),
  };
  const at = onsets(prng, length);
  const kinds = at.map(() => pick(prng, ANOMALIES[kind]));
  kinds.forEach((k, i) => applyAnomaly(prng, k, at[i] ?? 0, length, effects, DIRECTION[kind] ?? (prng.next() < 0.5 ? -1 : 1)));
  const clean = season.map((s) => model.expected(s));
  const values = clean.map((m, t) => {
    const lasting = Math.max((effects.lasting[t] ?? 0) * model.sigma, LASTING_REACH * (model.lower - m));
    const shifted = Math.min(model.upper, Math.max(model.lower, m + lasting + (effects.offset[t] ?? 0) * model.sigma));
    const noisy = shifted + ((effects.noise[t] ?? 1) - 1) * model.sigma * prng.normal();
    return effects.zero[t] ? 0 : Math.min(model.upper, Math.max(model.lower, model.observe(noisy, season[t] ?? 0)));
  });
  const interval = pick(prng, INTERVALS_SECONDS) * 1000;
  const rows = keptRows(prng, length, at);
  const labelRow = (t: number): number => {
    const row = rows.findIndex((r) => r >= t);
    return row < 0 ? rows.length - 1 : row;
  };
  return {
    name,
    kind,
    period,
    timestamps: rows.map((r) => START_MS + r * interval),
    values: rows.map((r) => values[r] ?? 0),
    anomalies: at.map(labelRow),
    anomalyKinds: kinds,
  };
}

/** `count` series from one seed, cycling through the kinds so every seed covers all of them. */
export function generateSeriesCorpus(seed: number, count: number): LabelledSeries[] {
  const prng = createPrng(seed);
  return Array.from({ length: count }, (_, i) => {
    const kind = KINDS[i % KINDS.length] as SeriesKind;
    return generateOne(prng, `s${seed}-${String(i).padStart(2, '0')}-${kind}`, kind);
  });
}
