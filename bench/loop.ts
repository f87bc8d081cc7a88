// Closed-loop benchmark: the same seeded scenarios with the agent off, with it on (the pure core in
// event time, its directives obeyed by the simulated gateway) and with an oracle that knows each
// incident in advance and applies the best directive for exactly its duration.
// The agent runs twice per scenario: as deployed, with an operator granting each approval it asks
// for (the headline figures), and autonomous only, with nobody approving (the `_autonomous_only` figures).
// Usage: npm run bench:loop [-- --seeds N]
import { parseArgs } from 'node:util';
import { defaultAgentConfig } from '../src/agent/config';
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
  },
});
const SEEDS = Number(values.seeds);
const WINDOWS = Number(values.windows);
const PAYMENTS_PER_WINDOW = Number(values['payments-per-window']);
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
    for (const c of w.result?.decision.chosen ?? []) {
      if (c.record.action !== 'ALERT_OPS') actions.add(`${c.record.action} ${c.record.target}${c.record.status === 'AWAITING_APPROVAL' ? ' (approved)' : ''}`);
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
const totals = { off: 0, on: 0, alone: 0, oracle: 0 };
let worst = Infinity;
let worstName = '';
let worstAlone = Infinity;
console.log(`scenario                 seed   lost(off)    lost(agent)  lost(oracle)  saved      oracle     agent's actions`);
for (const s of scenarios()) {
  const off = lostMinor(s, { kind: 'off' }).lost;
  const on = lostMinor(s, { kind: 'agent', approve: true });
  const alone = lostMinor(s, { kind: 'agent', approve: false }).lost;
  const oracle = oracleLost(s, off);
  totals.off += off;
  totals.on += on.lost;
  totals.alone += alone;
  totals.oracle += oracle;
  worstAlone = Math.min(worstAlone, off - alone);
  const saved = off - on.lost;
  if (saved < worst) {
    worst = saved;
    worstName = `${s.name} seed ${s.seed}`;
  }
  console.log(
    `${s.name.padEnd(24)} ${String(s.seed).padStart(4)} ${major(off).padStart(11)} ${major(on.lost).padStart(13)} ${major(oracle).padStart(13)}  ${major(saved).padStart(9)} ${major(off - oracle).padStart(10)}   ${on.actions.join(', ') || '-'}`,
  );
}
const saved = totals.off - totals.on;
const oracleSaved = totals.off - totals.oracle;
console.log(`revenue lost to failures (INR): agent off ${major(totals.off)}, agent on ${major(totals.on)}, oracle ${major(totals.oracle)}`);
console.log(`saved ${major(saved)} of the oracle's ${major(oracleSaved)} (${((saved / oracleSaved) * 100).toFixed(1)}%); worst scenario against doing nothing: ${major(worst)} (${worstName})`);
const savedAlone = totals.off - totals.alone;
console.log(`autonomous only (nobody approves what is above the autonomy limit): saved ${major(savedAlone)} (${((savedAlone / oracleSaved) * 100).toFixed(1)}% of the oracle's); worst scenario against doing nothing: ${major(worstAlone)}`);
console.log(`ran in ${((performance.now() - began) / MS_PER_SECOND).toFixed(1)} s`);
console.log(
  JSON.stringify({
    scenarios: scenarios().length,
    lost_off: Math.round(totals.off) / MINOR_PER_MAJOR,
    lost_on: Math.round(totals.on) / MINOR_PER_MAJOR,
    lost_oracle: Math.round(totals.oracle) / MINOR_PER_MAJOR,
    saved: Math.round(saved) / MINOR_PER_MAJOR,
    oracle_saved: Math.round(oracleSaved) / MINOR_PER_MAJOR,
    share_of_oracle: Number((oracleSaved > 0 ? saved / oracleSaved : 1).toFixed(3)),
    worst_vs_nothing: Math.round(worst) / MINOR_PER_MAJOR,
    approvals: 'granted',
    saved_autonomous_only: Math.round(savedAlone) / MINOR_PER_MAJOR,
    share_of_oracle_autonomous_only: Number((oracleSaved > 0 ? savedAlone / oracleSaved : 1).toFixed(3)),
    worst_vs_nothing_autonomous_only: Math.round(worstAlone) / MINOR_PER_MAJOR,
  }),
);
