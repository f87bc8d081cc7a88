// Recorded (or generated) transactions through the agent core in event time, as the service would
// take them: ids deduplicated, event times too far in the future refused, one cycle per window with
// the quiet windows in between, autonomous proposals treated as executed at the window's end.
// `npm run replay` and `npm run bench:scenarios` both run this.
import {
  executedEvent,
  initialAgentState,
  MS_PER_SECOND,
  observe,
  runCycle,
  windowStartFor,
  type AgentConfig,
  type CycleResult,
  type InterventionEvent,
  type Transaction,
} from '../agent';

export interface ReplayLimits {
  /** Event times beyond `nowMs` plus this are refused, as the service refuses them (ingest.max_clock_skew_seconds). */
  maxClockSkewSeconds: number;
  /** The replay's clock: the time the file is replayed at. */
  nowMs: number;
  /** Longest run of empty windows walked between recorded ones; longer gaps are jumped. */
  maxEmptyWindows: number;
}

export const defaultReplayLimits = (nowMs: number): ReplayLimits => ({ maxClockSkewSeconds: 300, nowMs, maxEmptyWindows: 1440 });

export interface ReplayInput {
  /** Window start (epoch ms) -> its attempts, each id once. */
  windows: Map<number, Transaction[]>;
  read: number;
  duplicates: number;
  /** Attempts refused for an event time too far in the future. */
  refusedFuture: number;
}

/** Buckets attempts by window, dropping resent ids and refusing far-future event times. */
export function bucketWindows(transactions: Iterable<Transaction>, windowMs: number, limits: ReplayLimits): ReplayInput {
  const input: ReplayInput = { windows: new Map(), read: 0, duplicates: 0, refusedFuture: 0 };
  const seen = new Set<string>();
  const latest = limits.nowMs + limits.maxClockSkewSeconds * MS_PER_SECOND;
  for (const tx of transactions) {
    input.read += 1;
    const at = Date.parse(tx.timestamp);
    if (at > latest) {
      input.refusedFuture += 1;
      continue;
    }
    if (seen.has(tx.id)) {
      input.duplicates += 1;
      continue;
    }
    seen.add(tx.id);
    const start = windowStartFor(at, windowMs);
    const bucket = input.windows.get(start);
    if (bucket) bucket.push(tx);
    else input.windows.set(start, [tx]);
  }
  return input;
}

/**
 * What the service would report back: autonomous proposals run, and moves on a target whose
 * incident resolved are released early. Approvals never come in a replay.
 */
function reactions(result: CycleResult): { events: InterventionEvent[]; released: string[] } {
  const at = result.windowEnd;
  const events: InterventionEvent[] = result.decision.chosen.filter((c) => c.record.status === 'PROPOSED').map((c) => executedEvent(c.record, at));
  const recovered = new Set(result.incidentEvents.filter((e) => e.type === 'resolved').map((e) => e.incident.target));
  const released = Object.values(result.state.interventions)
    .filter((r) => (r.status === 'EXECUTED' || r.status === 'EVALUATED') && r.action !== 'ALERT_OPS' && recovered.has(r.subject))
    .map((r) => r.id);
  for (const id of released) events.push({ type: 'EXPIRED', interventionId: id, at });
  return { events, released };
}

export interface ReplayedCycle {
  result: CycleResult;
  /** Moves released at this window's end because their target recovered. */
  released: string[];
}

/** The window starts to run: every recorded one, and the quiet ones between unless the gap is too long. */
function windowStarts(recorded: readonly number[], windowMs: number, maxEmptyWindows: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < recorded.length; i++) {
    const start = recorded[i] as number;
    out.push(start);
    const next = recorded[i + 1];
    if (next === undefined || (next - start) / windowMs - 1 > maxEmptyWindows) continue;
    for (let t = start + windowMs; t < next; t += windowMs) out.push(t);
  }
  return out;
}

/** One cycle per window, in event time. */
export function* replayCycles(input: ReplayInput, config: AgentConfig, limits: ReplayLimits): Generator<ReplayedCycle> {
  const windowMs = config.cycleIntervalSeconds * MS_PER_SECOND;
  const recorded = [...input.windows.keys()].sort((a, b) => a - b);
  let state = initialAgentState();
  let events: InterventionEvent[] = [];
  for (const start of windowStarts(recorded, windowMs, limits.maxEmptyWindows)) {
    const window = { start, end: start + windowMs };
    const result = runCycle(state, observe(window, input.windows.get(start) ?? [], config.maxDimensionValues), config, events);
    state = result.state;
    const reacted = reactions(result);
    events = reacted.events;
    yield { result, released: reacted.released };
  }
}
