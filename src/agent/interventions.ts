// The agent proposes; the world executes, approves, rejects, expires or rolls back. These pure
// transitions keep the state's picture of what is in force equal to what actually happened.
import { isContained } from './contain';
import type { AgentConfig } from './config';
import { recordEvidence, snapshotOf } from './learn';
import { approvalEndsAt, canMove, expiresAtOf, isActive, isDue, isPending, paramsAsRun } from './lifecycle';
import type { AgentState, InterventionEvent, InterventionRecord, WindowMetrics } from './types';

export function activeInterventions(state: Pick<AgentState, 'interventions'>): InterventionRecord[] {
  return Object.values(state.interventions).filter((record) => isActive(record.status));
}

type Identity = Pick<InterventionRecord, 'action' | 'target' | 'subject' | 'params'>;

const isHeartbeat = (i: Identity): boolean => i.params.heartbeat === true;

/**
 * What counts as "the same intervention" for the no-flapping rule; alerts differ by subject and a
 * heartbeat never stands for a page, and a contained move differs from the full one (however its
 * share drifts between windows).
 */
export const sameIntervention = (a: Identity, b: Identity): boolean =>
  a.action === b.action &&
  a.target === b.target &&
  (a.action !== 'ALERT_OPS' || (a.subject === b.subject && isHeartbeat(a) === isHeartbeat(b))) &&
  isContained(a) === isContained(b);

function without(state: AgentState, id: string): AgentState {
  const { [id]: _removed, ...rest } = state.interventions;
  return { ...state, interventions: rest };
}

/**
 * Applies one reported event. Unknown ids and events that do not fit the current status change
 * nothing, so a duplicated or late event is harmless.
 */
export function applyInterventionEvent(state: AgentState, event: InterventionEvent, config: AgentConfig): AgentState {
  const record = state.interventions[event.interventionId];
  if (!record || !canMove(record.status, event.type)) return state;
  switch (event.type) {
    case 'APPROVED':
      return { ...state, interventions: { ...state.interventions, [record.id]: { ...record, status: 'APPROVED' } } };
    case 'EXECUTED': {
      // What ran, not what was proposed: an operator may have approved a shorter TTL or a smaller
      // share, and the move is evaluated, learned from and rolled back as the move it was.
      const executed: InterventionRecord = {
        ...record,
        status: 'EXECUTED',
        params: paramsAsRun(record.params, event.scope),
        ttlSeconds: event.scope.ttlSeconds,
        executedAt: event.at,
        executedCycle: state.cycle,
        expiresAt: expiresAtOf(event.at, event.scope.ttlSeconds),
      };
      return { ...state, interventions: { ...state.interventions, [record.id]: executed } };
    }
    case 'REJECTED': {
      // An operator saying no is evidence the action did not fit this pattern.
      const effectiveness = recordEvidence(state.effectiveness, record, 0, config.rejectionEvidenceWeight, config);
      return { ...without(state, record.id), effectiveness };
    }
    case 'ROLLED_BACK': {
      if (record.status === 'EVALUATED') return without(state, record.id);
      const effectiveness = recordEvidence(state.effectiveness, record, 0, config.rejectionEvidenceWeight, config);
      return { ...without(state, record.id), effectiveness };
    }
    case 'EXPIRED':
      return without(state, record.id);
  }
}

export function applyInterventionEvents(state: AgentState, events: readonly InterventionEvent[], config: AgentConfig): AgentState {
  return events.reduce((s, event) => applyInterventionEvent(s, event, config), state);
}

/** Retires, in event time, what has run out by the start of this window. */
export function expireInterventions(
  interventions: Record<string, InterventionRecord>,
  window: Pick<WindowMetrics, 'start'>,
  config: AgentConfig,
): { interventions: Record<string, InterventionRecord>; expired: InterventionRecord[] } {
  const kept: Record<string, InterventionRecord> = {};
  const expired: InterventionRecord[] = [];
  for (const record of Object.values(interventions)) {
    const deadlines = { approvalEndsAt: approvalEndsAt(record.proposedAt, config), expiresAt: record.expiresAt };
    if (isDue(record.status, deadlines, window.start)) expired.push({ ...record, status: 'EXPIRED' });
    else kept[record.id] = record;
  }
  return { interventions: kept, expired };
}

/**
 * Pending interventions carry the latest window's figures, so whenever the world executes one,
 * its snapshot is the traffic just before execution: what the evaluation compares against.
 */
export function refreshPendingSnapshots(interventions: Record<string, InterventionRecord>, window: WindowMetrics): Record<string, InterventionRecord> {
  const next: Record<string, InterventionRecord> = {};
  for (const [id, record] of Object.entries(interventions)) {
    next[id] = isPending(record.status) ? { ...record, snapshot: snapshotOf(window, record.subject) } : record;
  }
  return next;
}
