// The original single-shot demo: healthy traffic, a predefined issuer outage, and the agent's way
// through it (detection, hypothesis, options with NRV, decision, action, recovery). It runs the pure
// core in event time on the simulated stream, so it needs no Postgres or Redis and ends in seconds.
// Usage: npm run demo:simple [-- --seed N]
import { parseArgs } from 'node:util';
import { defaultAgentConfig, issuerTarget, MS_PER_SECOND, parseTarget, systemHealth, type CycleResult } from '../src/agent';
import { loadConfig } from '../src/config';
import { RULE, inr, nrvLine, pct } from '../src/sim/format';
import { runClosedLoop, type LoopOptions, type LoopWindow } from '../src/sim/loop';
import { defaultMagnitudes } from '../src/sim/incidents';
import { SIM_START_MS, demoIssuers, driftFromConfig, streamOptions } from '../src/sim/profile';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '7' } } });
const seed = Number(values.seed);
/** SBI carries 10% of payments: under the autonomy limit, so the agent may act without an operator. */
const OUTAGE_ISSUER = 'SBI';
const HEALTHY_WINDOWS = 14;
const OUTAGE_WINDOWS = 10;
const AFTER_WINDOWS = 8;
const PAYMENTS_PER_SECOND = 25;

const service = loadConfig();
const agent = { ...defaultAgentConfig, ...service.agent };
const windowMs = agent.cycleIntervalSeconds * MS_PER_SECOND;
const startMs = SIM_START_MS;
const outageStart = startMs + HEALTHY_WINDOWS * windowMs;
const outageEnd = outageStart + OUTAGE_WINDOWS * windowMs;
const target = issuerTarget(OUTAGE_ISSUER);

const loop = (policy: LoopOptions['policy']): LoopWindow[] => [
  ...runClosedLoop({
    stream: streamOptions(seed, driftFromConfig(service.drift), {
      issuers: demoIssuers,
      incidents: [{ kind: 'outage', target, startMs: outageStart, endMs: outageEnd }],
    }),
    agent,
    startMs,
    windows: HEALTHY_WINDOWS + OUTAGE_WINDOWS + AFTER_WINDOWS,
    paymentsPerSecond: PAYMENTS_PER_SECOND,
    probeShare: service.actions.probe_share,
    policy,
  }),
];

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const at = (ms: number): string => new Date(ms).toISOString();
const onTarget = (t: string): boolean => parseTarget(t).issuer === OUTAGE_ISSUER;

function windowLine(w: LoopWindow): string {
  const r = w.result as CycleResult;
  const m = r.metrics.issuers[OUTAGE_ISSUER];
  const share = m && r.metrics.system.volume > 0 ? m.volume / r.metrics.system.volume : 0;
  const sbiHealth = systemHealth(r.metrics, r.patterns, agent).issuers.find((h) => h.name === OUTAGE_ISSUER);
  return `  cycle ${String(r.cycleNumber).padStart(2)}  ${r.metrics.system.volume} attempts  system success ${pct(r.metrics.system.volume ? r.metrics.system.successes / r.metrics.system.volume : 0, 1)}  ${OUTAGE_ISSUER} ${sbiHealth?.status ?? 'HEALTHY'} ${pct(sbiHealth?.successRate ?? 0, 1)} of ${pct(share, 1)} of traffic  lost ${inr(w.chunk.lostMinor)}`;
}

const withAgent = loop({ kind: 'agent', approveAfterWindows: null });
const withoutAgent = loop({ kind: 'off' });
const results = withAgent.map((w) => w.result as CycleResult);
const detected = results.find((r) => r.windowStart >= outageStart && r.patterns.some((p) => onTarget(p.target)));
const acted = results.find((r) => r.decision.chosen.some((c) => c.record.action !== 'ALERT_OPS' && onTarget(c.record.target)));
const chosen = acted?.decision.chosen.find((c) => c.record.action !== 'ALERT_OPS' && onTarget(c.record.target));

say(RULE);
say(`PAYOPS SIMPLE DEMO: a predefined ${OUTAGE_ISSUER} outage (seed ${seed}; pure agent core in event time, ${agent.cycleIntervalSeconds} s windows)`);
say(RULE);
say(
  `[1] HEALTHY TRAFFIC  ${demoIssuers.map((i) => `${i.name} ${pct(i.weight, 0)}`).join(', ')}; health drifts (OU theta ${service.drift.theta}, sigma ${service.drift.sigma}, mean ${service.drift.mean_success})`,
);
for (const w of withAgent.filter((x) => x.start < outageStart)) say(windowLine(w));
say(`[2] OUTAGE  ${OUTAGE_ISSUER} fails from ${at(outageStart)} to ${at(outageEnd)} (success at most ${pct(defaultMagnitudes.outageSuccessRate, 0)})`);
if (!detected || !acted || !chosen) {
  say(`the agent did not ${detected ? 'act on' : 'detect'} the outage`);
  process.exit(1);
}
for (const w of withAgent.filter((x) => x.start >= outageStart && x.start <= acted.windowStart)) say(windowLine(w));
say(`[3] DETECTION  cycle ${detected.cycleNumber}`);
for (const p of detected.patterns.filter((x) => onTarget(x.target))) {
  say(`  ${p.type} ${p.target} ${p.metric}: observed ${p.observed.toFixed(3)} vs baseline ${p.baseline.toFixed(3)}, z = ${p.zScore.toFixed(1)}`);
}
say(`[4] HYPOTHESIS  cycle ${acted.cycleNumber}`);
for (const h of acted.hypotheses) say(`  ${h.cause} ${h.target} confidence ${h.confidence.toFixed(2)}: ${h.evidence.join('; ')}`);
say('[5] OPTIONS  NRV = revenue recovered - cost - risk (INR)');
for (const o of [...acted.options].sort((a, b) => b.nrv.nrv - a.nrv.nrv))
  say(`  ${o.action} ${o.target}  ${nrvLine(o.nrv)}  blast radius ${o.blastRadius.toFixed(2)}`);
say(`[6] DECISION  ${acted.decision.kind}: ${acted.decision.reason}`);
say(
  `  pre-mortem: blast radius ${chosen.preMortem.blastRadius.toFixed(2)} (autonomy limit ${chosen.preMortem.autonomyLimit}), ${chosen.preMortem.requiresApproval ? 'needs approval' : 'autonomous'}; risks: ${chosen.preMortem.risks.map((r) => `${r.description} (${r.likelihood.toFixed(2)})`).join('; ')}`,
);
const directive = withAgent.find((w) => w.directives.some((d) => d.id === chosen.record.id))?.directives.find((d) => d.id === chosen.record.id);
say(`[7] ACTION  ${chosen.record.action} on ${chosen.record.target} (${chosen.record.status}) from ${at(acted.windowEnd)}`);
say(`  routing directive: ${directive ? JSON.stringify(directive.params) : 'not put into force'}`);
say('[8] RECOVERY');
for (const w of withAgent.filter((x) => x.start > acted.windowStart)) {
  const r = w.result as CycleResult;
  const notes = [
    ...r.incidentEvents.filter((e) => onTarget(e.incident.target)).map((e) => `incident ${e.type}`),
    ...r.evaluations.filter((e) => onTarget(e.target)).map((e) => `evaluated: ${e.reason}`),
    w.start === outageEnd ? `${OUTAGE_ISSUER} back up` : '',
  ].filter(Boolean);
  say(
    `${windowLine(w)}${w.directives.length ? `  [${w.directives.map((d) => `${d.action} ${d.target}`).join(', ')}]` : ''}${notes.length ? `  ${notes.join('; ')}` : ''}`,
  );
}
const lost = (ws: LoopWindow[]): number => ws.reduce((sum, w) => sum + w.chunk.lostMinor, 0);
say(RULE);
say(
  `Revenue lost to failures: ${inr(lost(withAgent))} with the agent, ${inr(lost(withoutAgent))} without it (same seed): saved ${inr(lost(withoutAgent) - lost(withAgent))}`,
);
say(RULE);
