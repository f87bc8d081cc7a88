// The agent proposes; the world executes, approves, rejects, expires or rolls back. These pure
// transitions keep the state's picture of what is in force equal to what actually happened.
import { MS_PER_SECOND } from './units';
import { isContained } from './contain';
import type { AgentConfig } from './config';
import { recordEvidence, snapshotOf } from './learn';
import type { AgentState, InterventionEvent, InterventionRecord, InterventionStatus, WindowMetrics } from './types';

/** Statuses that hold their traffic: pending ones too, so the agent never proposes twice. */
const ACTIVE: ReadonlySet<InterventionStatus> = new Set(['PROPOSED', 'AWAITING_APPROVAL', 'APPROVED', 'EXECUTED', 'EVALUATED', 'SHADOW']);
const PENDING: ReadonlySet<InterventionStatus> = new Set(['PROPOSED', 'AWAITING_APPROVAL', 'APPROVED']);

export const isActive = (record: InterventionRecord): boolean => ACTIVE.has(record.status);

export function activeInterventions(state: Pick<AgentState, 'interventions'>): InterventionRecord[] {
  return Object.values(state.interventions).filter(isActive);
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
  if (!record) return state;
  switch (event.type) {
    case 'APPROVED':
      if (record.status !== 'AWAITING_APPROVAL') return state;
      return { ...state, interventions: { ...state.interventions, [record.id]: { ...record, status: 'APPROVED' } } };
    case 'EXECUTED': {
      if (!PENDING.has(record.status)) return state;
      const executed: InterventionRecord = {
        ...record,
        status: 'EXECUTED',
        executedAt: event.at,
        executedCycle: state.cycle,
        expiresAt: event.at + record.ttlSeconds * MS_PER_SECOND,
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

/** When a record stops holding its traffic: its TTL once running, its approval window while pending. */
function endsAt(record: InterventionRecord, config: AgentConfig): number {
  if (record.expiresAt !== null) return record.expiresAt;
  return record.proposedAt + config.approvalTtlSeconds * MS_PER_SECOND;
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
    if (endsAt(record, config) <= window.start) expired.push({ ...record, status: 'EXPIRED' });
    else kept[record.id] = record;
  }
  return { interventions: kept, expired };
}

/**
 * Pending interventions carry the latest window's figures, so whenever the world executes one,
 * its snapshot is the traffic just before execution: what the evaluation compares against.
 */
export function refreshPendingSnapshots(
  interventions: Record<string, InterventionRecord>,
  window: WindowMetrics,
): Record<string, InterventionRecord> {
  const next: Record<string, InterventionRecord> = {};
  for (const [id, record] of Object.entries(interventions)) {
    next[id] = PENDING.has(record.status) ? { ...record, snapshot: snapshotOf(window, record.subject) } : record;
  }
  return next;
}
