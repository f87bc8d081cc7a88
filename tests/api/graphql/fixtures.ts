import { randomUUID } from 'node:crypto';
import type { Hypothesis, Params, PreMortem, ValuedOption } from '../../../src/agent';
import { inTransaction, type Database } from '../../../src/db/client';
import { insertIntervention, type InterventionRow, type NewIntervention } from '../../../src/db/interventions';
import { recordProposal } from '../../../src/interventions/transitions';

const nrv = (value: number) => ({
  volumePerWindow: 100,
  horizonWindows: 10,
  upliftRate: 0.5,
  ticketValue: 1500,
  currency: 'INR',
  effectiveness: 0.8,
  confidence: 0.9,
  revenueRecovered: value + 200,
  retryCostSaved: 0,
  interventionCost: 150,
  riskCost: 50,
  nrv: value,
  turnedAwayPerWindow: 12,
  turnedAwayValuePerWindow: 18_000,
});

function option(action: ValuedOption['action'], value: number, target = 'issuer:HDFC', params: Params = { issuer: 'HDFC' }): ValuedOption {
  return {
    id: `opt-${action}-${randomUUID().slice(0, 8)}`,
    action,
    target,
    params,
    ttlSeconds: 600,
    blastRadius: 0.25,
    hypothesisId: 'hyp-1',
    cause: 'ISSUER_OUTAGE',
    patternType: 'ISSUER_DEGRADATION',
    subject: 'issuer:HDFC',
    confidence: 0.9,
    volume: 100,
    upliftRate: 0.5,
    observedSuccessRate: 0.1,
    baselineSuccessRate: 0.95,
    alternativeSuccessRate: 0.95,
    ticketValue: 1500,
    currency: 'INR',
    retriesAvoided: 0,
    retrySuccessRate: 0,
    nrv: nrv(value),
  };
}

export const hypothesis: Hypothesis = {
  id: 'hyp-1',
  cause: 'ISSUER_OUTAGE',
  target: 'issuer:HDFC',
  patternType: 'ISSUER_DEGRADATION',
  confidence: 0.9,
  evidence: ['HDFC success rate 10% against a 95% baseline', 'failures are ISSUER_UNAVAILABLE'],
  volume: 100,
  observedSuccessRate: 0.1,
  baselineSuccessRate: 0.95,
  recoverableRate: 0.85,
};

const preMortem: PreMortem = {
  risks: [{ description: 'HDFC recovers while suppressed', likelihood: 0.2 }],
  blastRadius: 0.25,
  autonomyLimit: 0.2,
  requiresApproval: true,
  violations: [],
  refused: false,
};

/**
 * A proposal (a suppression unless the fields say otherwise; created now unless given, open for
 * approval for an hour) stored the way a cycle stores one, with its transition, audit entry and event.
 */
export async function seedIntervention(db: Database, fields: Partial<NewIntervention> = {}): Promise<InterventionRow> {
  const chosen = option(fields.action ?? 'SUPPRESS_ISSUER', 9000, fields.target, fields.params);
  const now = fields.createdAt ?? new Date();
  const row: InterventionRow = {
    id: `int-${randomUUID()}`,
    cycleNumber: 1,
    action: 'SUPPRESS_ISSUER',
    target: 'issuer:HDFC',
    subject: 'issuer:HDFC',
    params: { issuer: 'HDFC' },
    status: 'AWAITING_APPROVAL',
    nrv: 9000,
    option: chosen,
    alternatives: [option('ALERT_OPS', 300), option('REDUCE_RETRIES', 1200)],
    preMortem: preMortem,
    hypothesis,
    blastRadius: 0.25,
    requiresApproval: true,
    heartbeat: false,
    turnedAway: { paymentsPerMinute: 0, valuePerMinute: 0, currency: 'INR' },
    ttlSeconds: 600,
    createdAt: now,
    approvalExpiresAt: new Date(now.getTime() + 3_600_000),
    approvedScope: null,
    executedAt: null,
    expiresAt: null,
    outcome: null,
    updatedAt: now,
    ...fields,
  };
  await inTransaction(db, async (client) => {
    await insertIntervention(client, row);
    await recordProposal(client, row, now, row.cycleNumber);
  });
  return row;
}

/** An autonomous ALERT_OPS proposal to the ops team: the heartbeat alert, or a real page. */
export const seedAlert = (db: Database, heartbeat: boolean, createdAt: Date): Promise<InterventionRow> =>
  seedIntervention(db, {
    action: 'ALERT_OPS',
    target: 'ops_team',
    subject: 'ops_team',
    params: {},
    heartbeat,
    hypothesis: null,
    status: 'PROPOSED',
    requiresApproval: false,
    approvalExpiresAt: null,
    createdAt,
  });
