// Stage 2: judge every dimension of the window against its own baseline and report findings.
import type { AgentConfig } from './config';
import {
  BASELINE,
  emptyBaseline,
  isAnomalous,
  isWarm,
  relativeChangeOf,
  seenIn,
  updateBaseline,
  varianceInflation,
  zScoreOf,
  type Direction,
} from './baseline';
import { foldSeason, seasonalExpectation, type Season } from './seasonal';
import { retryRate, successRate } from './metrics';
import { copySeriesState, scorePoint } from './series';
import { normalUpperTail, poissonLowerTail } from './tails';
import { SYSTEM_TARGET, targetOf } from './targets';
import type {
  Baselines,
  DimensionBaseline,
  DimensionMetrics,
  MetricName,
  Pattern,
  PatternDimension,
  PatternType,
  Pool,
  SystemSeries,
  WindowMetrics,
} from './types';

type Level = 'system' | 'issuer' | 'method' | 'cell' | 'gateway';

interface MetricRule {
  metric: MetricName;
  direction: Direction;
  value(m: DimensionMetrics): number;
  mean(b: DimensionBaseline): number;
  /** The hours-long reference a drift is judged against, where the metric keeps one (undefined in a baseline saved before it). */
  slowMean?(b: DimensionBaseline): number | undefined;
  variance(b: DimensionBaseline): number;
  minRelativeChange(config: AgentConfig): number;
  /** Sampling variance of the observed value from the window's own sample. */
  samplingVariance(mean: number, observed: number, metrics: DimensionMetrics): number;
  patternType(level: Level): PatternType;
}

const bernoulli = (p: number): number => {
  const q = Math.min(1, Math.max(0, p));
  return q * (1 - q);
};

/**
 * Binomial variance at the baseline or at the observed rate, whichever is wider. Counts of rare
 * events (failures, retries) in small samples have heavier upper tails than the normal curve;
 * judging at the observed rate as well keeps a cell with 8 failures out of 60 from passing as 4 sigma.
 */
const binomialVariance = (mean: number, observed: number, metrics: DimensionMetrics): number => Math.max(bernoulli(mean), bernoulli(observed)) / metrics.volume;

/**
 * Sampling variance of a p95 from n latencies. For a normal sample the 95th percentile's standard
 * error is sqrt(0.95·0.05/n)/φ(1.645) x sd ≈ 1.28 (p95 − mean)/√n; latencies have heavier tails,
 * so the factor is rounded up. Without it a 12-payment cell's p95 passed for exact and paged.
 */
const P95_STANDARD_ERROR_FACTOR = 2;
const quantileVariance = (_mean: number, _observed: number, m: DimensionMetrics): number => {
  const spread = P95_STANDARD_ERROR_FACTOR * Math.max(0, m.latencyP95Ms - m.latencyMeanMs);
  return m.volume > 0 ? (spread * spread) / m.volume : 0;
};

const SUCCESS_TYPES: Record<Level, PatternType> = {
  system: 'SYSTEM_DEGRADATION',
  issuer: 'ISSUER_DEGRADATION',
  cell: 'ISSUER_DEGRADATION',
  method: 'METHOD_FATIGUE',
  gateway: 'GATEWAY_DEGRADATION',
};

const SUCCESS_RULE: MetricRule = {
  metric: 'successRate',
  direction: -1,
  value: successRate,
  mean: (b) => b[BASELINE.successRateMean],
  variance: (b) => b[BASELINE.successRateVariance],
  minRelativeChange: (c) => c.minRelativeChange,
  samplingVariance: binomialVariance,
  patternType: (level) => SUCCESS_TYPES[level],
};

const RULES: readonly MetricRule[] = [
  SUCCESS_RULE,
  {
    metric: 'retryRate',
    direction: 1,
    value: retryRate,
    mean: (b) => b[BASELINE.retryRateMean],
    variance: (b) => b[BASELINE.retryRateVariance],
    minRelativeChange: (c) => c.retryMinRelativeRise,
    samplingVariance: binomialVariance,
    patternType: () => 'RETRY_STORM',
  },
  {
    metric: 'latencyP95Ms',
    direction: 1,
    value: (m) => m.latencyP95Ms,
    mean: (b) => b[BASELINE.latencyP95MsMean],
    slowMean: (b) => b[BASELINE.latencyP95MsSlowMean],
    variance: (b) => b[BASELINE.latencyP95MsVariance],
    minRelativeChange: (c) => c.latencyMinRelativeRise,
    samplingVariance: quantileVariance,
    patternType: () => 'LATENCY_SPIKE',
  },
];

const DIMENSION_OF: Record<Level, PatternDimension> = {
  system: 'system',
  issuer: 'issuer',
  cell: 'issuer',
  method: 'method',
  gateway: 'gateway',
};

const NO_PATTERNS: readonly Pattern[] = [];

/** The wider scopes of a dimension, named on demand. */
type Parents = () => readonly string[];
const NO_PARENTS: Parents = () => [];

/** An anomalous score; a quiet one is never built (this runs three times per dimension per window). */
interface MetricScore {
  observed: number;
  mean: number;
  zScore: number;
  relativeChange: number;
}

/**
 * Scores `metrics` against `mean` (the baseline's own, or one adjusted for this window's mix): the
 * score when anomalous, else null. `inflation` is the baseline's varianceInflation.
 */
function scoreAgainst(
  rule: MetricRule,
  metrics: DimensionMetrics,
  baseline: DimensionBaseline,
  mean: number,
  inflation: number,
  config: AgentConfig,
): MetricScore | null {
  const observed = rule.value(metrics);
  const relativeChange = relativeChangeOf(mean, observed, rule.direction);
  // Immaterial changes are cleared before the variance is asked for.
  if (relativeChange < rule.minRelativeChange(config)) return null;
  const sampling = rule.samplingVariance(mean, observed, metrics);
  const volumeRatio = baseline[BASELINE.volumeMean] / metrics.volume;
  const zScore = zScoreOf(mean, rule.variance(baseline) * inflation, observed, rule.direction, volumeRatio, sampling, config);
  return isAnomalous(zScore, relativeChange, rule.minRelativeChange(config), config) ? { observed, mean, zScore, relativeChange } : null;
}

const scoreMetric = (rule: MetricRule, metrics: DimensionMetrics, baseline: DimensionBaseline, config: AgentConfig): MetricScore | null =>
  scoreAgainst(rule, metrics, baseline, rule.mean(baseline), varianceInflation(baseline[BASELINE.windows], config), config);

/**
 * The success rates expected of a dimension given this window's mix of its cells: each cell at its
 * own baseline (fast and slow), weighted by its volume now; cells without a warm baseline at the
 * dimension's own. A campaign that multiplies a low-success method's volume lowers the aggregate
 * with nothing failing; judged against this, it raises no finding.
 */
export interface Expected {
  fast: number;
  slow: number;
}

/** A dimension's cells summed once per window: their volume, the part with warm baselines, and those baselines volume-weighted. */
export interface MixSums {
  volume: number;
  known: number;
  fast: number;
  slow: number;
}

const emptySums = (): MixSums => ({ volume: 0, known: 0, fast: 0, slow: 0 });

function addCell(into: MixSums, m: DimensionMetrics, b: DimensionBaseline | undefined, config: AgentConfig): void {
  into.volume += m.volume;
  if (!isWarm(b, config)) return;
  into.known += m.volume;
  into.fast += m.volume * b[BASELINE.successRateMean];
  into.slow += m.volume * b[BASELINE.successRateSlowMean];
}

function mixExpectation(sums: MixSums, own: Expected): Expected {
  const { volume, known, fast, slow } = sums;
  return volume > 0 ? { fast: (fast + (volume - known) * own.fast) / volume, slow: (slow + (volume - known) * own.slow) / volume } : own;
}

/**
 * A finding against the slow reference: a level that has drifted away from where it was hours ago,
 * which the fast baseline follows. What is judged is the fast mean itself (its spread is the window
 * spread times α/(2−α)), so one noisy window cannot raise it, and the window must be past the
 * reference too; both by half the rule's material change. Success's reference moves with the mix
 * like its fast mean; latency's is its own.
 */
function driftScore(rule: MetricRule, metrics: DimensionMetrics, baseline: DimensionBaseline, expected: Expected, config: AgentConfig): MetricScore | null {
  const reference = expected.slow;
  const observed = rule.value(metrics);
  const relativeChange = relativeChangeOf(reference, observed, rule.direction);
  const drift = rule.minRelativeChange(config) / 2;
  if (relativeChangeOf(reference, expected.fast, rule.direction) < drift || relativeChange < drift) return null;
  const meanVariance = (rule.variance(baseline) * config.ewmaAlpha) / (2 - config.ewmaAlpha);
  const zScore = zScoreOf(reference, meanVariance, expected.fast, rule.direction, 1, 0, config);
  return zScore >= config.anomalyThreshold ? { observed, mean: reference, zScore, relativeChange } : null;
}

const ownExpectation = (b: DimensionBaseline): Expected => ({ fast: b[BASELINE.successRateMean], slow: b[BASELINE.successRateSlowMean] });

const judgeable = (metrics: DimensionMetrics, baseline: DimensionBaseline | undefined, config: AgentConfig): baseline is DimensionBaseline =>
  metrics.volume >= config.minVolume && isWarm(baseline, config);

/** Whether a dimension's success rate is down by the detector's own rule (other stages ask this of cells). */
export function successDropped(metrics: DimensionMetrics, baseline: DimensionBaseline | undefined, config: AgentConfig): boolean | null {
  if (!judgeable(metrics, baseline, config)) return null;
  return (
    scoreMetric(SUCCESS_RULE, metrics, baseline, config) !== null || driftScore(SUCCESS_RULE, metrics, baseline, ownExpectation(baseline), config) !== null
  );
}

const patternOf = (type: PatternType, level: Level, target: string, metric: MetricName, score: MetricScore, volume: number, cycleNumber: number): Pattern => ({
  type,
  dimension: DIMENSION_OF[level],
  target,
  metric,
  zScore: score.zScore,
  observed: score.observed,
  baseline: score.mean,
  relativeChange: score.relativeChange,
  severity: Math.min(1, score.relativeChange),
  volume,
  cycleNumber,
});

/**
 * The findings on one dimension; none while the baseline warms up or the volume is below the floor.
 * Success is judged against the expectation for this window's mix, then against the slow reference;
 * latency against its fast mean, then its own slow reference.
 */
function judgeDimension(
  level: Level,
  target: string,
  metrics: DimensionMetrics,
  baseline: DimensionBaseline | undefined,
  cycleNumber: number,
  config: AgentConfig,
  mix?: MixSums,
): readonly Pattern[] {
  if (!judgeable(metrics, baseline, config)) return NO_PATTERNS;
  let found: Pattern[] | null = null;
  const inflation = varianceInflation(baseline[BASELINE.windows], config);
  for (const rule of RULES) {
    let score: MetricScore | null;
    if (rule === SUCCESS_RULE) {
      const own = ownExpectation(baseline);
      const expected = mix ? mixExpectation(mix, own) : own;
      score = scoreAgainst(rule, metrics, baseline, expected.fast, inflation, config) ?? driftScore(rule, metrics, baseline, expected, config);
    } else {
      const slow = rule.slowMean?.(baseline);
      score =
        scoreAgainst(rule, metrics, baseline, rule.mean(baseline), inflation, config) ??
        (slow === undefined ? null : driftScore(rule, metrics, baseline, { fast: rule.mean(baseline), slow }, config));
    }
    if (!score) continue;
    found ??= [];
    found.push(patternOf(rule.patternType(level), level, target, rule.metric, score, metrics.volume, cycleNumber));
  }
  return found ?? NO_PATTERNS;
}

/** Sums two windows' aggregates; the p95 of the sum is the volume-weighted p95s (no percentile can be merged exactly). */
export function mergeMetrics(a: DimensionMetrics, b: DimensionMetrics): DimensionMetrics {
  const volume = a.volume + b.volume;
  const weighted = (x: number, y: number): number => (volume > 0 ? (x * a.volume + y * b.volume) / volume : 0);
  const add = (x: Record<string, number>, y: Record<string, number>): Record<string, number> => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    volume,
    successes: a.successes + b.successes,
    latencyMeanMs: weighted(a.latencyMeanMs, b.latencyMeanMs),
    latencyP95Ms: weighted(a.latencyP95Ms, b.latencyP95Ms),
    retries: a.retries + b.retries,
    retrySuccesses: a.retrySuccesses + b.retrySuccesses,
    amountMinorSum: a.amountMinorSum + b.amountMinorSum,
    errorCodeCounts: add(a.errorCodeCounts, b.errorCodeCounts),
    amountMinorByCurrency: add(a.amountMinorByCurrency, b.amountMinorByCurrency),
  };
}

export interface DetectResult {
  patterns: Pattern[];
  baselines: Baselines;
  /** Consecutive anomalous windows per `${metric}|${target}`, for findings awaiting confirmation. */
  streaks: Record<string, number>;
  pools: Record<string, Pool>;
  /** Thin targets judged this window on a pool that filled: beside those with `minVolume` attempts, the ones that can show recovery. */
  pooledJudged: Set<string>;
  seasons: Record<string, Season>;
  series: SystemSeries;
  /** What the general scorer read and made of each system-wide series it scored this window. */
  readings: Partial<Record<MetricName, SeriesReading>>;
}

export interface SeriesReading {
  /** The value scored: attempts net of the agent's moves, success net of the mix, latency and retries as they are. */
  value: number;
  variance: number;
  expected: number;
  score: number;
  zScore: number;
}

export interface DetectInput {
  baselines: Baselines;
  streaks: Record<string, number>;
  /** Targets with an open incident: their baselines stay frozen and their findings need no confirmation. */
  frozenTargets: ReadonlySet<string>;
  pools: Record<string, Pool>;
  /** Share of a target's payments the directives in force send elsewhere: the agent's own moves are not a drop. */
  movedAway: (target: string) => number;
  seasons: Record<string, Season>;
  series: SystemSeries;
}

/**
 * A dimension's attempts far below what it usually carries, net of what the directives in force
 * moved away: a feed that stalled, or an upstream that stopped sending. Counts are Poisson. What it
 * usually carries is the lower of its recent level and its seasonal expectation (`seasonal`, null
 * without one): a fall the week or the day always has here is not a drop, nor is a level that
 * was a one-off the same time last week.
 */
function trafficDrop(
  level: Level,
  target: string,
  volume: number,
  baseline: DimensionBaseline | undefined,
  seasonal: number | null,
  movedAway: (target: string) => number,
  cycleNumber: number,
  config: AgentConfig,
): Pattern | null {
  if (!isWarm(baseline, config)) return null;
  const recent = baseline[BASELINE.volumeMean];
  const usual = seasonal === null ? recent : Math.min(recent, seasonal);
  // Moves only lower the expectation, so most dimensions are cleared before asking what moved.
  if (volume >= usual * (1 - config.trafficDropMinShare)) return null;
  const expected = usual * (1 - movedAway(target));
  if (volume >= expected * (1 - config.trafficDropMinShare)) return null;
  const zScore = (expected - volume) / Math.sqrt(expected);
  // Under `minVolume` expected the normal curve understates how rare a near-empty window is (a 1%
  // bank's 15 attempts gone is 1 in 3 million, not z 3.9): the count's exact Poisson tail decides.
  const rare =
    expected >= config.minVolume ? zScore >= config.anomalyThreshold : poissonLowerTail(volume, expected) <= normalUpperTail(config.anomalyThreshold);
  if (!rare) return null;
  const relativeChange = (expected - volume) / expected;
  return patternOf('TRAFFIC_DROP', level, target, 'volume', { zScore, observed: volume, mean: expected, relativeChange }, volume, cycleNumber);
}

/** A system-wide series' value as scored, its sampling variance, and the way back to the window's own terms for a finding. */
interface SeriesInput {
  value: number;
  variance: number;
  raw(scored: number): number;
}

/** Which way is bad for each system-wide series, and how large a change must be to matter. */
function seriesRule(metric: MetricName): { direction: Direction; minRelativeChange(config: AgentConfig): number; type: PatternType } {
  const rule = RULES.find((r) => r.metric === metric);
  if (rule) return { direction: rule.direction, minRelativeChange: (c) => rule.minRelativeChange(c), type: rule.patternType('system') };
  return { direction: -1, minRelativeChange: (c) => c.trafficDropMinShare, type: 'TRAFFIC_DROP' };
}

/**
 * The system-wide series read for the general scorer, each with the sampling variance the rules
 * give it: attempts net of what the directives in force turned away (Poisson), and in a window with
 * `minVolume` attempts the rates and p95, the success rate net of this window's mix once the
 * system's baseline is warm. Neither the agent's own moves nor a campaign's mix are news to it.
 */
function systemSeriesInputs(
  m: DimensionMetrics,
  baseline: DimensionBaseline,
  mix: MixSums | undefined,
  kept: number,
  config: AgentConfig,
): Partial<Record<MetricName, SeriesInput>> {
  const inputs: Partial<Record<MetricName, SeriesInput>> = { volume: { value: m.volume / kept, variance: m.volume / (kept * kept), raw: (x) => x * kept } };
  if (m.volume < config.minVolume) return inputs;
  const own = ownExpectation(baseline);
  const mixEffect = isWarm(baseline, config) && mix ? mixExpectation(mix, own).fast - own.fast : 0;
  for (const rule of RULES) {
    const offset = rule === SUCCESS_RULE ? mixEffect : 0;
    const observed = rule.value(m);
    inputs[rule.metric] = { value: observed - offset, variance: rule.samplingVariance(rule.mean(baseline), observed, m), raw: (x) => x + offset };
  }
  return inputs;
}

/**
 * Scores each system-wide series with the general streaming scorer, the very one the detect CLI
 * runs (series.ts): it learns whatever period the series' history shows and accepts a lasting shift
 * as a new normal, which the per-dimension rules, built for thousands of thin dimensions, do not. A
 * finding is a surprise in the bad direction that is also material by the rules' minimum change.
 * The states are copied before scoring, so the input state is left as it was.
 */
function scoreSystemSeries(
  previous: SystemSeries,
  inputs: Partial<Record<MetricName, SeriesInput>>,
  at: number,
  config: AgentConfig,
): { series: SystemSeries; readings: Partial<Record<MetricName, SeriesReading>>; findings: { metric: MetricName; score: MetricScore }[] } {
  const series = { ...previous };
  const readings: Partial<Record<MetricName, SeriesReading>> = {};
  const findings: { metric: MetricName; score: MetricScore }[] = [];
  for (const [metric, input] of Object.entries(inputs) as [MetricName, SeriesInput][]) {
    const scored = scorePoint(copySeriesState(previous[metric]), { value: input.value, timestamp: at, variance: input.variance });
    series[metric] = scored.state;
    readings[metric] = { value: input.value, variance: input.variance, expected: scored.expected, score: scored.score, zScore: scored.zScore };
    if (!scored.anomalous) continue;
    // The bad direction is judged against what the point was judged against (the slow level for a drift).
    const rule = seriesRule(metric);
    const observed = input.raw(input.value);
    const mean = input.raw(scored.expected);
    const relativeChange = relativeChangeOf(mean, observed, rule.direction);
    if (relativeChange < rule.minRelativeChange(config)) continue;
    findings.push({ metric, score: { observed, mean, zScore: Math.max(Math.abs(scored.zScore), scored.driftZScore), relativeChange } });
  }
  return { series, readings, findings };
}

/** Every aggregate dimension's cell sums, from one pass over the window's finest cells. */
function mixSumsOf(metrics: WindowMetrics, baselines: Baselines, config: AgentConfig): Map<string, MixSums> {
  const sums = new Map<string, MixSums>();
  const slot = (target: string): MixSums => {
    let s = sums.get(target);
    if (!s) {
      s = emptySums();
      sums.set(target, s);
    }
    return s;
  };
  const system = slot(SYSTEM_TARGET);
  // Methods by name first: a target string per cell would cost as much as the sums themselves.
  const methods = new Map<string, MixSums>();
  for (const [issuer, row] of Object.entries(metrics.issuerMethods)) {
    const issuerSums = slot(targetOf({ issuer }));
    const issuerBaselines = baselines.issuerMethods[issuer];
    for (const method in row) {
      const m = row[method] as DimensionMetrics;
      const b = issuerBaselines?.[method];
      addCell(system, m, b, config);
      addCell(issuerSums, m, b, config);
      let methodSums = methods.get(method);
      if (!methodSums) {
        methodSums = emptySums();
        methods.set(method, methodSums);
      }
      addCell(methodSums, m, b, config);
    }
  }
  for (const [method, methodSums] of methods) sums.set(targetOf({ method }), methodSums);
  for (const [gateway, rows] of Object.entries(metrics.gatewayCells)) {
    const gatewaySums = slot(targetOf({ gateway }));
    for (const [issuer, row] of Object.entries(rows)) {
      const pathSums = slot(targetOf({ gateway, issuer }));
      for (const [method, m] of Object.entries(row)) {
        const b = baselines.gatewayCells[gateway]?.[issuer]?.[method];
        addCell(gatewaySums, m, b, config);
        addCell(pathSums, m, b, config);
        addCell(slot(targetOf({ gateway, method })), m, b, config);
      }
    }
  }
  return sums;
}

/**
 * Judges the window, then folds it into the baselines. A baseline never includes the window it
 * judges, and stays frozen on a target with a finding or an open incident, so a long outage is
 * still measured against healthy behaviour (until the incident is closed as a shift, see
 * incidents). A finding below `immediateZScore` is reported once it has held for `confirmWindows`
 * windows: a healthy stream's one-window dips do not repeat, real degradations do. A narrower
 * scope reports only what its wider ones do not already show. A dimension too thin to judge pools
 * its windows (up to `maxPoolWindows`) until they are enough: a small bank at night is judged on a
 * few minutes together rather than never.
 */
export function detect(metrics: WindowMetrics, input: DetectInput, cycleNumber: number, config: AgentConfig): DetectResult {
  const { baselines, frozenTargets } = input;
  const patterns: Pattern[] = [];
  const streaks: Record<string, number> = {};
  const pools: Record<string, Pool> = {};
  const pooledJudged = new Set<string>();
  const flagged = new Set<string>();
  const mixSums = mixSumsOf(metrics, baselines, config);
  const seasons: Record<string, Season> = {};
  // Profiles are kept above the floor and dropped below half of it, so a dimension near it does not churn.
  const seasonFloor = Math.max(config.seasonalMinVolume, config.seasonalMinShare * baselines.system[BASELINE.volumeMean]);
  // Parents are named only when a finding needs them: most dimensions of most windows have none.
  const report = (pattern: Pattern, parents: Parents): void => {
    const key = `${pattern.metric}|${pattern.target}`;
    const streak = (input.streaks[key] ?? 0) + 1;
    streaks[key] = streak;
    flagged.add(key);
    const confirmed = pattern.zScore >= config.immediateZScore || streak >= config.confirmWindows || frozenTargets.has(pattern.target);
    const redundant = parents !== NO_PARENTS && parents().some((parent) => flagged.has(`${pattern.metric}|${parent}`));
    if (confirmed && !redundant) patterns.push(pattern);
  };
  const visit = (
    level: Level,
    target: string,
    m: DimensionMetrics,
    previous: DimensionBaseline | undefined,
    parents: Parents,
    aggregate = false,
  ): DimensionBaseline | undefined => {
    const frozen = frozenTargets.size > 0 && frozenTargets.has(target);
    let drop: Pattern | null = null;
    if (level !== 'cell') {
      const season = input.seasons[target];
      drop = trafficDrop(level, target, m.volume, previous, seasonalExpectation(season, metrics.start, config), input.movedAway, cycleNumber, config);
      const usual = previous?.[BASELINE.volumeMean] ?? 0;
      if (usual >= (season ? seasonFloor / 2 : seasonFloor)) seasons[target] = foldSeason(season, m.volume, metrics.start, config);
    }
    if (drop) report(drop, parents);
    let judged = m;
    let windows = 1;
    if (m.volume < config.minVolume) {
      const pool = input.pools[target];
      const pooled: Pool = pool ? { windows: pool.windows + 1, metrics: mergeMetrics(pool.metrics, m) } : { windows: 1, metrics: m };
      if (pooled.metrics.volume < config.minVolume) {
        if (pooled.windows < config.maxPoolWindows && m.volume > 0) pools[target] = pooled;
        return previous && seenIn(previous, cycleNumber);
      }
      judged = pooled.metrics;
      windows = pooled.windows;
      pooledJudged.add(target);
    }
    const mix = aggregate && previous ? mixSums.get(target) : undefined;
    const found = judgeDimension(level, target, judged, previous, cycleNumber, config, mix);
    for (const pattern of found) report(pattern, parents);
    const fold = found.length === 0 && !drop && !frozen;
    if (fold) return updateBaseline(previous ?? emptyBaseline(), judged, config, windows, cycleNumber);
    return previous && seenIn(previous, cycleNumber);
  };
  const system = visit('system', SYSTEM_TARGET, metrics.system, baselines.system, NO_PARENTS, true) ?? baselines.system;
  // The general scorer adds what the rules did not already report on the system this window.
  const kept = Math.max(Number.EPSILON, 1 - input.movedAway(SYSTEM_TARGET));
  const general = scoreSystemSeries(
    input.series,
    systemSeriesInputs(metrics.system, baselines.system, mixSums.get(SYSTEM_TARGET), kept, config),
    metrics.start,
    config,
  );
  for (const { metric, score } of general.findings) {
    if (flagged.has(`${metric}|${SYSTEM_TARGET}`)) continue;
    report(patternOf(seriesRule(metric).type, 'system', SYSTEM_TARGET, metric, score, metrics.system.volume, cycleNumber), NO_PARENTS);
  }
  const next: Baselines = {
    system,
    issuers: { ...baselines.issuers },
    methods: { ...baselines.methods },
    issuerMethods: { ...baselines.issuerMethods },
    gateways: { ...baselines.gateways },
    gatewayIssuers: { ...baselines.gatewayIssuers },
    gatewayMethods: { ...baselines.gatewayMethods },
    gatewayCells: { ...baselines.gatewayCells },
  };
  const keep = (into: Record<string, DimensionBaseline>, key: string, b: DimensionBaseline | undefined): void => {
    if (b) into[key] = b;
  };
  // Wider scopes first: a narrower one reports only what its wider ones do not already show.
  for (const issuer in metrics.issuers) {
    keep(next.issuers, issuer, visit('issuer', targetOf({ issuer }), metrics.issuers[issuer] as DimensionMetrics, baselines.issuers[issuer], NO_PARENTS, true));
  }
  for (const method in metrics.methods) {
    keep(next.methods, method, visit('method', targetOf({ method }), metrics.methods[method] as DimensionMetrics, baselines.methods[method], NO_PARENTS, true));
  }
  for (const issuer in metrics.issuerMethods) {
    const row = metrics.issuerMethods[issuer] as Record<string, DimensionMetrics>;
    const previousRow = baselines.issuerMethods[issuer] ?? {};
    const nextRow = { ...previousRow };
    const parents = (): string[] => [targetOf({ issuer })];
    for (const method in row) {
      keep(nextRow, method, visit('cell', targetOf({ issuer, method }), row[method] as DimensionMetrics, previousRow[method], parents));
    }
    next.issuerMethods[issuer] = nextRow;
  }
  for (const gateway in metrics.gateways) {
    keep(
      next.gateways,
      gateway,
      visit('gateway', targetOf({ gateway }), metrics.gateways[gateway] as DimensionMetrics, baselines.gateways[gateway], NO_PARENTS, true),
    );
  }
  const visitRows = (
    rows: Record<string, Record<string, DimensionMetrics>>,
    previousRows: Record<string, Record<string, DimensionBaseline>>,
    target: (outer: string, inner: string) => string,
    parents: (outer: string, inner: string) => string[],
    aggregate = false,
  ): Record<string, Record<string, DimensionBaseline>> => {
    const out = { ...previousRows };
    for (const outer in rows) {
      const row = rows[outer] as Record<string, DimensionMetrics>;
      const previousRow = previousRows[outer] ?? {};
      const nextRow = { ...previousRow };
      for (const inner in row) {
        const m = row[inner] as DimensionMetrics;
        keep(
          nextRow,
          inner,
          visit('gateway', target(outer, inner), m, previousRow[inner], () => parents(outer, inner), aggregate),
        );
      }
      out[outer] = nextRow;
    }
    return out;
  };
  // A gateway path reports only what neither its gateway nor its slice already shows (a bank down
  // on every gateway is one finding); the hypothesis stage still looks for a link fault under it.
  next.gatewayIssuers = visitRows(
    metrics.gatewayIssuers,
    baselines.gatewayIssuers,
    (gateway, issuer) => targetOf({ gateway, issuer }),
    (gateway, issuer) => [targetOf({ gateway }), targetOf({ issuer })],
    true,
  );
  next.gatewayMethods = visitRows(
    metrics.gatewayMethods,
    baselines.gatewayMethods,
    (gateway, method) => targetOf({ gateway, method }),
    (gateway, method) => [targetOf({ gateway }), targetOf({ method })],
    true,
  );
  for (const [gateway, rows] of Object.entries(metrics.gatewayCells)) {
    next.gatewayCells[gateway] = visitRows(
      rows,
      baselines.gatewayCells[gateway] ?? {},
      (issuer, method) => targetOf({ gateway, issuer, method }),
      (issuer, method) => [
        targetOf({ gateway }),
        targetOf({ gateway, issuer }),
        targetOf({ gateway, method }),
        targetOf({ issuer }),
        targetOf({ method }),
        targetOf({ issuer, method }),
      ],
    );
  }
  // A dimension that sent nothing at all is absent from the window, not quiet: judge its silence.
  const silent = (level: Level, tree: Record<string, DimensionBaseline>, present: Record<string, unknown>, target: (name: string) => string): void => {
    for (const [name, b] of Object.entries(tree)) {
      if (name in present) continue;
      const t = target(name);
      const season = input.seasons[t];
      if (season) seasons[t] = season;
      const drop = trafficDrop(level, t, 0, b, seasonalExpectation(season, metrics.start, config), input.movedAway, cycleNumber, config);
      if (drop) report(drop, NO_PARENTS);
    }
  };
  silent('issuer', baselines.issuers, metrics.issuers, (issuer) => targetOf({ issuer }));
  silent('method', baselines.methods, metrics.methods, (method) => targetOf({ method }));
  silent('gateway', baselines.gateways, metrics.gateways, (gateway) => targetOf({ gateway }));
  return { patterns, baselines: next, streaks, pools, pooledJudged, seasons, series: general.series, readings: general.readings };
}
