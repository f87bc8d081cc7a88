// Batched field loaders: a list of N interventions or cycles costs one query per field, not N.
import type { MercuriusLoaders } from 'mercurius';
import { withPostgres, type Database } from '../../db/client';
import { cyclesByNumbers } from '../../db/cycle-reads';
import { patternsOfCycles } from '../../db/cycles';
import { interventionsOfCycles, transitionsOfMany } from '../../db/intervention-reads';
import type { GraphqlContext } from './context';
import { pageSize } from './pages';
import { cycleView, interventionView, patternView, transitionView, type CycleView, type InterventionView } from './views';

type Query<T, P = Record<string, never>> = { obj: T; params: P };

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const decisions = new Set(['APPROVED', 'REJECTED']);

export function loaders(db: Database, maxPageSize: number): MercuriusLoaders<GraphqlContext> {
  const pool = db.pool;
  const transitionsOf = async (queries: Query<InterventionView>[]) => {
    const rows = await withPostgres(() =>
      transitionsOfMany(
        pool,
        queries.map((q) => q.obj.id),
      ),
    );
    const byIntervention = groupBy(
      rows.map((row) => ({ id: row.interventionId, view: transitionView(row) })),
      (t) => t.id,
    );
    return queries.map((q) => (byIntervention.get(q.obj.id) ?? []).map((t) => t.view));
  };
  return {
    Intervention: {
      transitions: transitionsOf,
      // An operator's decision is the transition to APPROVED or REJECTED made by someone other than the agent.
      approvals: async (queries: Query<InterventionView>[]) =>
        (await transitionsOf(queries)).map((list) => list.filter((t) => decisions.has(t.to) && t.actor !== 'agent')),
      cycle: async (queries: Query<InterventionView>[]) => {
        const rows = await withPostgres(() =>
          cyclesByNumbers(
            pool,
            queries.map((q) => q.obj.cycleNumber),
          ),
        );
        const byNumber = new Map(rows.map((row) => [row.number, cycleView(row)]));
        return queries.map((q) => byNumber.get(q.obj.cycleNumber) ?? null);
      },
    },
    Cycle: {
      patterns: async (queries: Query<CycleView, { last: number }>[]) => {
        const rows = await withPostgres(() =>
          patternsOfCycles(
            pool,
            queries.map((q) => q.obj.number),
          ),
        );
        const byCycle = groupBy(rows.map(patternView), (p) => p.cycleNumber);
        // Strongest first, so `last` keeps the findings that matter most.
        return queries.map((q) =>
          (byCycle.get(q.obj.number) ?? []).toSorted((a, b) => Math.abs(b.zScore) - Math.abs(a.zScore)).slice(0, pageSize(q.params.last, maxPageSize)),
        );
      },
      interventions: async (queries: Query<CycleView>[]) => {
        const rows = await withPostgres(() =>
          interventionsOfCycles(
            pool,
            queries.map((q) => q.obj.number),
          ),
        );
        const byCycle = groupBy(rows.map(interventionView), (i) => i.cycleNumber);
        return queries.map((q) => byCycle.get(q.obj.number) ?? []);
      },
    },
  };
}
