// An intervention's life, defined once: its statuses, where each may go next, when time ends it,
// and what actually runs once an operator has narrowed it. The core's picture of what is in force
// and the database's guarded updates both follow these rules, so the two cannot drift apart.
import type { AgentConfig } from './config';
import { scopeShare } from './directives';
import type { InterventionEvent, InterventionStatus, Params } from './types';
import { MS_PER_SECOND } from './units';

/** Where each status may go next; anything else is refused, so history stays coherent. */
const NEXT: Record<InterventionStatus, readonly InterventionStatus[]> = {
  PROPOSED: ['EXECUTED', 'REJECTED', 'EXPIRED'],
  AWAITING_APPROVAL: ['APPROVED', 'REJECTED', 'EXPIRED'],
  APPROVED: ['EXECUTED', 'EXPIRED'],
  EXECUTED: ['EVALUATED', 'ROLLED_BACK', 'EXPIRED'],
  EVALUATED: ['ROLLED_BACK', 'EXPIRED'],
  SHADOW: ['EXPIRED'],
  REJECTED: [],
  EXPIRED: [],
  ROLLED_BACK: [],
};

export const canMove = (from: InterventionStatus, to: InterventionStatus): boolean => NEXT[from].includes(to);

/** Waiting to run: pending ones hold their target too, so the agent never proposes twice. */
const PENDING_STATUSES: readonly InterventionStatus[] = ['PROPOSED', 'AWAITING_APPROVAL', 'APPROVED'];
/** Moving traffic (or alerting) now. */
export const IN_FORCE_STATUSES: readonly InterventionStatus[] = ['EXECUTED', 'EVALUATED'];
/** Ended by their TTL: what is in force, and a shadow decision, which holds its target as if it ran. */
const RUNNING_STATUSES: readonly InterventionStatus[] = [...IN_FORCE_STATUSES, 'SHADOW'];
/** The changes the world makes and reports to the core; the others the core makes itself. */
export const REPORTED_STATUSES: readonly InterventionStatus[] = ['APPROVED', 'EXECUTED', 'REJECTED', 'EXPIRED', 'ROLLED_BACK'];
/** Statuses a clock can end. */
export const EXPIRABLE_STATUSES: readonly InterventionStatus[] = [...PENDING_STATUSES, ...RUNNING_STATUSES];

export const isPending = (status: InterventionStatus): boolean => PENDING_STATUSES.includes(status);
export const isInForce = (status: InterventionStatus): boolean => IN_FORCE_STATUSES.includes(status);
/** Not finished with: a status that can still change holds its target. */
export const isActive = (status: InterventionStatus): boolean => NEXT[status].length > 0;

/** The two clocks of an intervention, in ms: its approval window and, once running, its TTL. */
export interface Deadlines {
  approvalEndsAt: number | null;
  expiresAt: number | null;
}

/** The approval window opened by a proposal. */
export const approvalEndsAt = (proposedAt: number, config: Pick<AgentConfig, 'approvalTtlSeconds'>): number =>
  proposedAt + config.approvalTtlSeconds * MS_PER_SECOND;

/** The end of a TTL started at `start`. */
export const expiresAtOf = (start: number, ttlSeconds: number): number => start + ttlSeconds * MS_PER_SECOND;

/** The expiry rule: a pending intervention ends with its approval window, a running one with its TTL. */
function deadlineOf(status: InterventionStatus, deadlines: Deadlines): number | null {
  if (PENDING_STATUSES.includes(status)) return deadlines.approvalEndsAt;
  if (RUNNING_STATUSES.includes(status)) return deadlines.expiresAt;
  return null;
}

export function isDue(status: InterventionStatus, deadlines: Deadlines, now: number): boolean {
  const deadline = deadlineOf(status, deadlines);
  return deadline !== null && deadline <= now;
}

/** Why time ended it, as the transition and the audit log say. */
export const expiryReason = (status: InterventionStatus): string => (isPending(status) ? 'approval window ran out: expiry means no' : 'TTL ran out');

/** What an operator may narrow when approving: a shorter TTL, a smaller share of traffic. */
export interface ApprovedScope {
  ttlSeconds?: number;
  trafficShare?: number;
}

/** What actually runs: the proposal's TTL and share of its target's traffic, narrowed by any approval. */
export interface RunScope {
  ttlSeconds: number;
  trafficShare: number;
}

export function runScope(proposal: { params: Params; ttlSeconds: number }, approved: ApprovedScope | null): RunScope {
  return {
    ttlSeconds: approved?.ttlSeconds ?? proposal.ttlSeconds,
    trafficShare: Math.min(scopeShare(proposal.params), approved?.trafficShare ?? 1),
  };
}

/** The parameters of what ran: a narrower share than proposed is written into them, so every stage sees it. */
export function paramsAsRun(params: Params, scope: RunScope): Params {
  return scope.trafficShare < scopeShare(params) ? { ...params, trafficShare: scope.trafficShare } : params;
}

/** The report that an intervention ran at `at`, with the scope it ran on. */
export const executedEvent = (
  record: { id: string; params: Params; ttlSeconds: number },
  at: number,
  approved: ApprovedScope | null = null,
): InterventionEvent => ({ type: 'EXECUTED', interventionId: record.id, at, scope: runScope(record, approved) });
