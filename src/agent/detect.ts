// Stage 2: judge every dimension of the window against its own baseline and report findings.
import type { AgentConfig } from './config';
import { BASELINE, emptyBaseline, isAnomalous, isWarm, relativeChangeOf, updateBaseline, zScoreOf, type Direction } from './baseline';
import { retryRate, successRate } from './metrics';
import { SYSTEM_TARGET, targetOf } from './targets';
import type {
  Baselines,
  DimensionBaseline,
  DimensionMetrics,
  MetricName,
  Pattern,
  PatternDimension,
  PatternType,
  WindowMetrics,
} from './types';

type Level = 'system' | 'issuer' | 'method' | 'cell' | 'gateway';

interface MetricRule {
  metric: MetricName;
  direction: Direction;
  value(m: DimensionMetrics): number;
  mean(b: DimensionBaseline): number;
  variance(b: DimensionBaseline): number;
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
    variance: (b) => b[BASELINE.latencyP95MsVariance],
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
  gateway: 'gateway',
};

const NO_PATTERNS: readonly Pattern[] = [];

interface MetricScore {
  observed: number;
  mean: number;
  zScore: number;
  relativeChange: number;
  anomalous: boolean;
}

function scoreMetric(rule: MetricRule, metrics: DimensionMetrics, baseline: DimensionBaseline, config: AgentConfig): MetricScore {
  const mean = rule.mean(baseline);
  const observed = rule.value(metrics);
  const sampling = rule.samplingVariance(mean, observed, metrics.volume);
  const volumeRatio = baseline[BASELINE.volumeMean] / metrics.volume;
  const zScore = zScoreOf(mean, rule.variance(baseline), observed, rule.direction, volumeRatio, sampling, config);
  const relativeChange = relativeChangeOf(mean, observed, rule.direction);
  return { observed, mean, zScore, relativeChange, anomalous: isAnomalous(zScore, relativeChange, rule.minRelativeChange(config), config) };
}

const judgeable = (metrics: DimensionMetrics, baseline: DimensionBaseline | undefined, config: AgentConfig): baseline is DimensionBaseline =>
  metrics.volume >= config.minVolume && isWarm(baseline, config);

/** Whether a dimension's success rate is down by the detector's own rule (other stages ask this of cells). */
export function successDropped(metrics: DimensionMetrics, baseline: DimensionBaseline | undefined, config: AgentConfig): boolean | null {
  if (!judgeable(metrics, baseline, config)) return null;
  return scoreMetric(SUCCESS_RULE, metrics, baseline, config).anomalous;
}

/** The findings on one dimension; none while the baseline warms up or the volume is below the floor. */
export function judgeDimension(
  level: Level,
  target: string,
  metrics: DimensionMetrics,
  baseline: DimensionBaseline | undefined,
  cycleNumber: number,
  config: AgentConfig,
): readonly Pattern[] {
  if (!judgeable(metrics, baseline, config)) return NO_PATTERNS;
  let found: Pattern[] | null = null;
  for (const rule of RULES) {
    const score = scoreMetric(rule, metrics, baseline, config);
    if (!score.anomalous) continue;
    found ??= [];
    found.push({
      type: rule.patternType(level),
      dimension: DIMENSION_OF[level],
      target,
      metric: rule.metric,
      zScore: score.zScore,
      observed: score.observed,
      baseline: score.mean,
      relativeChange: score.relativeChange,
      severity: Math.min(1, score.relativeChange),
      volume: metrics.volume,
      cycleNumber,
    });
  }
  return found ?? NO_PATTERNS;
}

export interface DetectResult {
  patterns: Pattern[];
  baselines: Baselines;
  /** Consecutive anomalous windows per `${metric}|${target}`, for findings awaiting confirmation. */
  streaks: Record<string, number>;
}

export interface DetectInput {
  baselines: Baselines;
  streaks: Record<string, number>;
  /** Targets with an open incident: their baselines stay frozen and their findings need no confirmation. */
  frozenTargets: ReadonlySet<string>;
}

/**
 * Judges the window, then folds it into the baselines. A baseline never includes the window it
 * judges, and stays frozen on a target with a finding or an open incident, so a long outage is
 * still measured against healthy behaviour. A finding below `immediateZScore` is reported once it
 * has held for `confirmWindows` windows: a healthy stream's one-window dips do not repeat, real
 * degradations do. An issuer x method cell reports only what its issuer does not already show,
 * which is how a single-method issuer problem surfaces; whether a method-wide finding explains
 * the cell instead is the hypothesis stage's call.
 */
export function detect(metrics: WindowMetrics, input: DetectInput, cycleNumber: number, config: AgentConfig): DetectResult {
  const { baselines, frozenTargets } = input;
  const patterns: Pattern[] = [];
  const streaks: Record<string, number> = {};
  const flagged = new Set<string>();
  const visit = (
    level: Level,
    target: string,
    m: DimensionMetrics,
    previous: DimensionBaseline | undefined,
    parents: readonly string[],
  ): DimensionBaseline | undefined => {
    const found = judgeDimension(level, target, m, previous, cycleNumber, config);
    for (const pattern of found) {
      const key = `${pattern.metric}|${target}`;
      const streak = (input.streaks[key] ?? 0) + 1;
      streaks[key] = streak;
      flagged.add(key);
      const confirmed = pattern.zScore >= config.immediateZScore || streak >= config.confirmWindows || frozenTargets.has(target);
      const redundant = parents.some((parent) => flagged.has(`${pattern.metric}|${parent}`));
      if (confirmed && !redundant) patterns.push(pattern);
    }
    const fold = found.length === 0 && m.volume >= config.minVolume && !frozenTargets.has(target);
    return fold ? updateBaseline(previous ?? emptyBaseline(), m, config) : previous;
  };
  const next: Baselines = {
    system: visit('system', SYSTEM_TARGET, metrics.system, baselines.system, []) ?? baselines.system,
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
  for (const [issuer, m] of Object.entries(metrics.issuers)) {
    keep(next.issuers, issuer, visit('issuer', targetOf({ issuer }), m, baselines.issuers[issuer], []));
  }
  for (const [method, m] of Object.entries(metrics.methods)) {
    keep(next.methods, method, visit('method', targetOf({ method }), m, baselines.methods[method], []));
  }
  for (const [issuer, row] of Object.entries(metrics.issuerMethods)) {
    const previousRow = baselines.issuerMethods[issuer] ?? {};
    const nextRow = { ...previousRow };
    for (const [method, m] of Object.entries(row)) {
      keep(nextRow, method, visit('cell', targetOf({ issuer, method }), m, previousRow[method], [targetOf({ issuer })]));
    }
    next.issuerMethods[issuer] = nextRow;
  }
  for (const [gateway, m] of Object.entries(metrics.gateways)) {
    keep(next.gateways, gateway, visit('gateway', targetOf({ gateway }), m, baselines.gateways[gateway], []));
  }
  const visitRows = (
    rows: Record<string, Record<string, DimensionMetrics>>,
    previousRows: Record<string, Record<string, DimensionBaseline>>,
    target: (outer: string, inner: string) => string,
    parents: (outer: string, inner: string) => string[],
  ): Record<string, Record<string, DimensionBaseline>> => {
    const out = { ...previousRows };
    for (const [outer, row] of Object.entries(rows)) {
      const previousRow = previousRows[outer] ?? {};
      const nextRow = { ...previousRow };
      for (const [inner, m] of Object.entries(row)) keep(nextRow, inner, visit('gateway', target(outer, inner), m, previousRow[inner], parents(outer, inner)));
      out[outer] = nextRow;
    }
    return out;
  };
  const onGateway = (gateway: string): string[] => [targetOf({ gateway })];
  next.gatewayIssuers = visitRows(metrics.gatewayIssuers, baselines.gatewayIssuers, (gateway, issuer) => targetOf({ gateway, issuer }), onGateway);
  next.gatewayMethods = visitRows(metrics.gatewayMethods, baselines.gatewayMethods, (gateway, method) => targetOf({ gateway, method }), onGateway);
  for (const [gateway, rows] of Object.entries(metrics.gatewayCells)) {
    next.gatewayCells[gateway] = visitRows(rows, baselines.gatewayCells[gateway] ?? {}, (issuer, method) => targetOf({ gateway, issuer, method }), (issuer, method) => [
      targetOf({ gateway }),
      targetOf({ gateway, issuer }),
      targetOf({ gateway, method }),
    ]);
  }
  return { patterns, baselines: next, streaks };
}
