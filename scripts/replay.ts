// Replays recorded transactions (NDJSON of contract transactions) through the agent core in event
// time, as the service would take them (src/sim/replay.ts): resent ids counted once, event times
// beyond --max-clock-skew-seconds from now refused, autonomous proposals treated as executed.
// Usage: npm run replay -- FILE [--json] [--window-seconds N] [--max-clock-skew-seconds N]
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { defaultAgentConfig, money, MS_PER_SECOND, percent, systemHealth, type AgentConfig, type CycleResult, type Transaction } from '../src/agent';
import { bucketWindows, defaultReplayLimits, replayCycles, type ReplayLimits } from '../src/sim/replay';

async function readTransactions(file: string): Promise<Transaction[]> {
  const out: Transaction[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const tx = JSON.parse(line) as Transaction;
    if (Number.isNaN(Date.parse(tx.timestamp))) throw new Error(`line ${lineNumber}: timestamp ${JSON.stringify(tx.timestamp)} is not RFC 3339`);
    out.push(tx);
  }
  return out;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const actionOf = (c: CycleResult['decision']['chosen'][number]) => ({
  type: c.option.action,
  target: c.option.target,
  status: c.record.status,
  blastRadius: c.option.blastRadius,
  nrv: c.option.nrv.nrv,
  currency: c.option.nrv.currency,
  heartbeat: c.record.heartbeat,
});

function jsonLine(r: CycleResult): string {
  const actions = r.decision.chosen.map(actionOf);
  const first = actions[0];
  return JSON.stringify({
    cycle: r.cycleNumber,
    windowStart: iso(r.windowStart),
    windowEnd: iso(r.windowEnd),
    transactions: r.metrics.system.volume,
    patterns: r.patterns.map((p) => ({ type: p.type, dimension: p.dimension, target: p.target, zScore: p.zScore, observed: p.observed, baseline: p.baseline })),
    hypotheses: r.hypotheses.map((h) => ({ cause: h.cause, target: h.target, confidence: h.confidence })),
    decision: r.decision.kind,
    reason: r.decision.reason,
    action: first ?? null,
    actions,
    nrv: first ? first.nrv : null,
    evaluations: r.evaluations.map((e) => ({
      interventionId: e.interventionId,
      realisedUpliftRate: e.realisedUpliftRate,
      rollbackRecommended: e.rollbackRecommended,
    })),
  });
}

function consoleBlock(r: CycleResult, config: AgentConfig): string {
  const health = systemHealth(r.metrics, r.patterns, config);
  const out = [`── Cycle ${r.cycleNumber}  ${iso(r.windowStart)} → ${iso(r.windowEnd)}  (${r.metrics.system.volume} transactions)`];
  for (const h of [...health.issuers, ...health.gateways]) {
    out.push(
      `  ${h.name.padEnd(10)} ${h.status.padEnd(8)} success ${percent(h.successRate).padStart(6)}  latency p95 ${h.latencyP95Ms.toFixed(0).padStart(5)} ms  retry ${percent(h.retryRate).padStart(6)}`,
    );
  }
  for (const p of r.patterns)
    out.push(`  pattern   ${p.type} ${p.target} observed ${p.observed.toFixed(3)} baseline ${p.baseline.toFixed(3)} z=${p.zScore.toFixed(1)}`);
  for (const h of r.hypotheses) out.push(`  cause     ${h.cause} ${h.target} confidence ${h.confidence.toFixed(2)}`);
  out.push(`  decision  ${r.decision.kind}: ${r.decision.reason}`);
  for (const c of r.decision.chosen) {
    const n = c.option.nrv;
    out.push(
      `  action    ${c.option.action} ${c.option.target}  NRV: ${money(n.nrv, n.currency)}  blast radius ${percent(c.option.blastRadius)}  ${c.record.status}${c.record.heartbeat ? ' (heartbeat)' : ''}`,
    );
  }
  for (const e of r.evaluations) out.push(`  evaluated ${e.interventionId}: ${e.reason}${e.rollbackRecommended ? '  -> ROLLBACK recommended' : ''}`);
  return out.join('\n');
}

function positive(value: string | undefined, name: string, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number`);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'window-seconds': { type: 'string' }, 'max-clock-skew-seconds': { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: npm run replay -- FILE [--json] [--window-seconds N] [--max-clock-skew-seconds N]');
  const windowSeconds = positive(values['window-seconds'], 'window-seconds', defaultAgentConfig.cycleIntervalSeconds);
  const config: AgentConfig = { ...defaultAgentConfig, cycleIntervalSeconds: windowSeconds };
  const defaults = defaultReplayLimits(Date.now());
  const limits: ReplayLimits = {
    ...defaults,
    maxClockSkewSeconds: positive(values['max-clock-skew-seconds'], 'max-clock-skew-seconds', defaults.maxClockSkewSeconds),
  };

  const input = bucketWindows(await readTransactions(file), windowSeconds * MS_PER_SECOND, limits);
  const tally = new Map<string, number>();
  const count = (key: string): void => void tally.set(key, (tally.get(key) ?? 0) + 1);
  let cycles = 0;
  const began = performance.now();
  for (const { result } of replayCycles(input, config, limits)) {
    cycles += 1;
    count(`decision ${result.decision.kind}`);
    for (const c of result.decision.chosen) count(`action ${c.option.action}`);
    for (const p of result.patterns) count(`pattern ${p.type}`);
    process.stdout.write(`${values.json ? jsonLine(result) : consoleBlock(result, config)}\n`);
  }
  if (!values.json) {
    const seconds = (performance.now() - began) / MS_PER_SECOND;
    process.stdout.write(`\n══ Summary: ${cycles} cycles in ${seconds.toFixed(2)} s (${(cycles / Math.max(seconds, Number.EPSILON)).toFixed(0)} windows/s)\n`);
    process.stdout.write(
      `  read ${input.read}, duplicates ${input.duplicates}, refused (event time beyond now + ${limits.maxClockSkewSeconds} s) ${input.refusedFuture}\n`,
    );
    for (const [key, n] of [...tally].sort()) process.stdout.write(`  ${key.padEnd(32)} ${n}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
