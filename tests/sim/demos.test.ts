import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { keys, startService, testConfig } from '../support/service';
import { eventually } from '../support/eventually';
import { runProcess } from '../support/process';

const ISSUER_LINE = /^(HDFC|ICICI|AXIS|SBI) +: [✓⚠✗] (HEALTHY|DEGRADED|DOWN) +\| Success: \d+\.\d\d% \| Latency: +\d+ms \| Retry: \d+\.\d\d%$/;

/** The blocks of the continuous demo's output, each split into lines. */
function blocks(output: string): string[][] {
  return output
    .split(/^={80}\nCYCLE /m)
    .slice(1)
    .map((b) => `CYCLE ${b}`.split('\n'));
}

describe('npm run demo:simple', () => {
  it('tells the outage story from healthy traffic to recovery and exits 0', async () => {
    const run = runProcess({}, 'scripts/demo-simple.ts', ['--seed', '7']);
    assert.equal(await run.exit, 0, run.output());
    const out = run.output();
    const sections = ['[1] HEALTHY TRAFFIC', '[2] OUTAGE', '[3] DETECTION', '[4] HYPOTHESIS', '[5] OPTIONS', '[6] DECISION', '[7] ACTION', '[8] RECOVERY'];
    let from = 0;
    for (const s of sections) {
      const at = out.indexOf(s, from);
      assert.ok(at >= from, `${s} in order`);
      from = at;
    }
    assert.match(out, /ISSUER_DEGRADATION issuer:SBI successRate/);
    assert.match(out, /ISSUER_OUTAGE issuer:SBI confidence/);
    assert.match(out, /SUPPRESS_ISSUER issuer:SBI +NRV: \d+\.\d\d \(revenue recovered/);
    assert.match(out, /\[6\] DECISION +ACTION: acting: SUPPRESS_ISSUER issuer:SBI/);
    // The agent may keep more than the service's 5% probe flowing, so it sees the bank recover.
    const directive = JSON.parse(/routing directive: (\{.*\})$/m.exec(out)?.[1] ?? '{}') as { issuer?: string; trafficShare?: number; probeShare?: number };
    assert.equal(directive.issuer, 'SBI');
    assert.ok(directive.probeShare! >= 0.05 && Math.abs(directive.trafficShare! + directive.probeShare! - 1) < 1e-9, JSON.stringify(directive));
    assert.match(out, /incident resolved/);
    const saved = /saved ₹([\d,]+)/.exec(out);
    assert.ok(saved && Number(saved[1]!.replace(/,/g, '')) > 0, 'the agent saved revenue');
  });
});

describe('npm run bench:loop', () => {
  it('compares agent, nothing and oracle, with the harm beside the failures avoided, and ends with one JSON line', async () => {
    const run = runProcess({}, 'bench/loop.ts', ['--seeds', '1', '--windows', '36', '--payments-per-window', '900']);
    assert.equal(await run.exit, 0, run.output());
    const lines = run.output().trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
    const perRun = ['saved', 'share_of_oracle', 'worst_vs_nothing', 'harm_turned_away', 'failed_avoided'];
    const keys = ['oracle_saved', 'lost_off', 'lost_on', 'lost_oracle', ...perRun, ...perRun.map((k) => `${k}_autonomous_only`)];
    for (const key of keys) assert.equal(typeof last[key], 'number', key);
    assert.equal(last.scenarios, 12);
    assert.ok(last.oracle_saved! > 0 && last.lost_oracle! <= last.lost_off!);
    assert.ok(Math.abs(last.saved! - (last.lost_off! - last.lost_on!)) < 0.02);
    assert.match(run.output(), /^loss to failed payments and retries \(INR\): agent off/m);
    assert.match(run.output(), /^gateway_outage gateway:pg_b .* ROUTE_GATEWAY gateway:pg_b;/m);

    const subset = runProcess({}, 'bench/loop.ts', ['--seeds', '2', '--windows', '30', '--payments-per-window', '600', '--kinds', 'healthy,link_fault']);
    assert.equal(await subset.exit, 0, subset.output());
    assert.equal((JSON.parse(subset.output().trim().split('\n').pop()!) as Record<string, number>).scenarios, 4);
  });
});

describe('npm run demo and npm run load against the service', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('sim_demo');
  });
  after(async () => {
    await db.drop();
  });

  it('prints a block per cycle, acts on the scripted outage, moves the traffic and stops cleanly on SIGTERM', async () => {
    const run = runProcess(
      {
        DATABASE_URL: db.url,
        PAYOPS_REDIS_KEY_PREFIX: `sim-demo-${randomBytes(4).toString('hex')}`,
        PAYOPS_AUDIT_EXPORT_DIR: mkdtempSync(join(tmpdir(), 'payops-demo-audit-')),
        // SBI carries about 10% of payments: 60 a window, twice the detector's min_volume, so a busy machine
        // that slows the stream still leaves SBI judged.
        PAYOPS_AGENT_CYCLE_INTERVAL: '1',
        PAYOPS_AGENT_WARMUP_WINDOWS: '3',
        PAYOPS_JOBS_WINDOW_GRACE_SECONDS: '0.2',
        PAYOPS_JOBS_TICK_MS: '50',
      },
      'scripts/demo.ts',
      ['--seed', '3', '--rate', '600'],
    );
    let shown = 0;
    try {
      await run.waitFor(/Action: SUPPRESS_ISSUER on issuer:SBI/, 90_000);
      shown = blocks(run.output()).length;
      // Counted, not matched with one pattern: a repeated group with `[^]*` backtracks exponentially
      // while the count is short, and froze this test's event loop on a long demo output.
      await eventually(async () => blocks(run.output()).length >= shown + 3, 'three more cycle blocks', 30_000);
    } finally {
      // Stopped on failure too, so a demo still streaming cannot write into the next test's counts.
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exit, 0, run.output());
    const out = run.output();
    assert.match(out, /^Dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
    assert.match(out, /^GraphiQL: +http:\/\/127\.0\.0\.1:\d+\/graphiql {2}\(served with PAYOPS_AUTH=off only/m);
    assert.match(out, /DEMO COMPLETE \(SIGTERM\)/);
    const all = blocks(out);
    assert.ok(all.length >= shown + 3);
    for (const b of all) {
      assert.match(b[0]!, /^CYCLE \d+ - Elapsed: \d+\.\ds$/);
      assert.equal(b.filter((l) => ISSUER_LINE.test(l)).length, 4, b.join('\n'));
      assert.ok(b.some((l) => /^Decision: (ACTION|NO_ACTION|FORCED_ACTION) \(.+\)$/.test(l)));
      assert.ok(b.some((l) => /^Action: (none|\w+ on \S+ \[\w+\])$/.test(l)));
      assert.ok(b.some((l) => /^Approvals waiting: \d+$/.test(l)));
    }
    const acted = all.find((b) => b.some((l) => l.startsWith('Action: SUPPRESS_ISSUER on issuer:SBI [')));
    assert.ok(acted, out);
    assert.ok(acted.some((l) => /^SBI +: ✗ DOWN/.test(l)));
    assert.ok(acted.some((l) => /^NRV: \d+\.\d\d \(revenue recovered/.test(l)));
    assert.ok(acted.some((l) => /^Blast Radius: 0\.\d{3}$/.test(l)));

    // The gateway obeyed: while the directive was in force, SBI kept only about its probe share of payers.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ before: string; after: string; probe: string }>(
        `SELECT avg((issuer = 'SBI')::int) FILTER (WHERE event_time < d.created_at) AS before,
                avg((issuer = 'SBI')::int) FILTER (WHERE event_time > d.created_at + interval '0.3 s' AND event_time < coalesce(d.removed_at, d.expires_at)) AS after,
                min(d.params->>'probeShare') AS probe
         FROM transactions, (SELECT * FROM directives WHERE target = 'issuer:SBI' ORDER BY created_at LIMIT 1) d
         WHERE retry_count = 0`,
      );
      const [before, after, probe] = [Number(rows[0]!.before), Number(rows[0]!.after), Number(rows[0]!.probe)];
      assert.ok(before > 0.07, `SBI share before ${before}`);
      assert.ok(after < before * (probe + 0.1), `SBI share after ${after}, probe share ${probe}`);
    } finally {
      await client.end();
    }
  });

  it('load streams at the asked rate and reports it in one JSON line', async () => {
    const service = await startService(testConfig(db.url, 'sim-load'));
    const url = await service.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const before = await service.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transactions');
      // Open loop: a directive left in force by the demo above would steer payers away, and a payer who
      // leaves makes no attempt; this test is about the rate and the report.
      const run = runProcess({}, 'scripts/load.ts', ['--rate', '300', '--duration', '2', '--url', url, '--key', keys.ingest, '--seed', '5', '--open-loop']);
      assert.equal(await run.exit, 0, run.output());
      const lines = run.output().trim().split('\n');
      const report = JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
      assert.ok(report.payments! >= 500 && report.payments! <= 700, `payments ${report.payments}`);
      assert.ok(report.transactions! >= report.payments!, run.output());
      assert.equal(report.failed_batches, 0);
      const afterCount = await service.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM transactions');
      assert.equal(Number(afterCount.rows[0]!.n) - Number(before.rows[0]!.n), report.transactions);
    } finally {
      await service.close();
    }
  });
});
