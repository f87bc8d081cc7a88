// Stored rows in the GraphQL schema's shapes: camelCase fields, NRV value named `value`.
import type { NrvBreakdown, RefusedOption, ValuedOption } from '../../agent';
import type { AuditRow } from '../../db/audit';
import type { CycleRow, PatternRow } from '../../db/cycles';
import type { InterventionRow, TransitionRow } from '../../db/interventions';
import { legacyCurrency } from '../../db/schema';
import type * as Schema from './schema.generated';

/** What a breakdown stored before these fields existed counted: rupees, no retry fees, nobody turned away. */
const legacyNrv: Pick<NrvBreakdown, 'currency' | 'retryCostSaved' | 'turnedAwayPerWindow' | 'turnedAwayValuePerWindow'> = {
  currency: legacyCurrency,
  retryCostSaved: 0,
  turnedAwayPerWindow: 0,
  turnedAwayValuePerWindow: 0,
};

export const nrvView = (breakdown: NrvBreakdown): Schema.NrvBreakdown => ({ ...legacyNrv, ...breakdown, value: breakdown.nrv });

/**
 * The core's SystemHealth plus an entry per gateway in the same shape. (The core's per-entry
 * builder is private to health.ts; this belongs there once the core's SystemHealth has gateways.)
 */

export const optionView = (option: ValuedOption): Schema.InterventionOption => ({ ...option, nrv: nrvView(option.nrv) });

/** Fields the loaders resolve in batches, not the views. */
type LoadedFields = 'transitions' | 'approvals' | 'cycle';

/** The row as GraphQL shows it: the option's NRV breakdown as `nrv`, the alternatives' alike. */
export const interventionView = ({ option, alternatives, ...row }: InterventionRow): Omit<Schema.Intervention, LoadedFields> => ({
  ...row,
  nrv: nrvView(option.nrv),
  alternatives: alternatives.map(optionView),
});
export type InterventionView = ReturnType<typeof interventionView>;

export function cycleView(row: CycleRow): Omit<Schema.Cycle, 'patterns' | 'interventions'> {
  return {
    number: row.number,
    windowStart: row.window_start,
    windowEnd: row.window_end,
    transactions: row.transactions,
    decision: row.decision,
    reason: row.reason,
    completedAt: row.completed_at,
    hypotheses: row.hypotheses,
    options: row.options.map(optionView),
    refused: row.refused.map((refused: RefusedOption) => ({ option: optionView(refused.option), reason: refused.reason })),
  };
}
export type CycleView = ReturnType<typeof cycleView>;

export const patternView = (row: PatternRow): Schema.Pattern => ({ ...row, id: String(row.id) });

export const transitionView = (row: TransitionRow): Schema.Transition => ({
  from: row.fromStatus,
  to: row.toStatus,
  actor: row.actor,
  reason: row.reason,
  at: row.at,
});

export const auditView = (row: AuditRow): Schema.AuditEntry => ({
  id: String(row.id),
  at: row.at,
  kind: row.kind,
  actor: row.actor,
  subject: row.subject,
  cycleNumber: row.cycle_number,
  data: row.data,
});
