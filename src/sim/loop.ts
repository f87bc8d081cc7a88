// The closed loop in event time: the stream, the gateway and the pure agent core in one process,
// one cycle per window. The world reports back as the service would: autonomous proposals run at
// the window's end, directives last their TTL, a target whose incident resolves is released early,
// and an operator grants each approval after a delay, or never (the caller says which).
import {
  directiveParams,
  executedEvent,
  initialAgentState,
  MS_PER_SECOND,
  observe,
  runCycle,
  type AgentConfig,
  type AgentState,
  type CycleResult,
  type InterventionEvent,
  type InterventionRecord,
} from '../agent';
import { routingFrom, type Directive, type Routing } from './gateway';
import { addChunk, createStream, emptyChunk, type StreamChunk, type StreamOptions } from './stream';

export type Policy =
  | { kind: 'off' }
  /** Approvals are granted this many windows after they are asked for (0: at once); null: never. */
  | { kind: 'agent'; approveAfterWindows: number | null }
  /** Directives known in advance (the oracle), looked up for each second of event time; return the same list while it holds. */
  | { kind: 'fixed'; directivesAt(ms: number): Directive[] };

export interface LoopOptions {
  stream: StreamOptions;
  agent: AgentConfig;
  startMs: number;
  windows: number;
  paymentsPerSecond: number;
  /** Share of a suppressed issuer's traffic still sent to it (the service's actions.probe_share). */
  probeShare: number;
  policy: Policy;
}

export interface LoopWindow {
  index: number;
  start: number;
  end: number;
  chunk: StreamChunk;
  /** The agent's cycle over this window, or null when the agent is off. */
  result: CycleResult | null;
  /** Directives in force while this window's traffic flowed. */
  directives: Directive[];
}

const FIXED_STEP_MS = MS_PER_SECOND;

/** The directive the execute worker writes for an intervention (see src/interventions/operations.ts). */
export function directiveFor(record: Pick<InterventionRecord, 'id' | 'action' | 'target' | 'params'>, probeShare: number): Directive {
  return { id: record.id, action: record.action, target: record.target, params: directiveParams(record.action, record.params, probeShare) };
}

interface InForce {
  directive: Directive;
  subject: string;
  expiresAt: number;
}

/** What the world did with this cycle's decisions, as events for the next cycle and directives now in force. */
function react(
  result: CycleResult,
  inForce: Map<string, InForce>,
  approvals: Map<string, number>,
  approveAfterWindows: number | null,
  probeShare: number,
): InterventionEvent[] {
  const at = result.windowEnd;
  const events: InterventionEvent[] = [];
  const run = (record: InterventionRecord): void => {
    events.push(executedEvent(record, at));
    if (record.action !== 'ALERT_OPS') {
      inForce.set(record.id, { directive: directiveFor(record, probeShare), subject: record.subject, expiresAt: at + record.ttlSeconds * MS_PER_SECOND });
    }
  };
  for (const { record } of result.decision.chosen) {
    if (record.status === 'PROPOSED') run(record);
    if (record.status === 'AWAITING_APPROVAL' && approveAfterWindows !== null) approvals.set(record.id, result.cycleNumber + approveAfterWindows);
  }
  // The operator answers in time only while the request is still pending (it expires unanswered).
  for (const [id, dueCycle] of approvals) {
    if (dueCycle > result.cycleNumber) continue;
    approvals.delete(id);
    const record = result.state.interventions[id];
    if (record?.status !== 'AWAITING_APPROVAL') continue;
    events.push({ type: 'APPROVED', interventionId: id, at });
    run(record);
  }
  const resolved = new Set(result.incidentEvents.filter((e) => e.type === 'resolved').map((e) => e.incident.target));
  for (const [id, f] of inForce) {
    if (resolved.has(f.subject)) {
      events.push({ type: 'EXPIRED', interventionId: id, at });
      inForce.delete(id);
    }
  }
  for (const r of result.rollbacks) {
    if (inForce.delete(r.interventionId)) events.push({ type: 'ROLLED_BACK', interventionId: r.interventionId, at, reason: r.reason });
  }
  return events;
}

/** routingFrom, remembering the last list: fixed directives come back as the same list every second, and the stream caches its tables per Routing. */
function rememberingRouting(): (directives: readonly Directive[]) => Routing {
  let last: { directives: readonly Directive[]; routing: Routing } | null = null;
  return (directives) => {
    if (last?.directives !== directives) last = { directives, routing: routingFrom(directives) };
    return last.routing;
  };
}

export function* runClosedLoop(o: LoopOptions): Generator<LoopWindow> {
  const windowMs = o.agent.cycleIntervalSeconds * MS_PER_SECOND;
  const stream = createStream(o.stream, o.startMs, o.paymentsPerSecond);
  const fixedRouting = rememberingRouting();
  const inForce = new Map<string, InForce>();
  const approvals = new Map<string, number>();
  let state: AgentState = initialAgentState();
  let events: InterventionEvent[] = [];
  for (let index = 0; index < o.windows; index++) {
    const start = o.startMs + index * windowMs;
    const end = start + windowMs;
    for (const [id, f] of inForce) if (f.expiresAt <= start) inForce.delete(id);
    const directives = [...inForce.values()].map((f) => f.directive);
    let chunk: StreamChunk;
    if (o.policy.kind === 'fixed') {
      chunk = emptyChunk();
      for (let t = start; t < end; t += FIXED_STEP_MS)
        addChunk(chunk, stream.advance(Math.min(end, t + FIXED_STEP_MS), fixedRouting(o.policy.directivesAt(t))));
    } else {
      chunk = stream.advance(end, routingFrom(directives));
    }
    let result: CycleResult | null = null;
    if (o.policy.kind === 'agent') {
      result = runCycle(state, observe({ start, end }, chunk.transactions, o.agent.maxDimensionValues), o.agent, events);
      state = result.state;
      events = react(result, inForce, approvals, o.policy.approveAfterWindows, o.probeShare);
    }
    yield { index, start, end, chunk, result, directives };
  }
}
