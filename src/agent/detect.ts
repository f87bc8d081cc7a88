// Stage 2: judge every dimension of the window against its own baseline and report findings.
import type { AgentConfig } from './config';
import { isWarm, judge, updateBaseline, type Direction } from './baseline';
import { retryRate, successRate } from './metrics';
import { SYSTEM_TARGET, cellTarget, issuerTarget, methodTarget } from './targets';
import type {
  DimensionBaseline,
  DimensionMetrics,
  MetricName,
  Pattern,
  PatternDimension,
  PatternType,
  WindowMetrics,
} from './types';

type Level = 'system' | 'issuer' | 'method' | 'cell';

interface MetricRule {
  metric: MetricName;
  direction: Direction;
  value(m: DimensionMetrics): number;
  minRelativeChange(config: AgentConfig): number;
  /** Sampling variance of the observed value, when the metric is a proportion. */
  samplingVariance(mean: number, observed: number, volume: number): number;
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
const binomialVariance = (mean: number, observed: number, volume: number): number =>
  Math.max(bernoulli(mean), bernoulli(observed)) / volume;

const SUCCESS_TYPES: Record<Level, PatternType> = {
  system: 'SYSTEM_DEGRADATION',
  issuer: 'ISSUER_DEGRADATION',
  cell: 'ISSUER_DEGRADATION',
  method: 'METHOD_FATIGUE',
};

const RULES: readonly MetricRule[] = [
  {
    metric: 'successRate',
    direction: -1,
    value: successRate,
    minRelativeChange: (c) => c.minRelativeChange,
    samplingVariance: binomialVariance,
    patternType: (level) => SUCCESS_TYPES[level],
  },
  {
    metric: 'retryRate',
    direction: 1,
    value: retryRate,
    minRelativeChange: (c) => c.retryMinRelativeRise,
    samplingVariance: binomialVariance,
    patternType: () => 'RETRY_STORM',
  },
  {
    metric: 'latencyP95Ms',
    direction: 1,
    value: (m) => m.latencyP95Ms,
    minRelativeChange: (c) => c.latencyMinRelativeRise,
    samplingVariance: () => 0,
    patternType: () => 'LATENCY_SPIKE',
  },
];

const DIMENSION_OF: Record<Level, PatternDimension> = {
  system: 'system',
  issuer: 'issuer',
  cell: 'issuer',
  method: 'method',
};

const NO_PATTERNS: readonly Pattern[] = [];

/** The findings on one dimension; none while the baseline warms up or the volume is below the floor. */
export function judgeDimension(
  level: Level,
  target: string,
  metrics: DimensionMetrics,
  baseline: DimensionBaseline | undefined,
  cycleNumber: number,
  config: AgentConfig,
): readonly Pattern[] {
  if (metrics.volume < config.minVolume || !isWarm(baseline, config)) return NO_PATTERNS;
  let found: Pattern[] | null = null;
  for (const rule of RULES) {
    const ewma = baseline[rule.metric];
    const observed = rule.value(metrics);
    const judgement = judge(
      {
        baseline: ewma,
        observed,
        direction: rule.direction,
        volumeRatio: baseline.volume.mean / metrics.volume,
        samplingVariance: rule.samplingVariance(ewma.mean, observed, metrics.volume),
        minRelativeChange: rule.minRelativeChange(config),
      },
      config,
    );
    if (!judgement.anomalous) continue;
    found ??= [];
    found.push({
      type: rule.patternType(level),
      dimension: DIMENSION_OF[level],
      target,
      metric: rule.metric,
      zScore: judgement.zScore,
      observed,
      baseline: ewma.mean,
      relativeChange: judgement.relativeChange,
      severity: Math.min(1, judgement.relativeChange),
      volume: metrics.volume,
      cycleNumber,
    });
  }
  return found ?? NO_PATTERNS;
}

export interface DetectResult {
  patterns: Pattern[];
  baselines: Record<string, DimensionBaseline>;
  /** Consecutive anomalous windows per `${metric}|${target}`, for findings awaiting confirmation. */
  streaks: Record<string, number>;
}

export interface DetectInput {
  baselines: Record<string, DimensionBaseline>;
  streaks: Record<string, number>;
  /** Targets with an open incident: their baselines stay frozen and their findings need no confirmation. */
  frozenTargets: ReadonlySet<string>;
}

/**
 * Judges the window, then folds it into the baselines. A baseline never includes the window it
 * judges, and stays frozen on a target with a finding or an open incident, so a long outage is
 * still measured against healthy behaviour. A finding below `immediateZScore` is reported once it
 * has held for `confirmWindows` windows: a healthy stream's one-window dips do not repeat, real
 * degradations do. An issuer x method cell reports only what neither its issuer nor its method
 * already shows, which is how a single-method issuer problem surfaces.
 */
export function detect(metrics: WindowMetrics, input: DetectInput, cycleNumber: number, config: AgentConfig): DetectResult {
  const { baselines, frozenTargets } = input;
  const patterns: Pattern[] = [];
  const next: Record<string, DimensionBaseline> = { ...baselines };
  const streaks: Record<string, number> = {};
  const flagged = new Set<string>();
  const visit = (level: Level, target: string, m: DimensionMetrics, parents: readonly string[]): void => {
    const found = judgeDimension(level, target, m, baselines[target], cycleNumber, config);
    for (const pattern of found) {
      const key = `${pattern.metric}|${target}`;
      const streak = (input.streaks[key] ?? 0) + 1;
      streaks[key] = streak;
      if (level === 'issuer' || level === 'method') flagged.add(key);
      const confirmed = pattern.zScore >= config.immediateZScore || streak >= config.confirmWindows || frozenTargets.has(target);
      const redundant = parents.some((parent) => flagged.has(`${pattern.metric}|${parent}`));
      if (confirmed && !redundant) patterns.push(pattern);
    }
    if (found.length === 0 && !frozenTargets.has(target) && m.volume >= config.minVolume) {
      next[target] = updateBaseline(baselines[target], m, config);
    }
  };
  visit('system', SYSTEM_TARGET, metrics.system, []);
  for (const [issuer, m] of Object.entries(metrics.issuers)) visit('issuer', issuerTarget(issuer), m, []);
  for (const [method, m] of Object.entries(metrics.methods)) visit('method', methodTarget(method), m, []);
  for (const [issuer, row] of Object.entries(metrics.issuerMethods)) {
    const parentIssuer = issuerTarget(issuer);
    for (const [method, m] of Object.entries(row)) {
      visit('cell', cellTarget(issuer, method), m, [parentIssuer, methodTarget(method)]);
    }
  }
  return { patterns, baselines: next, streaks };
}
