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
  /** Sampling variance of the observed value given the baseline mean, when the metric is a proportion. */
  samplingVariance(mean: number, volume: number): number;
  patternType(level: Level): PatternType;
}

const binomialVariance = (mean: number, volume: number): number => {
  const p = Math.min(1, Math.max(0, mean));
  return (p * (1 - p)) / volume;
};

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
        samplingVariance: rule.samplingVariance(ewma.mean, metrics.volume),
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
}

/**
 * Judges the window, then folds it into the baselines. A baseline never includes the window it
 * judges, and stays frozen on a target with a finding or an open incident, so a long outage is
 * still measured against healthy behaviour. An issuer x method cell reports only what neither
 * its issuer nor its method already shows, which is how a single-method issuer problem surfaces.
 */
export function detect(
  metrics: WindowMetrics,
  baselines: Record<string, DimensionBaseline>,
  frozenTargets: ReadonlySet<string>,
  cycleNumber: number,
  config: AgentConfig,
): DetectResult {
  const patterns: Pattern[] = [];
  const next: Record<string, DimensionBaseline> = { ...baselines };
  const visit = (level: Level, target: string, m: DimensionMetrics, parents: readonly string[]): readonly Pattern[] => {
    const found = judgeDimension(level, target, m, baselines[target], cycleNumber, config);
    for (const pattern of found) {
      if (!parents.some((parent) => flagged.has(`${pattern.metric}|${parent}`))) patterns.push(pattern);
    }
    if (found.length === 0 && !frozenTargets.has(target) && m.volume >= config.minVolume) {
      next[target] = updateBaseline(baselines[target], m, config.ewmaAlpha);
    }
    return found;
  };
  const flagged = new Set<string>();
  const flag = (target: string, found: readonly Pattern[]): void => {
    for (const pattern of found) flagged.add(`${pattern.metric}|${target}`);
  };
  visit('system', SYSTEM_TARGET, metrics.system, []);
  for (const [issuer, m] of Object.entries(metrics.issuers)) {
    const target = issuerTarget(issuer);
    flag(target, visit('issuer', target, m, []));
  }
  for (const [method, m] of Object.entries(metrics.methods)) {
    const target = methodTarget(method);
    flag(target, visit('method', target, m, []));
  }
  for (const [issuer, row] of Object.entries(metrics.issuerMethods)) {
    const parentIssuer = issuerTarget(issuer);
    for (const [method, m] of Object.entries(row)) {
      visit('cell', cellTarget(issuer, method), m, [parentIssuer, methodTarget(method)]);
    }
  }
  return { patterns, baselines: next };
}
