// Closed-loop benchmark: the same seeded scenarios (src/sim/loopScenarios.ts) with the agent off,
// with it on (the pure core in event time, its directives obeyed by the simulated checkout and
// orchestrator) and with an oracle that knows each fault in advance and applies the best single
// directive on its path for exactly its duration. Loss is what failed payments and retried attempts
// cost; beside it, the payments the directives turned away (would have succeeded with no directive,
// did not) and the failures they avoided, counted per payment on common random numbers.
// The agent runs three times per scenario, as the operator answers its approval requests: after
// --approval-delay windows (the headline figures: an on-call operator), never (`_autonomous_only`:
// what it does by itself, its contained moves included) and at once (`_instant_approvals`).
// Usage: npm run bench:loop [-- --seeds N] [--windows N] [--payments-per-window N] [--approval-delay WINDOWS] [--kinds a,b]
import { parseArgs } from 'node:util';
import { defaultAgentConfig, MS_PER_SECOND } from '../src/agent';
import { loadConfig } from '../src/config';
import { runClosedLoop } from '../src/sim/loop';
import {
  defaultLoopSettings,
  loopOptions,
  loopScenarioKinds,
  runOracle,
  scenarioOf,
  totalsOf,
  type LoopScenarioKind,
  type LoopSettings,
  type Scenario,
  type Totals,
} from '../src/sim/loopScenarios';
import { MINOR_PER_MAJOR } from '../src/sim/format';
import { driftFromConfig } from '../src/sim/profile';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '3' },
    windows: { type: 'string', default: String(defaultLoopSettings.windows) },
    'payments-per-window': { type: 'string', default: String(defaultLoopSettings.paymentsPerWindow) },
    'approval-delay': { type: 'string', default: '5' },
    kinds: { type: 'string', default: loopScenarioKinds.join(',') },
  },
});
const SEEDS = Number(values.seeds);
const APPROVAL_DELAY_WINDOWS = Number(values['approval-delay']);
const KINDS = values.kinds.split(',').map((k) => k.trim());
const unknown = KINDS.filter((k) => !(loopScenarioKinds as readonly string[]).includes(k));
if (unknown.length > 0) {
  process.stderr.write(`bench:loop: unknown kinds ${unknown.join(', ')}; known: ${loopScenarioKinds.join(', ')}\n`);
  process.exit(2);
}

const service = loadConfig();
const settings: LoopSettings = {
  ...defaultLoopSettings,
  agent: { ...defaultAgentConfig, ...service.agent },
  drift: driftFromConfig(service.drift),
  windows: Number(values.windows),
  paymentsPerWindow: Number(values['payments-per-window']),
  probeShare: service.actions.probe_share,
};

const scenarios: Scenario[] = (KINDS as LoopScenarioKind[]).flatMap((kind) => Array.from({ length: SEEDS }, (_, k) => scenarioOf(kind, k + 1, settings)));

/** How the operator answers approval requests: the headline first. */
const operators = [
  { key: '', label: `an operator approving ${APPROVAL_DELAY_WINDOWS} windows after being asked`, approveAfterWindows: APPROVAL_DELAY_WINDOWS },
  { key: '_autonomous_only', label: 'nobody approving: the agent alone', approveAfterWindows: null },
  { key: '_instant_approvals', label: 'an operator approving at once', approveAfterWindows: 0 },
];

const sum = (runs: readonly Totals[], field: 'lossMinor' | 'turnedAwayMinor' | 'avoidedMinor'): number => runs.reduce((s, t) => s + t[field], 0);
const major = (minor: number): string => (minor / MINOR_PER_MAJOR).toLocaleString('en-IN', { maximumFractionDigits: 0 });
const figure = (minor: number): number => Math.round(minor) / MINOR_PER_MAJOR;
const cell = (minor: number, width: number): string => major(minor).padStart(width);

const began = performance.now();
const off: Totals[] = [];
const oracle: Totals[] = [];
const agent: Totals[][] = operators.map(() => []);
const worst = operators.map(() => ({ saved: Infinity, name: '' }));
console.log(
  `${'scenario'.padEnd(44)} seed   loss(off)  loss(agent) loss(oracle)      saved oracle saved  turned away     avoided  alone: turned away   avoided   oracle's choice; agent's actions by itself`,
);
for (const s of scenarios) {
  const nothing = totalsOf(runClosedLoop(loopOptions(s, { kind: 'off' }, settings)));
  const best = runOracle(s, nothing, settings);
  off.push(nothing);
  oracle.push(best.totals);
  const agentRun = (approveAfterWindows: number | null): Totals => totalsOf(runClosedLoop(loopOptions(s, { kind: 'agent', approveAfterWindows }, settings)));
  // The policies differ only once the agent asks for an approval: a run that never asks stands for all three.
  const alone = agentRun(null);
  const runs = operators.map((o) => (o.approveAfterWindows === null || alone.approvalsAsked === 0 ? alone : agentRun(o.approveAfterWindows)));
  runs.forEach((run, i) => {
    agent[i]!.push(run);
    const saved = nothing.lossMinor - run.lossMinor;
    if (saved < worst[i]!.saved) worst[i] = { saved, name: `${s.name} seed ${s.seed}` };
  });
  const headline = runs[0] as Totals;
  console.log(
    `${s.name.padEnd(44)} ${String(s.seed).padStart(4)} ${cell(nothing.lossMinor, 11)} ${cell(headline.lossMinor, 12)} ${cell(best.totals.lossMinor, 12)} ${cell(nothing.lossMinor - headline.lossMinor, 10)} ${cell(nothing.lossMinor - best.totals.lossMinor, 12)}` +
      ` ${cell(headline.turnedAwayMinor, 12)} ${cell(headline.avoidedMinor, 11)} ${cell(alone.turnedAwayMinor, 19)} ${cell(alone.avoidedMinor, 9)}   ${best.choice}; ${alone.actions.join(', ') || '-'}`,
  );
}

const lossOff = sum(off, 'lossMinor');
const oracleSaved = lossOff - sum(oracle, 'lossMinor');
console.log(
  `loss to failed payments and retries (INR): agent off ${major(lossOff)}, agent on ${major(sum(agent[0]!, 'lossMinor'))}, oracle ${major(sum(oracle, 'lossMinor'))}`,
);
const figures: Record<string, number> = {};
operators.forEach((o, i) => {
  const runs = agent[i]!;
  const saved = lossOff - sum(runs, 'lossMinor');
  const turnedAway = sum(runs, 'turnedAwayMinor');
  const avoided = sum(runs, 'avoidedMinor');
  console.log(
    `${o.label}: saved ${major(saved)} of the oracle's ${major(oracleSaved)} (${((saved / oracleSaved) * 100).toFixed(1)}%); turned away ${major(turnedAway)} of good payments to avoid ${major(avoided)} of failures; worst scenario against doing nothing: ${major(worst[i]!.saved)} (${worst[i]!.name})`,
  );
  figures[`saved${o.key}`] = figure(saved);
  figures[`share_of_oracle${o.key}`] = Number((oracleSaved > 0 ? saved / oracleSaved : 1).toFixed(3));
  figures[`worst_vs_nothing${o.key}`] = figure(worst[i]!.saved);
  figures[`harm_turned_away${o.key}`] = figure(turnedAway);
  figures[`failed_avoided${o.key}`] = figure(avoided);
});
console.log(`the oracle: turned away ${major(sum(oracle, 'turnedAwayMinor'))} of good payments to avoid ${major(sum(oracle, 'avoidedMinor'))} of failures`);
console.log(`ran in ${((performance.now() - began) / MS_PER_SECOND).toFixed(1)} s`);
console.log(
  JSON.stringify({
    scenarios: scenarios.length,
    lost_off: figure(lossOff),
    lost_on: figure(sum(agent[0]!, 'lossMinor')),
    lost_oracle: figure(sum(oracle, 'lossMinor')),
    oracle_saved: figure(oracleSaved),
    approval_delay_windows: APPROVAL_DELAY_WINDOWS,
    ...figures,
    harm_turned_away_oracle: figure(sum(oracle, 'turnedAwayMinor')),
    failed_avoided_oracle: figure(sum(oracle, 'avoidedMinor')),
  }),
);
