// Replays recorded transactions (NDJSON of contract transactions) through the agent core in event
// time: one cycle per window, autonomous proposals treated as executed at the window's end.
// Usage: npm run replay -- FILE [--json] [--window-seconds N]
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  defaultAgentConfig,
  initialAgentState,
  observe,
  runCycle,
  systemHealth,
  windowStartFor,
  type AgentConfig,
  type CycleResult,
  type InterventionEvent,
  type Transaction,
} from '../src/agent';
import { MS_PER_SECOND, percent } from '../src/agent/units';

async function readWindows(file: string, windowMs: number): Promise<Map<number, Transaction[]>> {
  const windows = new Map<number, Transaction[]>();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const tx = JSON.parse(line) as Transaction;
    const at = Date.parse(tx.timestamp);
    if (Number.isNaN(at)) throw new Error(`line ${lineNumber}: timestamp ${JSON.stringify(tx.timestamp)} is not RFC 3339`);
    const start = windowStartFor(at, windowMs);
    const bucket = windows.get(start);
    if (bucket) bucket.push(tx);
    else windows.set(start, [tx]);
  }
  return windows;
}

/** What the world would report back: autonomous proposals run; approvals never come in a replay. */
function executions(result: CycleResult): InterventionEvent[] {
  return result.decision.chosen
    .filter((c) => c.record.status === 'PROPOSED')
    .map((c) => ({ type: 'EXECUTED', interventionId: c.record.id, at: result.windowEnd }));
}

const iso = (ms: number): string => new Date(ms).toISOString();

function jsonLine(r: CycleResult): string {
  const first = r.decision.chosen[0];
  return JSON.stringify({
    cycle: r.cycleNumber,
    windowStart: iso(r.windowStart),
    windowEnd: iso(r.windowEnd),
    transactions: r.metrics.system.volume,
    patterns: r.patterns.map((p) => ({ type: p.type, dimension: p.dimension, target: p.target, zScore: p.zScore, observed: p.observed, baseline: p.baseline })),
    hypotheses: r.hypotheses.map((h) => ({ cause: h.cause, target: h.target, confidence: h.confidence })),
    decision: r.decision.kind,
    reason: r.decision.reason,
    action: first ? { type: first.option.action, target: first.option.target, status: first.record.status, blastRadius: first.option.blastRadius } : null,
    nrv: first ? first.option.nrv.nrv : null,
    evaluations: r.evaluations.map((e) => ({ interventionId: e.interventionId, realisedUpliftRate: e.realisedUpliftRate, rollbackRecommended: e.rollbackRecommended })),
  });
}

function consoleBlock(r: CycleResult, config: AgentConfig): string {
  const health = systemHealth(r.metrics, r.patterns, config);
  const out = [`── Cycle ${r.cycleNumber}  ${iso(r.windowStart)} → ${iso(r.windowEnd)}  (${r.metrics.system.volume} transactions)`];
  for (const h of health.issuers) {
    out.push(`  ${h.name.padEnd(10)} ${h.status.padEnd(8)} success ${percent(h.successRate).padStart(6)}  latency p95 ${h.latencyP95Ms.toFixed(0).padStart(5)} ms  retry ${percent(h.retryRate).padStart(6)}`);
  }
  for (const p of r.patterns) out.push(`  pattern   ${p.type} ${p.target} observed ${p.observed.toFixed(3)} baseline ${p.baseline.toFixed(3)} z=${p.zScore.toFixed(1)}`);
  for (const h of r.hypotheses) out.push(`  cause     ${h.cause} ${h.target} confidence ${h.confidence.toFixed(2)}`);
  out.push(`  decision  ${r.decision.kind}: ${r.decision.reason}`);
  for (const c of r.decision.chosen) {
    out.push(`  action    ${c.option.action} ${c.option.target}  NRV: $${c.option.nrv.nrv.toFixed(2)}  blast radius ${percent(c.option.blastRadius)}  ${c.record.status}`);
  }
  for (const e of r.evaluations) out.push(`  evaluated ${e.interventionId}: ${e.reason}${e.rollbackRecommended ? '  -> ROLLBACK recommended' : ''}`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'window-seconds': { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: npm run replay -- FILE [--json] [--window-seconds N]');
  const windowSeconds = values['window-seconds'] === undefined ? defaultAgentConfig.cycleIntervalSeconds : Number(values['window-seconds']);
  if (!(windowSeconds > 0)) throw new Error('--window-seconds must be a positive number');
  const config: AgentConfig = { ...defaultAgentConfig, cycleIntervalSeconds: windowSeconds };
  const windowMs = windowSeconds * MS_PER_SECOND;

  const windows = await readWindows(file, windowMs);
  const starts = [...windows.keys()].sort((a, b) => a - b);
  const first = starts[0];
  const last = starts[starts.length - 1];
  const tally = new Map<string, number>();
  const count = (key: string): void => void tally.set(key, (tally.get(key) ?? 0) + 1);
  let state = initialAgentState();
  let events: InterventionEvent[] = [];
  let cycles = 0;
  const began = performance.now();
  // Empty windows between recorded ones still run: quiet time is part of event time.
  for (let start = first ?? 0; first !== undefined && last !== undefined && start <= last; start += windowMs) {
    const window = { start, end: start + windowMs };
    const result = runCycle(state, observe(window, windows.get(start) ?? []), config, events);
    state = result.state;
    events = executions(result);
    cycles += 1;
    count(`decision ${result.decision.kind}`);
    for (const c of result.decision.chosen) count(`action ${c.option.action}`);
    for (const p of result.patterns) count(`pattern ${p.type}`);
    process.stdout.write(`${values.json ? jsonLine(result) : consoleBlock(result, config)}\n`);
  }
  if (!values.json) {
    const seconds = (performance.now() - began) / MS_PER_SECOND;
    process.stdout.write(`\n══ Summary: ${cycles} cycles in ${seconds.toFixed(2)} s (${(cycles / Math.max(seconds, Number.EPSILON)).toFixed(0)} windows/s)\n`);
    for (const [key, n] of [...tally].sort()) process.stdout.write(`  ${key.padEnd(32)} ${n}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
