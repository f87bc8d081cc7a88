import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { TestClock, epoch, loopEnv, playWindow, postTransactions, waitForWindow, windowMs } from '../support/loop';
import { startService, testConfig } from '../support/service';
import { healthy, windowTraffic, withOutage, type Mix } from '../support/traffic';

let database: TestDatabase;
let service: Service;
const clock = new TestClock();

// Five issuers, two named in /metrics; every failure code outside the taxonomy.
const mix: Mix = {
  HDFC: { share: 0.15, successRate: 0.5, failureCode: 'ZZ_ONE' },
  ICICI: { share: 0.3, successRate: 0.5, failureCode: 'ZZ_TWO' },
  AXIS: { share: 0.3, successRate: 0.8, failureCode: 'ZZ_THREE' },
  SBI: { share: 0.2, successRate: 0.9, failureCode: 'ZZ_FOUR' },
  KOTAK: { share: 0.05, successRate: 1 },
};

before(async () => {
  database = await createTestDatabase('slis');
  // The agent judges four issuers by name: KOTAK, the smallest, is folded into other.
  service = await startService(testConfig(database.url, 'test-slis', { ...loopEnv, PAYOPS_METRICS_TOP_VALUES: '2', PAYOPS_AGENT_MAX_DIMENSION_VALUES: '4' }), {
    now: clock.now,
  });
  for (let k = 0; k < 3; k += 1) await playWindow(service, clock, k, mix);
});
after(async () => {
  await service.close();
  await database.drop();
});

const scrape = async () => (await request(service.app.server).get('/metrics')).text;

/** Every sample of one metric, keyed by its label set as written (`{a="b"}`, or '' without labels). */
function samples(text: string, name: string): Map<string, number> {
  const pattern = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm');
  return new Map([...text.matchAll(pattern)].map(([, labels, value]) => [labels ?? '', Number(value)]));
}

const labelValues = (series: Map<string, number>, label: string) =>
  [...series.keys()].map((labels) => new RegExp(`${label}="([^"]*)"`).exec(labels)?.[1]).sort();

describe('the service SLIs in /metrics', () => {
  it('reports how far the agent trails the clock and how long its cycles take', async () => {
    const text = await scrape();
    // The clock stands 0.3 s past the end of window 2, the last one judged.
    assert.equal(samples(text, 'payops_cycle_lag_seconds').get(''), 0.3);
    assert.equal(samples(text, 'payops_cycle_interval_seconds').get(''), 1);
    assert.ok(samples(text, 'payops_cycle_duration_seconds_count').get('')! >= 3, text);
    assert.equal(samples(text, 'payops_cycle_windows_skipped_total').get(''), 0);
  });

  it('charts success rate and volume for the top N issuers by volume, the rest under other', async () => {
    const text = await scrape();
    const attempts = samples(text, 'payops_window_attempts');
    assert.equal(attempts.get('{dimension="system",value="system"}'), 400);
    assert.equal(attempts.get('{dimension="issuer",value="ICICI"}'), 120);
    // HDFC, SBI and KOTAK fold into other: 60 + 80 + 20.
    assert.equal(attempts.get('{dimension="issuer",value="other"}'), 160);
    assert.deepEqual(labelValues(new Map([...attempts].filter(([labels]) => labels.includes('"issuer"'))), 'value'), ['AXIS', 'ICICI', 'other']);
    const rates = samples(text, 'payops_window_success_rate');
    assert.equal(rates.get('{dimension="issuer",value="ICICI"}'), 0.5);
    assert.equal(rates.get('{dimension="issuer",value="other"}'), (30 + 72 + 20) / 160);
    assert.deepEqual(labelValues(new Map([...rates].filter(([labels]) => labels.includes('"method"'))), 'value'), ['card', 'upi']);
  });

  it('counts the distinct values the agent folded into other, having taken every one of them in', async () => {
    const folded = samples(await scrape(), 'payops_window_folded_values');
    assert.deepEqual(Object.fromEntries([...folded].map(([labels, n]) => [labelValues(new Map([[labels, n]]), 'dimension')[0], n])), {
      issuer: 1,
      method: 0,
      gateway: 0,
    });
    const { rows } = await service.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM transactions WHERE issuer = 'KOTAK'");
    assert.equal(rows[0]!.n, 60, 'all three windows of KOTAK stored');
  });

  it('names unclassified error codes, bounded to the top N and other', async () => {
    const codes = samples(await scrape(), 'payops_unclassified_error_codes');
    assert.deepEqual(Object.fromEntries([...codes].map(([labels, value]) => [labelValues(new Map([[labels, value]]), 'code')[0], value])), {
      ZZ_TWO: 60,
      ZZ_ONE: 30,
      other: 24 + 8,
    });
  });

  it('reports queue depth, the outbox backlog and its age, deliveries and interventions', async () => {
    const text = await scrape();
    const queues = samples(text, 'payops_queue_jobs');
    for (const queue of ['cycles', 'execute', 'webhooks']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) assert.ok(queues.has(`{queue="${queue}",state="${state}"}`), `${queue} ${state}`);
    }
    assert.ok(samples(text, 'payops_outbox_backlog_events').get('')! >= 0);
    assert.ok(samples(text, 'payops_outbox_oldest_event_age_seconds').has(''));
    assert.deepEqual(labelValues(samples(text, 'payops_webhook_deliveries'), 'status'), ['dead', 'delivered', 'pending']);
    assert.deepEqual(samples(text, 'payops_job_failures_total').get('{queue="cycles"}'), 0);
    const { rows } = await service.db.pool.query<{ count: string }>('SELECT count(*) FROM event_outbox WHERE published_at IS NULL');
    await service.db.pool.query("INSERT INTO event_outbox (topic, payload, created_at) VALUES ('test', '{}', now() - interval '1 hour')");
    const after = await scrape();
    assert.equal(samples(after, 'payops_outbox_backlog_events').get(''), Number(rows[0]!.count) + 1);
    assert.ok(samples(after, 'payops_outbox_oldest_event_age_seconds').get('')! >= 3_600);
  });
});

describe('the SLIs of an outage the agent acts on', () => {
  let outageDatabase: TestDatabase;
  let acting: Service;
  const outageClock = new TestClock();
  before(async () => {
    outageDatabase = await createTestDatabase('slis_outage');
    acting = await startService(testConfig(outageDatabase.url, 'test-slis-outage', loopEnv), { now: outageClock.now });
    for (let k = 0; k < 12; k += 1) await playWindow(acting, outageClock, k, healthy);
    for (let k = 12; k < 14; k += 1) await playWindow(acting, outageClock, k, withOutage(healthy, 'HDFC'));
  });
  after(async () => {
    await acting.close();
    await outageDatabase.drop();
  });

  it('counts patterns by type and interventions by status and action as Postgres holds them', async () => {
    const byLabels = (text: string, name: string, labels: string[]) =>
      Object.fromEntries(
        [...samples(text, name)].filter(([, n]) => n > 0).map(([set, n]) => [labels.map((label) => labelValues(new Map([[set, n]]), label)[0]).join('/'), n]),
      );
    const db = async (sql: string) => Object.fromEntries((await acting.db.pool.query<{ key: string; n: number }>(sql)).rows.map((row) => [row.key, row.n]));
    const read = async () => {
      const text = (await request(acting.app.server).get('/metrics')).text;
      return {
        text,
        served: {
          patterns: byLabels(text, 'payops_patterns_detected_total', ['type']),
          interventions: byLabels(text, 'payops_interventions', ['status', 'action']),
        },
        stored: {
          patterns: await db('SELECT type AS key, count(*)::int AS n FROM patterns GROUP BY type'),
          interventions: await db("SELECT status || '/' || action AS key, count(*)::int AS n FROM interventions GROUP BY 1"),
        },
      };
    };
    // The worker counts a cycle's patterns just after it commits, and executes interventions on its own time.
    let last = await read();
    await eventually(async () => {
      last = await read();
      return isDeepStrictEqual(last.served, last.stored);
    }, 'the metrics to match Postgres').catch(() => undefined);
    assert.ok(Object.keys(last.stored.patterns).length > 0, 'the outage was found');
    assert.ok(Object.keys(last.stored.interventions).length > 0, 'the agent acted');
    assert.deepEqual(last.served, last.stored);
    const text = last.text;
    // Every queue's job counters exist from the start, so rate() sees the first failure.
    for (const name of ['payops_job_retries_total', 'payops_job_failures_total']) {
      assert.deepEqual(labelValues(samples(text, name), 'queue'), ['cycles', 'execute', 'webhooks'], name);
    }
  });

  it('charts success rate and volume per gateway once attempts name one', async () => {
    // Window 14: the same traffic, through two gateways; pg_b fails every fourth attempt.
    const k = 14;
    const traffic = windowTraffic('gateways', epoch + k * windowMs, windowMs, 400, healthy).map((tx, i) =>
      i % 2 === 0
        ? { ...tx, gateway: 'pg_a', status: 'success' as const, errorCode: null }
        : { ...tx, gateway: 'pg_b', status: i % 8 === 1 ? ('failed' as const) : ('success' as const), errorCode: i % 8 === 1 ? 'GATEWAY_TIMEOUT' : null },
    );
    await postTransactions(acting, traffic);
    outageClock.afterWindow(k);
    await waitForWindow(acting, k);
    const text = (await request(acting.app.server).get('/metrics')).text;
    const attempts = samples(text, 'payops_window_attempts');
    const rates = samples(text, 'payops_window_success_rate');
    assert.deepEqual([attempts.get('{dimension="gateway",value="pg_a"}'), attempts.get('{dimension="gateway",value="pg_b"}')], [200, 200]);
    assert.deepEqual([rates.get('{dimension="gateway",value="pg_a"}'), rates.get('{dimension="gateway",value="pg_b"}')], [1, 0.75]);
  });
});

/** Every PromQL expression must parse: the grammar Prometheus' own UI uses. */
function assertParses(expr: string, where: string): void {
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
    },
  });
  assert.deepEqual(errors, [], `${where}: ${expr} does not parse (error at ${errors[0]})`);
}

/** Metric names an expression reads, as /metrics declares them (histogram series by their family). */
const metricNames = (expr: string) => [...expr.matchAll(/\bpayops_[a-z0-9_]+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, ''));

describe('deploy/: the Grafana dashboard and the Prometheus alert rules', () => {
  const dashboard = JSON.parse(readFileSync('deploy/grafana-dashboard.json', 'utf8'));
  const rules = parseYaml(readFileSync('deploy/prometheus-alerts.yml', 'utf8'));
  const panelExprs: [string, string][] = dashboard.panels.flatMap((panel: { title: string; targets?: { expr: string }[] }) =>
    (panel.targets ?? []).map((target) => [panel.title, target.expr]),
  );
  const ruleExprs: [string, string][] = rules.groups.flatMap((group: { rules: { alert: string; expr: string }[] }) =>
    group.rules.map((rule) => [rule.alert, rule.expr]),
  );

  it('has a dashboard whose every query parses and names only metrics that /metrics declares', async () => {
    assert.ok(panelExprs.length >= 20);
    const declared = new Set([...(await scrape()).matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name));
    for (const [title, expr] of [...panelExprs, ...ruleExprs]) {
      assertParses(expr, title);
      const names = metricNames(expr);
      assert.ok(names.length > 0, `${title} reads no PayOps metric`);
      for (const name of names) assert.ok(declared.has(name), `${title}: ${name} is not in /metrics`);
    }
  });

  it('has alert rules a Prometheus would load: cycle lag, outbox backlog and dead letters among them', () => {
    const alerts = ruleExprs.map(([alert]) => alert);
    assert.equal(new Set(alerts).size, alerts.length, 'alert names are unique');
    for (const needed of ['PayOpsCycleLagging', 'PayOpsOutboxBacklogGrowing', 'PayOpsWebhookDeadLetters']) assert.ok(alerts.includes(needed), needed);
    for (const group of rules.groups) {
      assert.equal(typeof group.name, 'string');
      for (const rule of group.rules) {
        assert.deepEqual(
          Object.keys(rule).filter((key) => !['alert', 'expr', 'for', 'labels', 'annotations'].includes(key)),
          [],
          rule.alert,
        );
        if (rule.for !== undefined) assert.match(rule.for, /^\d+[smh]$/, `${rule.alert}: for`);
        assert.ok(['page', 'ticket'].includes(rule.labels.severity), `${rule.alert}: severity`);
        assert.equal(typeof rule.annotations.summary, 'string', `${rule.alert}: summary`);
      }
    }
  });

  it('names every PayOps metric that /metrics declares in the README section "Operating PayOps"', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('\n## Operating PayOps\n');
    assert.ok(start >= 0, 'the section exists');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    for (const needed of ['deploy/grafana-dashboard.json', 'deploy/prometheus-alerts.yml', 'webhook-signature']) assert.ok(section.includes(needed), needed);
    const declared = [...(await scrape()).matchAll(/^# TYPE (payops_\S+) /gm)].map(([, name]) => name!);
    assert.ok(declared.length >= 20, declared.join(', '));
    assert.deepEqual(
      declared.filter((name) => !section.includes(`\`${name}`)),
      [],
      'metrics the README does not name',
    );
  });

  it('fails the check on an expression that does not parse', () => {
    assert.throws(() => assertParses('max(payops_cycle_lag_seconds) > 2 *', 'broken'));
  });
});
