// The state a fresh agent starts from; everything after it comes out of runCycle.
import { BASELINE, emptyBaseline, seenIn } from './baseline';
import type { AgentConfig } from './config';
import { lookup } from './metrics';
import type { Season } from './seasonal';
import type { AgentState, Baselines, DimensionTree } from './types';

export function initialAgentState(): AgentState {
  return {
    cycle: 0,
    cyclesWithoutAction: 0,
    baselines: emptyBaselines(),
    streaks: {},
    incidents: {},
    interventions: {},
    effectiveness: {},
    pools: {},
    resolvedIncidents: {},
    unclassifiedErrorCodes: {},
    seasons: {},
  };
}

export function emptyBaselines(): Baselines {
  return { system: emptyBaseline(), issuers: {}, methods: {}, issuerMethods: {}, gateways: {}, gatewayIssuers: {}, gatewayMethods: {}, gatewayCells: {} };
}

const NOTHING_TURNED_AWAY = { paymentsPerMinute: 0, valuePerMinute: 0, currency: 'INR' };

/** A state saved before a field existed gets the field's empty value, so an upgrade keeps its learning. */
export function upgradeAgentState(saved: AgentState): AgentState {
  const interventions = Object.fromEntries(
    Object.entries(saved.interventions).map(([id, r]) => [id, { ...r, heartbeat: r.heartbeat ?? false, turnedAway: r.turnedAway ?? NOTHING_TURNED_AWAY }]),
  );
  // A baseline saved before it kept its last cycle counts as seen in the saved one.
  const baselines = mapTree({ ...emptyBaselines(), ...saved.baselines }, (b) => (b[BASELINE.lastCycle] === undefined ? seenIn(b, saved.cycle) : b));
  return { ...initialAgentState(), ...saved, interventions, baselines };
}

/** Cycles between two sweeps for forgotten dimensions: a sweep walks every baseline. */
const FORGET_SWEEP_EVERY = 60;

/**
 * Baselines of dimensions no window has carried for `forgetAfterWindows` (a bank renamed, a method
 * retired), and their seasonal profiles, are dropped: the state holds what the traffic still has.
 */
export function forgetUnseen(
  baselines: Baselines,
  seasons: Record<string, Season>,
  cycle: number,
  config: AgentConfig,
): { baselines: Baselines; seasons: Record<string, Season> } {
  if (cycle % FORGET_SWEEP_EVERY !== 0) return { baselines, seasons };
  const since = cycle - config.forgetAfterWindows;
  const kept = filterTree(baselines, (b) => b[BASELINE.lastCycle] >= since);
  if (kept === baselines) return { baselines, seasons };
  return { baselines: kept, seasons: Object.fromEntries(Object.entries(seasons).filter(([target]) => lookup(kept, target) !== undefined)) };
}

type Row<T> = Record<string, T>;

/** Every entry but the system's through `entry`: kept as it returns it, dropped when it returns undefined. */
function rebuildRows<T>(tree: DimensionTree<T>, entry: (value: T) => T | undefined): DimensionTree<T> {
  const row = (r: Row<T>): Row<T> => {
    const out: Row<T> = {};
    for (const key in r) {
      const value = entry(r[key] as T);
      if (value !== undefined) out[key] = value;
    }
    return out;
  };
  const rows = (r: Row<Row<T>>): Row<Row<T>> => {
    const out: Row<Row<T>> = {};
    for (const key in r) out[key] = row(r[key] as Row<T>);
    return out;
  };
  const cells: Row<Row<Row<T>>> = {};
  for (const gateway in tree.gatewayCells) cells[gateway] = rows(tree.gatewayCells[gateway] as Row<Row<T>>);
  return {
    system: tree.system,
    issuers: row(tree.issuers),
    methods: row(tree.methods),
    issuerMethods: rows(tree.issuerMethods),
    gateways: row(tree.gateways),
    gatewayIssuers: rows(tree.gatewayIssuers),
    gatewayMethods: rows(tree.gatewayMethods),
    gatewayCells: cells,
  };
}

/** The tree without the entries `keep` refuses (the system's is always kept); the same object when nothing goes. */
function filterTree<T>(tree: DimensionTree<T>, keep: (value: T) => boolean): DimensionTree<T> {
  let changed = false;
  const filtered = rebuildRows(tree, (value) => {
    if (keep(value)) return value;
    changed = true;
    return undefined;
  });
  return changed ? filtered : tree;
}

/** Every entry of the tree through `f`. */
const mapTree = <T>(tree: DimensionTree<T>, f: (value: T) => T): DimensionTree<T> => ({ ...rebuildRows(tree, f), system: f(tree.system) });
