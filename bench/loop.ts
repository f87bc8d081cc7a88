// Closed-loop benchmark: the same seeded scenarios with the agent off, with it on (the pure core in
// event time, its directives obeyed by the simulated gateway) and with an oracle that knows each
// incident in advance and applies the best directive for exactly its duration.
// The agent runs three times per scenario, as the operator answers its approval requests: after
// --approval-delay windows (the headline figures: an on-call operator), never (`_autonomous_only`:
// what it does by itself, its contained moves included) and at once (`_instant_approvals`).
// Usage: npm run bench:loop [-- --seeds N] [--approval-delay WINDOWS]
import { parseArgs } from 'node:util';
import { defaultAgentConfig } from '../src/agent/config';
import { scopeLabel } from '../src/agent/contain';
import { issuerTarget, methodTarget, parseTarget } from '../src/agent/targets';
import { loadConfig } from '../src/config';
import type { Directive } from '../src/sim/gateway';
import { incidentKinds, type ScriptedIncident } from '../src/sim/incidents';
import { runClosedLoop, type Policy } from '../src/sim/loop';
import { driftFromConfig, streamOptions } from '../src/sim/profile';
import { defaultScenarioOptions } from '../src/sim/scenarios';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '4' },
    windows: { type: 'string', default: '70' },
    'payments-per-window': { type: 'string', default: '2400' },
    'approval-delay': { type: 'string', default: '5' },
  },
});
const SEEDS = Number(values.seeds);
const WINDOWS = Number(values.windows);
const PAYMENTS_PER_WINDOW = Number(values['payments-per-window']);
const APPROVAL_DELAY_WINDOWS = Number(values['approval-delay']);
/** Incidents start once the baselines have warmed up and last a third of the run. */
const INCIDENT_START_WINDOW = Math.floor(WINDOWS * 0.4);
const INCIDENT_WINDOWS = Math.floor(WINDOWS / 3);
/** As in bench:detect, incidents hit one of the largest issuers or methods. */
const TARGET_ISSUERS = 4;
const TARGET_METHODS = 2;
const START_MS = defaultScenarioOptions.startEpochMs;
const MS_PER_SECOND = 1000;
const MINOR_PER_MAJOR = 100;

const service = loadConfig();
const agent = { ...defaultAgentConfig, ...service.agent };
const windowMs = agent.cycleIntervalSeconds * MS_PER_SECOND;
const probeShare = service.actions.probe_share;

interface Scenario {
  name: string;
  seed: number;
  incidents: ScriptedIncident[];
}

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const kind of [...incidentKinds, 'healthy' as const]) {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const incidents: ScriptedIncident[] = [];
      let target = '-';
      if (kind !== 'healthy') {
        target =
          kind === 'method_fatigue'
            ? methodTarget(defaultScenarioOptions.methods[seed % TARGET_METHODS]?.name ?? '')
            : issuerTarget(defaultScenarioOptions.issuers[seed % TARGET_ISSUERS]?.name ?? '');
        const startMs = START_MS + INCIDENT_START_WINDOW * windowMs;
        incidents.push({ kind, target, startMs, endMs: startMs + INCIDENT_WINDOWS * windowMs });
      }
      out.push({ name: `${kind} ${target}`, seed, incidents });
    }
  }
  return out;
}

function lostMinor(s: Scenario, policy: Policy): { lost: number; actions: string[] } {
  let lost = 0;
  const actions = new Set<string>();
  for (const w of runClosedLoop({
    stream: streamOptions(s.seed, driftFromConfig(service.drift), { incidents: s.incidents }),
    agent,
    startMs: START_MS,
    windows: WINDOWS,
    paymentsPerSecond: PAYMENTS_PER_WINDOW / agent.cycleIntervalSeconds,
    probeShare,
    policy,
  })) {
    lost += w.chunk.lostMinor;
    for (const { record } of w.result?.decision.chosen ?? []) {
      if (record.action === 'ALERT_OPS' || record.status === 'AWAITING_APPROVAL') continue;
      actions.add(`${record.action} ${record.target}${scopeLabel(record)}`);
    }
  }
  return { lost, actions: [...actions] };
}

/** Every directive that could answer the incident, in force for exactly its duration. */
function oracleCandidates(incident: ScriptedIncident): Directive[] {
  const { method } = parseTarget(incident.target);
  const actions = method === null ? ['SUPPRESS_ISSUER', 'REDUCE_RETRIES'] : ['REROUTE_METHOD', 'REDUCE_RETRIES'];
  return actions.map((action): Directive => {
    const params: Directive['params'] =
      action === 'SUPPRESS_ISSUER' ? { trafficShare: 1 - probeShare, probeShare } : action === 'REDUCE_RETRIES' ? { maxRetries: agent.reducedMaxRetries, trafficShare: 1 } : { trafficShare: 1 };
    return { id: `oracle:${action}`, action, target: incident.target, params };
  });
}

function oracleLost(s: Scenario, nothing: number): number {
  let best = nothing;
  for (const incident of s.incidents) {
    for (const directive of oracleCandidates(incident)) {
      const policy: Policy = { kind: 'fixed', directivesAt: (ms) => (ms >= incident.startMs && ms < incident.endMs ? [directive] : []) };
      best = Math.min(best, lostMinor(s, policy).lost);
    }
  }
  return best;
}

const major = (minor: number): string => (minor / MINOR_PER_MAJOR).toLocaleString('en-IN', { maximumFractionDigits: 0 });

const began = performance.now();
/** How the operator answers approval requests: the headline first. */
const operators = [
  { key: '', label: `an operator approving ${APPROVAL_DELAY_WINDOWS} windows after being asked`, approveAfterWindows: APPROVAL_DELAY_WINDOWS },
  { key: '_autonomous_only', label: 'nobody approving: the agent alone', approveAfterWindows: null },
  { key: '_instant_approvals', label: 'an operator approving at once', approveAfterWindows: 0 },
];
const lost = { off: 0, oracle: 0, agent: operators.map(() => 0) };
const worst = operators.map(() => ({ saved: Infinity, name: '' }));
console.log(`scenario                 seed   lost(off)    lost(agent)  lost(oracle)  saved      oracle     agent's actions, by itself`);
for (const s of scenarios()) {
  const off = lostMinor(s, { kind: 'off' }).lost;
  const oracle = oracleLost(s, off);
  lost.off += off;
  lost.oracle += oracle;
  const runs = operators.map((o) => lostMinor(s, { kind: 'agent', approveAfterWindows: o.approveAfterWindows }));
  runs.forEach((run, i) => {
    lost.agent[i]! += run.lost;
    if (off - run.lost < worst[i]!.saved) worst[i] = { saved: off - run.lost, name: `${s.name} seed ${s.seed}` };
  });
  console.log(
    `${s.name.padEnd(24)} ${String(s.seed).padStart(4)} ${major(off).padStart(11)} ${major(runs[0]!.lost).padStart(13)} ${major(oracle).padStart(13)}  ${major(off - runs[0]!.lost).padStart(9)} ${major(off - oracle).padStart(10)}   ${runs[1]!.actions.join(', ') || '-'}`,
  );
}
const oracleSaved = lost.off - lost.oracle;
console.log(`revenue lost to failures (INR): agent off ${major(lost.off)}, agent on ${major(lost.agent[0]!)}, oracle ${major(lost.oracle)}`);
const figures: Record<string, number | string> = {};
operators.forEach((o, i) => {
  const saved = lost.off - lost.agent[i]!;
  console.log(`${o.label}: saved ${major(saved)} of the oracle's ${major(oracleSaved)} (${((saved / oracleSaved) * 100).toFixed(1)}%); worst scenario against doing nothing: ${major(worst[i]!.saved)} (${worst[i]!.name})`);
  figures[`saved${o.key}`] = Math.round(saved) / MINOR_PER_MAJOR;
  figures[`share_of_oracle${o.key}`] = Number((oracleSaved > 0 ? saved / oracleSaved : 1).toFixed(3));
  figures[`worst_vs_nothing${o.key}`] = Math.round(worst[i]!.saved) / MINOR_PER_MAJOR;
});
console.log(`ran in ${((performance.now() - began) / MS_PER_SECOND).toFixed(1)} s`);
console.log(
  JSON.stringify({
    scenarios: scenarios().length,
    lost_off: Math.round(lost.off) / MINOR_PER_MAJOR,
    lost_on: Math.round(lost.agent[0]!) / MINOR_PER_MAJOR,
    lost_oracle: Math.round(lost.oracle) / MINOR_PER_MAJOR,
    oracle_saved: Math.round(oracleSaved) / MINOR_PER_MAJOR,
    approval_delay_windows: APPROVAL_DELAY_WINDOWS,
    ...figures,
  }),
);
