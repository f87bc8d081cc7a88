import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { InterventionStatus } from '../../src/agent';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/client';
import { createPruner, dashboardHistoryCycles, pruneBatch, pruneExpired, type RetentionSettings } from '../../src/db/retention';
import { openTestDatabase } from '../support/database';

const HOUR = 3_600_000;
const now = new Date('2026-11-30T12:00:00Z');
const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
const settings: RetentionSettings = {
  ...loadConfig({}).retention,
  outbox_hours: 24,
  webhook_deliveries_hours: 24,
  cycles_hours: 24,
  patterns_hours: 24,
  interventions_hours: 24,
};

let db: Database;
let close: () => Promise<void>;
before(async () => ({ db, close } = await openTestDatabase('retention', 2)));
after(() => close());
beforeEach(async () => {
  await db.pool.query('TRUNCATE event_outbox, webhook_deliveries, cycles, patterns, interventions, intervention_transitions, directives');
});

const count = async (sql: string, values: unknown[] = []) =>
  Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, values)).rows[0]!.n);

async function outbox(createdAt: Date, publishedAt: Date | null): Promise<void> {
  await db.pool.query(`INSERT INTO event_outbox (topic, payload, created_at, published_at) VALUES ('cycle', '{}', $1, $2)`, [createdAt, publishedAt]);
}

async function delivery(id: string, status: string, createdAt: Date): Promise<void> {
  await db.pool.query(
    `INSERT INTO webhook_deliveries (intervention_id, url, payload, status, created_at) VALUES ($1, 'https://ops.example.com', '{}', $2, $3)`,
    [id, status, createdAt],
  );
}

/** Cycles numbered from `first`, one an hour, the last ending `endHoursAgo` before now. */
async function cycles(first: number, howMany: number, endHoursAgo: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO cycles (number, window_start, window_end, transactions, decision, reason, metrics, hypotheses, options, refused, incident_events, evaluations)
     SELECT n, $3::timestamptz - (($1 + $2 - n) * interval '1 hour'), $3::timestamptz - (($1 + $2 - 1 - n) * interval '1 hour'),
       0, 'NO_ACTION', 'quiet', '{}', '[]', '[]', '[]', '[]', '[]'
     FROM generate_series($1::int, $1::int + $2::int - 1) AS n`,
    [first, howMany, ago(endHoursAgo)],
  );
}

async function pattern(cycleNumber: number): Promise<void> {
  await db.pool.query(
    `INSERT INTO patterns (cycle_number, type, dimension, target, metric, z_score, observed, baseline, severity, volume)
     VALUES ($1, 'ISSUER_DEGRADATION', 'issuer', 'HDFC', 'success_rate', -5, 0.5, 0.95, 1, 100)`,
    [cycleNumber],
  );
}

async function intervention(id: string, status: InterventionStatus, updatedAt: Date, transitionApplied: boolean): Promise<void> {
  await db.pool.query(
    `INSERT INTO interventions (id, cycle_number, action, target, subject, params, status, nrv, option, alternatives, pre_mortem,
       blast_radius, requires_approval, ttl_seconds, created_at, updated_at)
     VALUES ($1, 1, 'SUPPRESS_ISSUER', 'issuer:HDFC', 'HDFC', '{}', $2, 1, '{}', '[]', '{}', 0.1, false, 900, $3, $3)`,
    [id, status, updatedAt],
  );
  await db.pool.query(
    `INSERT INTO intervention_transitions (intervention_id, from_status, to_status, actor, at, applied_cycle) VALUES ($1, NULL, $2, 'agent', $3, $4)`,
    [id, status, updatedAt, transitionApplied ? 1 : null],
  );
  await db.pool.query(
    `INSERT INTO directives (intervention_id, action, target, params, created_at, expires_at) VALUES ($1, 'SUPPRESS_ISSUER', 'issuer:HDFC', '{}', $2, $2)`,
    [id, updatedAt],
  );
}

const prune = () => pruneExpired(db.pool, settings, now, 60_000);

describe('retention', () => {
  it('prunes published outbox rows past the horizon, never an unpublished one', async () => {
    await outbox(ago(48), ago(48));
    await outbox(ago(48), null);
    await outbox(ago(2), ago(2));
    const report = await prune();
    assert.equal(report.deleted.event_outbox, 1);
    assert.equal(await count('event_outbox WHERE published_at IS NULL'), 1, 'the unpublished event waits for the publisher');
    assert.equal(await count('event_outbox WHERE published_at IS NOT NULL'), 1, 'the recent published event stays');
  });

  it('prunes delivered and dead webhook rows past the horizon, never a pending one', async () => {
    await delivery('old-delivered', 'delivered', ago(48));
    await delivery('old-dead', 'dead', ago(48));
    await delivery('old-pending', 'pending', ago(48));
    await delivery('new-delivered', 'delivered', ago(2));
    const report = await prune();
    assert.equal(report.deleted.webhook_deliveries, 2);
    const left = (await db.pool.query<{ intervention_id: string }>('SELECT intervention_id FROM webhook_deliveries ORDER BY intervention_id')).rows.map(
      (r) => r.intervention_id,
    );
    assert.deepEqual(left, ['new-delivered', 'old-pending']);
  });

  it("prunes cycles past the horizon but keeps the dashboard's history, and the patterns of pruned windows", async () => {
    // 10 more old cycles than the dashboard reads, all ending before the horizon, then 5 inside it.
    const old = dashboardHistoryCycles + 10;
    await cycles(1, old, 30);
    await cycles(old + 1, 5, 0);
    await pattern(1);
    await pattern(old);
    await pattern(old + 1);
    const report = await prune();
    // The newest 500 stay: 495 old ones and the 5 recent; the 15 oldest go.
    assert.equal(report.deleted.cycles, 15);
    assert.equal(await count('cycles'), dashboardHistoryCycles);
    assert.equal(await count('cycles WHERE number <= 15'), 0);
    // Patterns of every cycle before the first inside the horizon go, whether or not the dashboard still shows the cycle.
    assert.equal(report.deleted.patterns, 2);
    assert.deepEqual(
      (await db.pool.query<{ cycle_number: number }>('SELECT cycle_number FROM patterns')).rows.map((r) => r.cycle_number),
      [old + 1],
    );
  });

  it('prunes finished interventions with their transitions and directive; live ones and unapplied transitions survive', async () => {
    await intervention('old-expired', 'EXPIRED', ago(48), true);
    await intervention('old-rejected', 'REJECTED', ago(48), true);
    await intervention('old-rolled-back', 'ROLLED_BACK', ago(48), true);
    await intervention('old-expired-unseen', 'EXPIRED', ago(48), false);
    const live: InterventionStatus[] = ['PROPOSED', 'AWAITING_APPROVAL', 'APPROVED', 'EXECUTED', 'EVALUATED', 'SHADOW'];
    for (const status of live) await intervention(`old-${status}`, status, ago(48), true);
    await intervention('new-expired', 'EXPIRED', ago(2), true);
    const report = await prune();
    assert.equal(report.deleted.interventions, 3);
    const left = (await db.pool.query<{ id: string }>('SELECT id FROM interventions ORDER BY id')).rows.map((r) => r.id);
    assert.deepEqual(left, ['new-expired', 'old-expired-unseen', ...live.map((s) => `old-${s}`)].sort());
    assert.equal(await count('intervention_transitions WHERE intervention_id IN ($1, $2, $3)', ['old-expired', 'old-rejected', 'old-rolled-back']), 0);
    assert.equal(await count('directives WHERE intervention_id IN ($1, $2, $3)', ['old-expired', 'old-rejected', 'old-rolled-back']), 0);
    assert.equal(
      await count('intervention_transitions WHERE intervention_id = $1 AND applied_cycle IS NULL', ['old-expired-unseen']),
      1,
      'the core still gets to see it',
    );
    assert.equal(await count('intervention_transitions'), left.length);
  });

  it('deletes in batches of prune_batch_rows, and goes on until nothing expired is left', async () => {
    for (let i = 0; i < 7; i += 1) await outbox(ago(48), ago(48));
    const small = { ...settings, prune_batch_rows: 3 };
    assert.equal(await pruneBatch(db.pool, 'event_outbox', small, now), 3);
    assert.equal(await count('event_outbox'), 4);
    const report = await pruneExpired(db.pool, small, now, 60_000);
    assert.equal(report.deleted.event_outbox, 4);
    assert.equal(report.more, false);
    assert.equal(await count('event_outbox'), 0);
  });

  it('stops at its time budget with work left, and the pruner then runs again at once instead of after its interval', async () => {
    for (let i = 0; i < 5; i += 1) await outbox(ago(48), ago(48));
    const report = await pruneExpired(db.pool, { ...settings, prune_batch_rows: 1 }, now, 0);
    assert.equal(report.more, true);
    assert.equal(report.deleted.event_outbox, 0, 'a spent budget stops before the next batch');

    const pruner = createPruner(db, { ...settings, prune_batch_rows: 2, prune_interval_seconds: 60 });
    const first = await pruner(now);
    assert.equal(first?.deleted.event_outbox, 5);
    await outbox(ago(48), ago(48));
    assert.equal(await pruner(new Date(now.getTime() + 1_000)), null, 'not due again within its interval');
    assert.equal(await count('event_outbox'), 1);
    assert.equal((await pruner(new Date(now.getTime() + 61_000)))?.deleted.event_outbox, 1);
  });
});
