import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import type { Transaction } from '../../src/agent';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { runProcess, type RunningProcess } from '../support/process';
import { keys } from '../support/service';
import { healthy, windowTraffic, withOutage, type Mix } from '../support/traffic';

let database: TestDatabase;
let db: pg.Pool;
before(async () => {
  database = await createTestDatabase('scale_out');
  db = new pg.Pool({ connectionString: database.url });
});
after(async () => {
  await db.end();
  await database.drop();
});

const windowMs = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('two API, two worker and two scheduler processes share the work: every event reaches both APIs, each window runs once', async () => {
  const shared = {
    DATABASE_URL: database.url,
    PAYOPS_REDIS_KEY_PREFIX: `scale-${randomUUID().slice(0, 8)}`,
    PAYOPS_API_KEYS: `${keys.ingest}:ingest,${keys.viewer}:viewer`,
    PAYOPS_AGENT_CYCLE_INTERVAL: String(windowMs / 1000),
    PAYOPS_AGENT_WARMUP_WINDOWS: '3',
    PAYOPS_AGENT_MIN_ACTION_FREQUENCY_CYCLES: '0',
    PAYOPS_JOBS_WINDOW_GRACE_SECONDS: '0.3',
    PAYOPS_JOBS_TICK_MS: '50',
    PAYOPS_LOGGING_LEVEL: 'info',
  };
  const processes: RunningProcess[] = [
    ...['api', 'api', 'worker', 'worker', 'scheduler', 'scheduler'].map((role) => runProcess({ ...shared, PAYOPS_ROLE: role })),
  ];
  const clients: Client[] = [];
  try {
    const urls = await Promise.all(processes.map((p) => p.listeningUrl()));
    const apis = urls.slice(0, 2);
    const feeds = apis.map((url) => {
      const client = createClient({
        url: `${url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${keys.viewer}` },
      });
      clients.push(client);
      const events: string[] = [];
      client.subscribe<{ interventionEvents: { type: string; intervention: { id: string } } }>(
        { query: 'subscription { interventionEvents { type intervention { id } } }' },
        {
          next: (v) => v.data && events.push(`${v.data.interventionEvents.intervention.id}:${v.data.interventionEvents.type}`),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      return events;
    });
    await sleep(500);

    // Real time: each window's traffic is posted as it happens, alternately through either API.
    const post = async (url: string, transactions: Transaction[]) => {
      const res = await fetch(`${url}/v1/transactions/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.ingest}` },
        body: JSON.stringify({ transactions }),
      });
      assert.equal(res.status, 202);
    };
    const firstWindow = Math.ceil(Date.now() / windowMs) * windowMs;
    const windows = 12;
    for (let k = 0; k < windows; k += 1) {
      const start = firstWindow + k * windowMs;
      await sleep(Math.max(0, start - Date.now()));
      const mix: Mix = k < 6 ? healthy : withOutage(healthy, 'HDFC');
      await post(apis[k % 2]!, windowTraffic(`scale-${k}`, start, windowMs, 300, mix));
    }

    const executed = await eventually(
      async () => {
        const { rows } = await db.query<{ id: string }>("SELECT id FROM interventions WHERE status IN ('EXECUTED', 'EVALUATED')");
        return rows.length > 0 ? rows : undefined;
      },
      'an executed intervention',
      20_000,
    );
    await eventually(async () => feeds.every((events) => executed.every((row) => events.includes(`${row.id}:EXECUTED`))), 'the events on both APIs', 10_000);
    assert.deepEqual(new Set(feeds[0]), new Set(feeds[1]), 'subscribers of either API process saw the same events');

    const { rows: cycles } = await db.query<{ number: number; window_start: Date; window_end: Date }>(
      'SELECT number, window_start, window_end FROM cycles ORDER BY number',
    );
    cycles.forEach((cycle, i) => {
      assert.equal(cycle.number, i + 1);
      if (i > 0) assert.equal(cycle.window_start.getTime(), cycles[i - 1]!.window_end.getTime(), 'no window skipped or run twice');
    });
    const { rows: twice } = await db.query(
      "SELECT intervention_id FROM intervention_transitions WHERE to_status = 'EXECUTED' GROUP BY intervention_id HAVING count(*) > 1",
    );
    assert.equal(twice.length, 0, 'no intervention executed twice');
    const workersThatCycled = processes.slice(2, 4).filter((p) => p.output().includes('cycle completed')).length;
    assert.equal(workersThatCycled, 2, 'both workers ran cycles');
  } finally {
    await Promise.all(clients.map(async (client) => client.dispose()));
    await Promise.all(processes.map((p) => p.stop()));
  }
});
