// Stored rows in the GraphQL schema's shapes: camelCase fields, NRV value named `value`.
import type { Evaluation, Hypothesis, NrvBreakdown, PreMortem, RefusedOption, ValuedOption } from '../../agent/types';
import type { AuditRow } from '../../db/audit';
import { patternFromRow, type CycleRow, type PatternRow } from '../../db/cycles';
import type { InterventionRow, TransitionRow } from '../../db/interventions';
import { legacyCurrency } from '../../db/schema';

/** What a breakdown stored before these fields existed counted: rupees, no retry fees, nobody turned away. */
const legacyNrv: Pick<NrvBreakdown, 'currency' | 'retryCostSaved' | 'turnedAwayPerWindow' | 'turnedAwayValuePerWindow'> = {
  currency: legacyCurrency,
  retryCostSaved: 0,
  turnedAwayPerWindow: 0,
  turnedAwayValuePerWindow: 0,
};

export const nrvView = (breakdown: NrvBreakdown) => ({ ...legacyNrv, ...breakdown, value: breakdown.nrv });

/**
 * The core's SystemHealth plus an entry per gateway in the same shape. (The core's per-entry
 * builder is private to health.ts; this belongs there once the core's SystemHealth has gateways.)
 */

export const optionView = (option: ValuedOption) => ({ ...option, nrv: nrvView(option.nrv) });
export type OptionView = ReturnType<typeof optionView>;

export function interventionView(row: InterventionRow) {
  return {
    id: row.id,
    action: row.action,
    target: row.target,
    subject: row.subject,
    params: row.params,
    status: row.status,
    nrv: nrvView((row.option as ValuedOption).nrv),
    blastRadius: row.blast_radius,
    requiresApproval: row.requires_approval,
    heartbeat: row.heartbeat,
    turnedAway: row.turned_away,
    preMortem: row.pre_mortem as PreMortem,
    hypothesis: row.hypothesis as Hypothesis | null,
    alternatives: (row.alternatives as ValuedOption[]).map(optionView),
    cycleNumber: row.cycle_number,
    ttlSeconds: row.ttl_seconds,
    approvedScope: row.approved_scope,
    createdAt: row.created_at,
    approvalExpiresAt: row.approval_expires_at,
    executedAt: row.executed_at,
    expiresAt: row.expires_at,
    outcome: row.outcome as Evaluation | null,
    updatedAt: row.updated_at,
  };
}
export type InterventionView = ReturnType<typeof interventionView>;

export function cycleView(row: CycleRow) {
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

export const patternView = (row: PatternRow) => ({ id: String(row.id), ...patternFromRow(row) });

export const transitionView = (row: TransitionRow) => ({ from: row.from_status, to: row.to_status, actor: row.actor, reason: row.reason, at: row.at });

export const auditView = (row: AuditRow) => ({
  id: String(row.id),
  at: row.at,
  kind: row.kind,
  actor: row.actor,
  subject: row.subject,
  cycleNumber: row.cycle_number,
  data: row.data,
});
