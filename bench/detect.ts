// Detection benchmark: the simulated payment stream with no directive in force and one scripted fault
// of known ground truth, observed window by window and run through the real agent core, scored for
// detection delay, root cause, false alarms and cycle cost.
import {
  defaultAgentConfig,
  emptyBaseline,
  initialAgentState,
  observe,
  parseTarget,
  runCycle,
  updateBaseline,
  type CycleResult,
  type DimensionBaseline,
  type DimensionMetrics,
  type WindowMetrics,
} from '../src/agent';
import { createPrng } from '../src/sim/prng';
import { defaultIssuers } from '../src/sim/profile';
import { defaultScenarioOptions, generateScenario, type GroundTruth, type ScenarioKind } from '../src/sim/scenarios';
import { syntheticWindow } from '../src/sim/syntheticMetrics';

const SEEDS_PER_KIND = 20;
/** Incidents hit one of the largest issuers or methods, where 15 points stand clear of the drift. */
const TARGET_ISSUERS = 4;
const TARGET_METHODS = 2;
const INCIDENT_KINDS: readonly Exclude<ScenarioKind, 'healthy'>[] = ['outage', 'degradation', 'retry_storm', 'latency_spike', 'method_fatigue'];
/** Windows after an incident ends in which findings are its echo, not false alarms. */
const RECOVERY_GRACE_WINDOWS = 3;
const THROUGHPUT = { issuers: 1000, methods: 10, warmupCycles: 15, measuredCycles: 50, windowMs: 60_000 };
const SYNTHETIC_CELL = {
  attemptsPerCell: 40,
  successRate: 0.95,
  retryShare: 0.05,
  latencyP95Ms: 400,
  latencyJitterShare: 0.1,
  latencyMeanToP95: 0.5,
  amountMinorPerAttempt: 150_000,
};

const config = defaultAgentConfig;

/** Whether a finding's target lies on the incident's traffic. */
function relates(target: string, truth: GroundTruth): boolean {
  const t = parseTarget(target);
  const g = parseTarget(truth.target);
  return (g.issuer !== null && t.issuer === g.issuer) || (g.method !== null && t.method === g.method && t.issuer === null);
}

interface KindScore {
  runs: number;
  detected: number;
  windowsToDetect: number[];
  rootCauseRight: number;
  truePositiveWindows: number;
  incidentWindows: number;
}

const totals = { healthyIssuerWindows: 0, falseAlarms: 0, falsePositiveWindows: 0 };
const scores = new Map<ScenarioKind, KindScore>();

function runScenario(kind: ScenarioKind, seed: number): void {
  const options = { ...defaultScenarioOptions, kind, seed, targetIndex: seed % (kind === 'method_fatigue' ? TARGET_METHODS : TARGET_ISSUERS) };
  const score = scores.get(kind) ?? { runs: 0, detected: 0, windowsToDetect: [], rootCauseRight: 0, truePositiveWindows: 0, incidentWindows: 0 };
  scores.set(kind, score);
  score.runs += 1;
  let state = initialAgentState();
  let firstDetection: number | null = null;
  let lastTruthWindow = -Infinity;
  for (const w of generateScenario(options)) {
    const result: CycleResult = runCycle(state, observe(w, w.transactions, config.maxDimensionValues), config);
    state = result.state;
    if (w.truth) {
      lastTruthWindow = w.index;
      score.incidentWindows += 1;
      const hit = result.patterns.some((p) => relates(p.target, w.truth as GroundTruth));
      if (hit) score.truePositiveWindows += 1;
      if (hit && firstDetection === null) {
        firstDetection = w.index - options.incidentStartWindow + 1;
        const top = result.hypotheses[0];
        if (top && top.cause === w.truth.cause && top.target === w.truth.target) score.rootCauseRight += 1;
      }
    } else if (w.index >= config.warmupWindows && w.index > lastTruthWindow + RECOVERY_GRACE_WINDOWS) {
      totals.healthyIssuerWindows += defaultIssuers.length;
      totals.falseAlarms += result.patterns.length;
      if (result.patterns.length > 0) totals.falsePositiveWindows += 1;
    }
  }
  if (firstDetection !== null) {
    score.detected += 1;
    score.windowsToDetect.push(firstDetection);
  }
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

const started = performance.now();
for (const kind of [...INCIDENT_KINDS, 'healthy' as const]) {
  for (let seed = 1; seed <= SEEDS_PER_KIND; seed++) runScenario(kind, seed);
}
const scenarioSeconds = (performance.now() - started) / 1000;

/**
 * The baseline measured in the same run: the least any detector of these dimensions does, one
 * EWMA fold of every dimension of the window, nothing judged.
 */
function bareFold(window: WindowMetrics, folded: Map<string, DimensionBaseline>): void {
  const fold = (key: string, m: DimensionMetrics): void => void folded.set(key, updateBaseline(folded.get(key) ?? emptyBaseline(), m, config));
  fold('system', window.system);
  for (const [issuer, m] of Object.entries(window.issuers)) fold(`i${issuer}`, m);
  for (const [method, m] of Object.entries(window.methods)) fold(`m${method}`, m);
  for (const [issuer, row] of Object.entries(window.issuerMethods)) for (const [method, m] of Object.entries(row)) fold(`c${issuer}/${method}`, m);
}

function throughput(): { cycleMs: number; cyclesPerSecond: number; bareFoldMs: number; stateBytes: number } {
  const prng = createPrng(THROUGHPUT.issuers);
  const synthetic = { issuers: THROUGHPUT.issuers, methods: THROUGHPUT.methods, ...SYNTHETIC_CELL };
  const windows = Array.from({ length: THROUGHPUT.warmupCycles + THROUGHPUT.measuredCycles }, (_, i) =>
    syntheticWindow(prng, synthetic, i * THROUGHPUT.windowMs, (i + 1) * THROUGHPUT.windowMs),
  );
  let state = initialAgentState();
  const folded = new Map<string, DimensionBaseline>();
  let elapsed = 0;
  let bare = 0;
  windows.forEach((window, i) => {
    const t0 = performance.now();
    state = runCycle(state, window, config).state;
    const t1 = performance.now();
    bareFold(window, folded);
    if (i >= THROUGHPUT.warmupCycles) {
      elapsed += t1 - t0;
      bare += performance.now() - t1;
    }
  });
  const cycleMs = elapsed / THROUGHPUT.measuredCycles;
  return { cycleMs, cyclesPerSecond: 1000 / cycleMs, bareFoldMs: bare / THROUGHPUT.measuredCycles, stateBytes: JSON.stringify(state).length };
}

let tp = 0;
let fn = 0;
let detectedIncidents = 0;
let rightCauses = 0;
console.log('kind            runs detected  windows-to-detect(mean,max)  root-cause  window-recall');
for (const [kind, s] of scores) {
  if (kind === 'healthy') continue;
  tp += s.truePositiveWindows;
  fn += s.incidentWindows - s.truePositiveWindows;
  detectedIncidents += s.detected;
  rightCauses += s.rootCauseRight;
  console.log(
    `${kind.padEnd(15)} ${String(s.runs).padStart(4)} ${String(s.detected).padStart(8)}  ${mean(s.windowsToDetect).toFixed(2).padStart(14)} ${String(Math.max(...s.windowsToDetect, 0)).padStart(5)}` +
      `          ${s.rootCauseRight}/${s.detected}        ${(s.truePositiveWindows / s.incidentWindows).toFixed(3)}`,
  );
}
const precision = tp / (tp + totals.falsePositiveWindows);
const recall = tp / (tp + fn);
const falseAlarmsPer1000 = (totals.falseAlarms / totals.healthyIssuerWindows) * 1000;
const perf = throughput();
console.log(`precision (windows) ${precision.toFixed(3)}  recall (windows) ${recall.toFixed(3)}`);
console.log(`false alarms ${totals.falseAlarms} over ${totals.healthyIssuerWindows} healthy issuer-windows = ${falseAlarmsPer1000.toFixed(3)} per 1000`);
console.log(
  `scenarios ran in ${scenarioSeconds.toFixed(1)} s; cycle over ${THROUGHPUT.issuers}x${THROUGHPUT.methods} dims: ${perf.cycleMs.toFixed(2)} ms (${perf.cyclesPerSecond.toFixed(0)} cycles/s) ` +
    `against ${perf.bareFoldMs.toFixed(2)} ms for a bare EWMA fold of the same dimensions (x${(perf.cycleMs / perf.bareFoldMs).toFixed(1)}); state ${(perf.stateBytes / 1e6).toFixed(2)} MB`,
);
console.log(
  JSON.stringify({
    outage_windows: round(mean(scores.get('outage')?.windowsToDetect ?? []), 2),
    degradation_windows: round(mean(scores.get('degradation')?.windowsToDetect ?? []), 2),
    retry_storm_windows: round(mean(scores.get('retry_storm')?.windowsToDetect ?? []), 2),
    latency_spike_windows: round(mean(scores.get('latency_spike')?.windowsToDetect ?? []), 2),
    method_fatigue_windows: round(mean(scores.get('method_fatigue')?.windowsToDetect ?? []), 2),
    root_cause_accuracy: round(rightCauses / Math.max(1, detectedIncidents)),
    detected_incidents: detectedIncidents,
    incidents: INCIDENT_KINDS.length * SEEDS_PER_KIND,
    precision: round(precision),
    recall: round(recall),
    false_alarms_per_1000: round(falseAlarmsPer1000),
    cycle_ms_10k_dims: round(perf.cycleMs, 2),
    bare_fold_ms_10k_dims: round(perf.bareFoldMs, 2),
    state_mb_10k_dims: round(perf.stateBytes / 1e6, 2),
    cycles_per_second_10k_dims: Math.round(perf.cyclesPerSecond),
  }),
);
