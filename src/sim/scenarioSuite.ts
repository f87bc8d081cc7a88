// The scenario suite: each detection behaviour the agent must show on realistic traffic, as generated
// traffic (src/sim/daily.ts) with the expected behaviour written beside it, judged on what the agent
// did when the traffic was replayed through the same path as `npm run replay`. bench:scenarios runs
// every case on several seeds; tests/agent/realistic.test.ts runs each on one.
import { defaultAgentConfig, type AgentConfig, type CycleResult, type InterventionRecord } from '../agent';
import { WINDOWS_PER_DAY as DAY, WINDOW_MS, trafficWindow, type CellFx, type Fault } from './daily';
import { bucketWindows, defaultReplayLimits, replayCycles, type ReplayedCycle } from './replay';

export interface ScenarioCase {
  name: string;
  /** What must happen, in words: the "expected" column. */
  expected: string;
  /** Windows from midnight to run. */
  windows: number;
  peakPerWindow: number;
  fault?: Fault;
  config?: Partial<AgentConfig>;
  /** Why it failed, or null when every expectation held. */
  check(run: ScenarioRun): string | null;
}

export interface ScenarioRun {
  cycles: ReplayedCycle[];
  /** Cycles [from, to) of the run. */
  between(from: number, to: number): CycleResult[];
}

const PEAK = 3000;
/** A small merchant: about 20 attempts a minute at 05:00 and 8 at night, under min_volume all day but the noon hours. */
const THIN_PEAK = 40;
/** The night trough is window 0; faults start at 05:00, when volume is rising. */
const AT = 300;
/** A daily batch of mandate debits, 10:00–10:30. */
const BATCH_START = 600;
const BATCH_END = 630;

const on =
  (issuer: string, from: number, to: number, fx: CellFx): Fault =>
  (i, _m, w) =>
    i === issuer && w >= from && w < to ? fx : null;

const records = (cycles: readonly CycleResult[]): InterventionRecord[] => cycles.flatMap((c) => c.decision.chosen.map((x) => x.record));
const pages = (cycles: readonly CycleResult[]): InterventionRecord[] => records(cycles).filter((r) => r.action === 'ALERT_OPS' && !r.heartbeat);
const moves = (cycles: readonly CycleResult[]): InterventionRecord[] => records(cycles).filter((r) => r.action !== 'ALERT_OPS');
const names = (rs: readonly InterventionRecord[]): string => rs.map((r) => r.id).join(', ') || 'none';

/** The first cycle index in [from, to) whose patterns satisfy `found`, or -1. */
function firstFinding(run: ScenarioRun, from: number, to: number, target: string, metric = 'successRate'): number {
  const i = run.between(from, to).findIndex((c) => c.patterns.some((p) => p.target === target && p.metric === metric));
  return i < 0 ? -1 : i + 1;
}

const caused = (cycles: readonly CycleResult[], cause: string, target: string): boolean =>
  cycles.some((c) => c.hypotheses.some((h) => h.cause === cause && h.target === target));
const paged = (cycles: readonly CycleResult[], subject: string): boolean => pages(cycles).some((r) => r.params.subject === subject);
const fail = (ok: boolean, why: string): string | null => (ok ? null : why);
const all = (...checks: (string | null)[]): string | null => checks.filter((c) => c !== null).join('; ') || null;

/**
 * A feed lost on `target` from AT for `windows`: its TRAFFIC_DROP found within `within` windows,
 * paged as TELEMETRY_LOSS, nothing moved.
 */
const feedLost =
  (target: string, windows: number, within = windows) =>
  (r: ScenarioRun): string | null => {
    const during = r.between(AT, AT + windows);
    const found = firstFinding(r, AT, AT + windows, target, 'volume');
    return all(
      fail(found >= 1 && found <= within, `found in window ${found}`),
      fail(
        pages(during).some((p) => p.params.subject === target && p.params.cause === 'TELEMETRY_LOSS'),
        'no telemetry page',
      ),
      fail(moves(during).length === 0, `moved ${names(moves(during))}`),
    );
  };

/** A healthy day at this peak: at most one page an hour, and nothing moved. */
const healthyDay = (name: string, expected: string, peakPerWindow: number): ScenarioCase => ({
  name,
  expected,
  windows: DAY,
  peakPerWindow,
  check: (r) => {
    const day = r.between(defaultAgentConfig.warmupWindows, DAY);
    return all(fail(pages(day).length <= 24, `${pages(day).length} pages`), fail(moves(day).length === 0, `moved ${names(moves(day))}`));
  },
});

export const scenarioCases: readonly ScenarioCase[] = [
  healthyDay('healthy_day', 'a full day with its daily cycle: at most 24 pages (once an hour), no move', PEAK),
  {
    name: 'issuer_outage',
    expected: "a 20% bank fully down: found in its first window, ISSUER_OUTAGE, suppressed on the agent's own authority",
    windows: AT + 10,
    peakPerWindow: PEAK,
    fault: on('ICICI', AT, AT + 10, { successPoints: 0.95 }),
    check: (r) => {
      const during = r.between(AT, AT + 10);
      return all(
        fail(firstFinding(r, AT, AT + 10, 'issuer:ICICI') === 1, `found in window ${firstFinding(r, AT, AT + 10, 'issuer:ICICI')}`),
        fail(caused(during, 'ISSUER_OUTAGE', 'issuer:ICICI'), 'no ISSUER_OUTAGE'),
        fail(
          moves(during).some((m) => m.action === 'SUPPRESS_ISSUER' && m.status === 'PROPOSED'),
          `moves ${names(moves(during))}`,
        ),
      );
    },
  },
  {
    name: 'degradation_15pt',
    expected: 'a 30% bank down 15 points: found within 3 windows, paged, not suppressed (steering would lose more)',
    windows: AT + 20,
    peakPerWindow: PEAK,
    fault: on('HDFC', AT, AT + 20, { successPoints: 0.15 }),
    check: (r) => {
      const during = r.between(AT, AT + 20);
      const found = firstFinding(r, AT, AT + 20, 'issuer:HDFC');
      return all(
        fail(found >= 1 && found <= 3, `found in window ${found}`),
        fail(paged(during, 'issuer:HDFC'), 'no page'),
        fail(moves(during).length === 0, `moved ${names(moves(during))}`),
      );
    },
  },
  {
    name: 'night_outage_3pct',
    expected: 'a 3% bank fully down at night (~18 attempts a window): found within 5 windows by pooling',
    windows: 80,
    peakPerWindow: PEAK,
    fault: on('BOB', 60, 80, { successPoints: 0.95 }),
    check: (r) => {
      const found = firstFinding(r, 60, 80, 'issuer:BOB');
      return fail(found >= 1 && found <= 5, `found in window ${found}`);
    },
  },
  {
    name: 'slow_drift',
    expected: 'a 10% bank losing 10 points over 3 hours: found before the decline completes, no suppression',
    windows: AT + 180,
    peakPerWindow: PEAK,
    fault: (i, _m, w) => (i === 'AXIS' && w >= AT ? { successPoints: Math.min(0.1, (0.1 * (w - AT)) / 180) } : null),
    check: (r) => {
      const found = firstFinding(r, AT, AT + 180, 'issuer:AXIS');
      return all(fail(found >= 1, 'never found'), fail(moves(r.between(AT, AT + 180)).length === 0, `moved ${names(moves(r.between(AT, AT + 180)))}`));
    },
  },
  {
    name: 'step_6pt',
    expected: 'an 8% bank down 6 points (z ~2.3 a window): found within 15 windows and still reported 30 windows later',
    windows: AT + 50,
    peakPerWindow: PEAK,
    fault: on('KOTAK', AT, AT + 100, { successPoints: 0.06 }),
    check: (r) => {
      const found = firstFinding(r, AT, AT + 50, 'issuer:KOTAK');
      const later = r.between(AT + 40, AT + 50).filter((c) => c.patterns.some((p) => p.target === 'issuer:KOTAK')).length;
      return all(fail(found >= 1 && found <= 15, `found in window ${found}`), fail(later >= 8, `reported in ${later} of the windows 40–50 after the step`));
    },
  },
  {
    name: 'persistent_shift',
    expected: 'a 6-point step lasting 3 hours: closed as a shift after max_incident_windows (40 here), then quiet',
    windows: AT + 120,
    peakPerWindow: PEAK,
    config: { maxIncidentWindows: 40 },
    fault: on('KOTAK', AT, AT + 180, { successPoints: 0.06 }),
    check: (r) => {
      const shifted = r.cycles.findIndex((c) => c.result.incidentEvents.some((e) => e.type === 'shifted' && e.incident.target === 'issuer:KOTAK'));
      const after = shifted < 0 ? [] : r.between(shifted + 5, AT + 120).filter((c) => c.patterns.some((p) => p.target === 'issuer:KOTAK'));
      return all(fail(shifted > AT, 'never shifted'), fail(after.length <= 3, `${after.length} findings after the shift`));
    },
  },
  {
    name: 'outage_not_accepted',
    expected: 'an 8% bank fully down for 2 hours: never closed as a shift (max_incident_windows 40 here), still an open incident',
    windows: AT + 120,
    peakPerWindow: PEAK,
    config: { maxIncidentWindows: 40 },
    fault: on('KOTAK', AT, AT + 180, { successPoints: 0.9 }),
    check: (r) => {
      const shifted = r.cycles.some((c) => c.result.incidentEvents.some((e) => e.type === 'shifted' && e.incident.target === 'issuer:KOTAK'));
      const last = r.cycles[r.cycles.length - 1]?.result.state.incidents['ISSUER_DEGRADATION|issuer:KOTAK'];
      return all(fail(!shifted, 'closed as a shift'), fail(last !== undefined, 'no open incident at the end'));
    },
  },
  {
    name: 'feed_stall',
    expected: "a 20% bank's feed stops: TRAFFIC_DROP, paged as TELEMETRY_LOSS, no move",
    windows: AT + 20,
    peakPerWindow: PEAK,
    fault: on('ICICI', AT, AT + 30, { volumeFactor: 0 }),
    check: feedLost('issuer:ICICI', 20),
  },
  healthyDay('thin_healthy_day', "a small merchant's full day (8 to 40 attempts a minute): at most 24 pages, no move", THIN_PEAK),
  {
    name: 'thin_feed_stop',
    expected:
      "a small merchant's whole feed stops for 10 minutes at 05:00 (~20 attempts a minute, under min_volume): a system TRAFFIC_DROP within 2 windows, paged as TELEMETRY_LOSS, no move",
    windows: AT + 20,
    peakPerWindow: THIN_PEAK,
    fault: (_i, _m, w) => (w >= AT && w < AT + 10 ? { volumeFactor: 0 } : null),
    check: feedLost('system', 10, 2),
  },
  {
    name: 'small_bank_feed_stall',
    expected: "a 1% bank's feed stops at 05:00 (~15 attempts a window, under min_volume): TRAFFIC_DROP within 2 windows, paged as TELEMETRY_LOSS, no move",
    windows: AT + 20,
    peakPerWindow: PEAK,
    fault: on('IDFC', AT, AT + 30, { volumeFactor: 0 }),
    check: feedLost('issuer:IDFC', 20, 2),
  },
  {
    name: 'lost_successes',
    expected: "a 15% bank's success events stop arriving: TELEMETRY_LOSS, never suppressed",
    windows: AT + 20,
    peakPerWindow: PEAK,
    fault: on('SBI', AT, AT + 30, { successesLost: true }),
    check: (r) => {
      const during = r.between(AT, AT + 20);
      return all(
        fail(caused(during, 'TELEMETRY_LOSS', 'issuer:SBI'), 'no TELEMETRY_LOSS'),
        fail(!moves(during).some((m) => m.target.includes('SBI')), `moved ${names(moves(during))}`),
      );
    },
  },
  {
    name: 'decline_surge',
    expected: 'declines +25 points on a bank whose usual failures are technical: CUSTOMER_DECLINES, paged, no move',
    windows: AT + 20,
    peakPerWindow: PEAK,
    fault: on('PNB', AT, AT + 30, { declinePoints: 0.25 }),
    check: (r) => {
      const during = r.between(AT, AT + 20);
      return all(
        fail(caused(during, 'CUSTOMER_DECLINES', 'issuer:PNB'), 'not read as declines'),
        fail(!during.some((c) => c.hypotheses.some((h) => h.target === 'issuer:PNB' && h.cause.startsWith('ISSUER_'))), 'read as an issuer fault'),
        fail(paged(during, 'issuer:PNB'), 'no page'),
        fail(moves(during).length === 0, `moved ${names(moves(during))}`),
      );
    },
  },
  {
    name: 'everything_down',
    expected: 'every bank fails at once (our side): one SYSTEM_WIDE page, even right after a heartbeat; no move',
    windows: AT + 5,
    peakPerWindow: PEAK,
    fault: (_i, _m, w) => (w >= AT ? { successPoints: 0.85 } : null),
    check: (r) => {
      const during = r.between(AT, AT + 5);
      return all(fail(paged(during, 'system'), `pages ${names(pages(during))}`), fail(moves(during).length === 0, `moved ${names(moves(during))}`));
    },
  },
  {
    name: 'flapping',
    expected: 'a 20% bank down 2 windows, up 3, for an hour: suppressed, and released at most twice',
    windows: AT + 60,
    peakPerWindow: PEAK,
    fault: (i, _m, w) => (i === 'ICICI' && w >= AT && w < AT + 60 && (w - AT) % 5 < 2 ? { successPoints: 0.9 } : null),
    check: (r) => {
      const releases = r.cycles
        .slice(AT, AT + 60)
        .flatMap((c) => c.released)
        .filter((id) => id.includes('SUPPRESS_ISSUER'));
      return all(
        fail(
          moves(r.between(AT, AT + 60)).some((m) => m.action === 'SUPPRESS_ISSUER'),
          'never suppressed',
        ),
        fail(releases.length <= 2, `released ${releases.length} times`),
      );
    },
  },
  {
    name: 'netbanking_campaign',
    expected: "one bank's netbanking x15 (a lower-success method): no success finding on the bank, no move",
    windows: AT + 60,
    peakPerWindow: PEAK,
    fault: (i, m, w) => (i === 'ICICI' && m === 'netbanking' && w >= AT ? { volumeFactor: 15 } : null),
    check: (r) => {
      const during = r.between(AT, AT + 60);
      return all(
        fail(!during.some((c) => c.patterns.some((p) => p.target === 'issuer:ICICI' && p.metric === 'successRate')), 'success finding on ICICI'),
        fail(moves(during).length === 0, `moved ${names(moves(during))}`),
      );
    },
  },
  {
    name: 'mandate_batch',
    expected:
      "an 8% bank's UPI mandate batch (x10, 10:00–10:30 daily) ends: a TRAFFIC_DROP on day 1 (nothing known yet), none on day 2 (the seasonal profile knows it)",
    windows: DAY + BATCH_END + 90,
    peakPerWindow: PEAK / 3,
    fault: (i, m, w) => (i === 'KOTAK' && m === 'upi' && w % DAY >= BATCH_START && w % DAY < BATCH_END ? { volumeFactor: 10 } : null),
    check: (r) => {
      const dropped = (from: number): boolean =>
        r.between(from, from + 90).some((c) => c.patterns.some((p) => p.type === 'TRAFFIC_DROP' && p.target === 'issuer:KOTAK'));
      return all(fail(dropped(BATCH_END), 'no drop on day 1: the batch did not end abruptly'), fail(!dropped(DAY + BATCH_END), 'drop on day 2'));
    },
  },
  {
    name: 'latency_spike',
    expected: 'a 10% bank 3x slower with nothing failing: LATENCY_SPIKE, paged (latency-only always pages), no move',
    windows: AT + 10,
    peakPerWindow: PEAK,
    fault: on('AXIS', AT, AT + 10, { latencyFactor: 3 }),
    check: (r) => {
      const during = r.between(AT, AT + 10);
      return all(
        fail(firstFinding(r, AT, AT + 10, 'issuer:AXIS', 'latencyP95Ms') === 1, 'not found in the first window'),
        fail(paged(during, 'issuer:AXIS'), 'no page'),
        fail(moves(during).length === 0, `moved ${names(moves(during))}`),
      );
    },
  },
  {
    name: 'latency_creep',
    expected: "a 10% bank's p95 doubling over an hour with nothing failing: LATENCY_SPIKE on it before the hour is out, paged, no move",
    windows: AT + 60,
    peakPerWindow: PEAK,
    fault: (i, _m, w) => (i === 'AXIS' && w >= AT ? { latencyFactor: 1 + (w - AT) / 60 } : null),
    check: (r) => {
      const during = r.between(AT, AT + 60);
      const found = firstFinding(r, AT, AT + 60, 'issuer:AXIS', 'latencyP95Ms');
      return all(
        fail(found >= 1 && found <= 60, `found in window ${found}`),
        fail(paged(during, 'issuer:AXIS'), 'no page'),
        fail(moves(during).length === 0, `moved ${names(moves(during))}`),
      );
    },
  },
  {
    name: 'retry_storm',
    expected: 'a 20% bank retrying 40% of attempts: RETRY_STORM found within 2 windows',
    windows: AT + 10,
    peakPerWindow: PEAK,
    fault: on('ICICI', AT, AT + 10, { retryShare: 0.4, successPoints: 0.03 }),
    check: (r) => {
      const found = firstFinding(r, AT, AT + 10, 'issuer:ICICI', 'retryRate');
      return fail(found >= 1 && found <= 2, `found in window ${found}`);
    },
  },
  {
    name: 'method_fatigue',
    expected: 'cards fail 35 points more at every bank: METHOD_PROVIDER_PROBLEM on method:card, not nine issuer faults',
    windows: AT + 10,
    peakPerWindow: PEAK,
    fault: (_i, m, w) => (m === 'card' && w >= AT ? { successPoints: 0.35 } : null),
    check: (r) => {
      const during = r.between(AT, AT + 10);
      return all(
        fail(caused(during, 'METHOD_PROVIDER_PROBLEM', 'method:card'), 'no METHOD_PROVIDER_PROBLEM'),
        fail(!during.some((c) => c.hypotheses.some((h) => h.cause.startsWith('ISSUER_'))), 'issuer faults blamed'),
      );
    },
  },
];

/** Generates the case's traffic for a seed and replays it; `nowMs` is the replay's clock. */
export function runScenarioCase(c: ScenarioCase, seed: number, nowMs: number): ScenarioRun {
  const config: AgentConfig = { ...defaultAgentConfig, ...c.config };
  const transactions = Array.from({ length: c.windows }, (_, i) =>
    trafficWindow({ seed, peakPerWindow: c.peakPerWindow, ...(c.fault ? { fault: c.fault } : {}) }, i),
  ).flat();
  const limits = defaultReplayLimits(nowMs);
  const cycles = [...replayCycles(bucketWindows(transactions, WINDOW_MS, limits), config, limits)];
  // Every window has traffic, so cycle i is window i of the day.
  return { cycles, between: (from, to) => cycles.slice(from, to).map((x) => x.result) };
}
