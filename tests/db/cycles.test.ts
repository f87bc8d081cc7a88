import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { BASELINE, emptyMetrics, initialAgentState } from '../../src/agent';
import type { Database } from '../../src/db/client';
import { lockAgentState, readAgentState, recentCycles } from '../../src/db/cycles';
import { cyclesByNumbers } from '../../src/db/cycle-reads';
import { openTestDatabase } from '../support/database';

let db: Database;
let close: () => Promise<void>;
before(async () => ({ db, close } = await openTestDatabase('cycles', 2)));
after(() => close());

const gatewayLevels = ['gateways', 'gatewayIssuers', 'gatewayMethods', 'gatewayCells'] as const;

it('upgrades a state and cycle metrics saved before the gateway dimensions existed, keeping what they hold', async () => {
  const current = initialAgentState();
  const { gateways: _g, gatewayIssuers: _gi, gatewayMethods: _gm, gatewayCells: _gc, ...oldBaselines } = current.baselines;
  const old = { ...current, cycle: 7, baselines: { ...oldBaselines, issuers: { HDFC: [12, 100, 0.95, 0, 200, 0, 0.1, 0] } } };
  await db.pool.query('INSERT INTO agent_state (id, cycle_number, window_end, state) VALUES (1, 7, NULL, $1)', [JSON.stringify(old)]);
  const oldMetrics = { start: 0, end: 60_000, system: emptyMetrics(), issuers: { HDFC: emptyMetrics() }, methods: {}, issuerMethods: {} };
  await db.pool.query(
    `INSERT INTO cycles (number, window_start, window_end, transactions, decision, reason, metrics, hypotheses, options, refused, incident_events, evaluations)
     VALUES (7, to_timestamp(0), to_timestamp(60), 0, 'NO_ACTION', 'quiet', $1, '[]', '[]', '[]', '[]', '[]')`,
    [JSON.stringify(oldMetrics)],
  );

  const read = (await readAgentState(db.pool))!;
  for (const level of gatewayLevels) assert.deepEqual(read.state.baselines[level], {}, `state baselines.${level}`);
  const hdfc = read.state.baselines.issuers.HDFC;
  assert.deepEqual(hdfc?.slice(0, old.baselines.issuers.HDFC.length), old.baselines.issuers.HDFC, 'learned baselines are kept');
  assert.equal(hdfc?.[BASELINE.lastCycle], 7, 'and count as seen in the cycle they were saved in');
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const locked = await lockAgentState(client, initialAgentState());
    assert.deepEqual(locked.state.baselines.gateways, {}, 'the cycle worker sees the upgraded state too');
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }

  for (const [row] of [await recentCycles(db.pool, 1), await cyclesByNumbers(db.pool, [7])]) {
    for (const level of gatewayLevels) assert.deepEqual(row!.metrics[level], {}, `cycle metrics.${level}`);
    assert.deepEqual(Object.keys(row!.metrics.issuers), ['HDFC']);
  }
});
