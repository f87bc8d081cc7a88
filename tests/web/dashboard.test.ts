import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Config } from '../../src/config';
import type { Service } from '../../src/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { hypothesis, seedAlert, seedIntervention } from '../api/graphql/fixtures';
import { TestClock, epoch, loopEnv, playWindow, postTransactions, waitForWindow, windowMs } from '../support/loop';
import { keys, startService, testConfig } from '../support/service';
import { windowTraffic, withOutage } from '../support/traffic';
import { ensureDashboardBuilt, launchBrowser, screenshot, type Browser } from './browser';

const warmWindows = 12;
// HDFC carries 25% of traffic: above the 20% autonomy limit, so its suppression waits for an operator.
const bigHdfc = {
  HDFC: { share: 0.25, successRate: 0.95 },
  ICICI: { share: 0.25, successRate: 0.95 },
  AXIS: { share: 0.25, successRate: 0.95 },
  SBI: { share: 0.25, successRate: 0.95 },
};
const outage = withOutage(bigHdfc, 'HDFC');
const pageTimeoutMs = 20_000;

async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('key-form').waitFor({ timeout: pageTimeoutMs });
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: pageTimeoutMs });
}

describe('the dashboard in headless Chromium', () => {
  let database: TestDatabase;
  let config: Config;
  let service: Service;
  let browser: Browser;
  let url: string;
  let operator: { page: Page; errors: string[] };
  let viewer: { page: Page; errors: string[] };
  let pendingId: string;
  const clock = new TestClock();
  let k = 0;

  before(async () => {
    ensureDashboardBuilt();
    database = await createTestDatabase('web_dashboard');
    // A 5% probe keeps the large bank's suppression above the autonomy limit at this test's thin volume, so it waits for an operator.
    config = testConfig(database.url, 'test-web-dashboard', { ...loopEnv, PAYOPS_AGENT_MAX_PROBE_SHARE: '0.05' });
    service = await startService(config, { now: clock.now });
    await service.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}/`;
    for (; k < warmWindows; k += 1) await playWindow(service, clock, k, bigHdfc);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
    await database?.drop();
  });

  it('asks an operator for a key, then fills the health table and charts with no console errors', async () => {
    operator = await browser.open();
    await signIn(operator.page, url, keys.operator);
    const rows = operator.page.getByTestId('health-row');
    await eventually(async () => (await rows.count()) === 7, 'four issuers, two methods and the system in the table');
    assert.equal(await operator.page.locator('[data-testid="health-row"][data-name="HDFC"]').getAttribute('data-status'), 'HEALTHY');
    assert.equal(await operator.page.getByTestId('who').getAttribute('data-role'), 'operator');
    assert.equal(await operator.page.locator('.uplot canvas').count(), 2, 'a success-rate and a latency chart');
    assert.ok((await operator.page.getByTestId('cycle').count()) >= warmWindows - 1, 'the cycles so far, each with its decision');
    await screenshot(operator.page, '1-healthy');
    assert.deepEqual(operator.errors, []);
  });

  it('shows an intervention live, without a reload, once an outage is posted', async () => {
    const card = operator.page.getByTestId('pending-card');
    await eventually(
      async () => {
        if ((await card.count()) > 0) return true;
        await playWindow(service, clock, k++, outage);
        return false;
      },
      'a suppression awaiting approval on the page',
      60_000,
    );
    pendingId = (await card.first().getAttribute('data-id'))!;
    assert.match((await card.first().textContent()) ?? '', /SUPPRESS ISSUER issuer:HDFC/);
    // Steering loses the payers who do not switch: the card says how many good payments that costs.
    assert.match((await card.first().getByTestId('turned-away').textContent()) ?? '', /^turns away ~[\d.,]+ payments\/min, ~₹[\d,]+$/);
    await operator.page.locator(`[data-testid="feed-row"][data-id="${pendingId}"][data-status="AWAITING_APPROVAL"]`).waitFor({ timeout: pageTimeoutMs });
    await operator.page.locator('[data-testid="health-row"][data-name="HDFC"][data-status="DOWN"]').waitFor({ timeout: pageTimeoutMs });
    assert.ok((await operator.page.locator('[data-testid="cycle"][data-decision="ACTION"]').count()) >= 1);
    // Meanwhile the share of HDFC that fits the autonomy limit is suppressed without waiting, and the card says so.
    await operator.page
      .locator('[data-testid="feed-row"]', { hasText: /SUPPRESS ISSUER issuer:HDFC on \d+%/ })
      .first()
      .waitFor({ timeout: pageTimeoutMs });
    await card
      .first()
      .getByTestId('contained-part')
      .filter({ hasText: /Already moving \d+% of its traffic on its own/ })
      .waitFor({ timeout: pageTimeoutMs });
    await screenshot(operator.page, '2-outage-awaiting-approval');
  });

  it('shows a viewer the pending intervention but no approve or reject buttons', async () => {
    viewer = await browser.open();
    await signIn(viewer.page, url, keys.viewer);
    await viewer.page.locator(`[data-testid="pending-card"][data-id="${pendingId}"]`).waitFor({ timeout: pageTimeoutMs });
    assert.equal(await viewer.page.getByTestId('who').getAttribute('data-role'), 'viewer');
    assert.equal(await viewer.page.getByTestId('approve').count(), 0);
    assert.equal(await viewer.page.getByTestId('reject').count(), 0);
    await viewer.page
      .locator('[data-testid="feed-row"]', { hasText: /on \d+%/ })
      .first()
      .click();
    await viewer.page.getByTestId('premortem').waitFor({ timeout: pageTimeoutMs });
    assert.match((await viewer.page.getByTestId('contained').textContent()) ?? '', /Contained: moves \d+% of issuer:HDFC's traffic/);
    assert.equal(await viewer.page.getByTestId('rollback').count(), 0, 'a viewer cannot roll back');
    await screenshot(viewer.page, '3-viewer');
  });

  it('turns away an ingest key and an unknown key at sign-in', async () => {
    // A tab of its own: the unknown key's 401 is an expected console error.
    const { page } = await browser.open();
    await page.goto(url);
    for (const [key, message] of [
      [keys.ingest, /needs the viewer or operator role/],
      ['no-such-key', /does not know this key/],
    ] as const) {
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Open dashboard' }).click();
      await page.getByRole('alert').filter({ hasText: message }).waitFor({ timeout: pageTimeoutMs });
    }
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'a refused key is not kept');
    await page.close();
  });

  it('explains the intervention: hypothesis with evidence, NRV breakdown and pre-mortem', async () => {
    await operator.page.locator(`[data-testid="pending-card"][data-id="${pendingId}"] header`).click();
    const evidence = operator.page.locator('[data-testid="evidence"] li');
    await evidence.first().waitFor({ timeout: pageTimeoutMs });
    assert.match((await operator.page.locator('#detail').textContent()) ?? '', /Hypothesis.*ISSUER OUTAGE/s);
    assert.match((await operator.page.getByTestId('nrv').textContent()) ?? '', /recovered − .* cost − .* risk/);
    assert.match((await operator.page.getByTestId('premortem').textContent()) ?? '', /Blast radius .* needs an operator/);
    await screenshot(operator.page, '4-detail');
  });

  it('lets the operator approve with the button, for a share of the traffic, and shows it executed, live on the viewer too', async () => {
    const card = operator.page.locator(`[data-testid="pending-card"][data-id="${pendingId}"]`);
    const share = card.getByLabel('share of traffic to approve (%)');
    await share.fill('150');
    await card.getByTestId('approve').click();
    await card.getByRole('alert').filter({ hasText: 'must be above 0% and at most 100%' }).waitFor({ timeout: pageTimeoutMs });
    await share.fill('60');
    await card.getByTestId('approve').click();
    for (const { page } of [operator, viewer]) {
      await page.locator(`[data-testid="feed-row"][data-id="${pendingId}"][data-status="EXECUTED"]`).waitFor({ timeout: pageTimeoutMs });
    }
    await operator.page.locator('[data-testid="detail-status"]', { hasText: 'EXECUTED' }).waitFor({ timeout: pageTimeoutMs });
    assert.match((await operator.page.locator('#detail').textContent()) ?? '', /APPROVED by operator:/);
    const { rows } = await service.db.pool.query<{ status: string }>('SELECT status FROM interventions WHERE id = $1', [pendingId]);
    assert.equal(rows[0]!.status, 'EXECUTED');
    const directive = await service.db.pool.query('SELECT params FROM directives WHERE intervention_id = $1', [pendingId]);
    assert.deepEqual([directive.rows[0].params.trafficShare, directive.rows[0].params.probeShare], [0.6, 0.4], 'the gateways move only the approved 60%');
    assert.equal(await operator.page.locator(`[data-testid="pending-card"][data-id="${pendingId}"]`).count(), 0);
    await screenshot(operator.page, '5-approved-executed');
  });

  it('lets the operator roll back a running move with a reason, live on the viewer too', async () => {
    const detail = operator.page.locator('#detail');
    await operator.page.getByTestId('rollback').click();
    await operator.page.getByRole('alert').filter({ hasText: 'A rollback needs a reason.' }).waitFor({ timeout: pageTimeoutMs });
    await operator.page.getByLabel('rollback reason').fill('HDFC confirms the outage is over');
    await operator.page.getByTestId('rollback').click();
    await operator.page.locator('[data-testid="detail-status"]', { hasText: 'ROLLED BACK' }).waitFor({ timeout: pageTimeoutMs });
    assert.match((await detail.textContent()) ?? '', /ROLLED_BACK by operator:.*: HDFC confirms the outage is over/);
    assert.equal(await operator.page.getByTestId('rollback').count(), 0, 'nothing left to roll back');
    await viewer.page.locator(`[data-testid="feed-row"][data-id="${pendingId}"][data-status="ROLLED_BACK"]`).waitFor({ timeout: pageTimeoutMs });
    const { rows } = await service.db.pool.query('SELECT removed_reason FROM directives WHERE intervention_id = $1', [pendingId]);
    assert.match(rows[0].removed_reason, /HDFC confirms the outage is over/, 'the gateways no longer see its directive');
    await screenshot(operator.page, '6-rolled-back');
  });

  it('shows a gateway route with where it sends the payments and what it turns away, and lets the operator reject it', async () => {
    const path = 'gateway:pg_a/issuer:HDFC';
    const route = await seedIntervention(service.db, {
      action: 'ROUTE_GATEWAY',
      target: path,
      subject: path,
      params: {
        from: 'pg_a',
        to: [
          { gateway: 'pg_b', share: 0.75 },
          { gateway: 'pg_c', share: 0.25 },
        ],
      },
      hypothesis: { ...hypothesis, cause: 'LINK_FAULT', patternType: 'GATEWAY_DEGRADATION', target: path },
      turnedAway: { paymentsPerMinute: 0.5, valuePerMinute: 640, currency: 'INR' },
      createdAt: clock.now(),
      approvalExpiresAt: new Date(clock.ms + 3_600_000),
    });
    const card = operator.page.locator(`[data-testid="pending-card"][data-id="${route.id}"]`);
    await card.waitFor({ timeout: pageTimeoutMs });
    assert.match((await card.locator('header').textContent()) ?? '', /^ROUTE GATEWAY gateway:pg_a\/issuer:HDFC → pg_b 75%, pg_c 25% cycle/);
    assert.equal(await card.getByTestId('turned-away').textContent(), 'turns away ~0.5 payments/min, ~₹640');
    await card.locator('header').click();
    await operator.page.locator('#detail [data-testid="turned-away"]', { hasText: 'turns away ~0.5 payments/min, ~₹640' }).waitFor({ timeout: pageTimeoutMs });
    assert.match((await operator.page.locator('#detail').textContent()) ?? '', /LINK FAULT on gateway:pg_a\/issuer:HDFC/);
    await card.getByLabel('note or reason').fill('pg_a is fixing the link');
    await card.getByTestId('reject').click();
    await operator.page.locator(`[data-testid="feed-row"][data-id="${route.id}"][data-status="REJECTED"]`).waitFor({ timeout: pageTimeoutMs });
    await screenshot(operator.page, '7-route-gateway');
  });

  it('marks the heartbeat alert as a heartbeat, greyed, and a real alert as a page', async () => {
    const alert = (heartbeat: boolean) => seedAlert(service.db, heartbeat, clock.now());
    const [beat, page] = [await alert(true), await alert(false)];
    const row = (id: string) => operator.page.locator(`[data-testid="feed-row"][data-id="${id}"][data-status="EXECUTED"]`);
    await row(beat.id).waitFor({ timeout: pageTimeoutMs });
    await row(page.id).waitFor({ timeout: pageTimeoutMs });
    assert.equal(await row(beat.id).getByTestId('alert-kind').textContent(), 'heartbeat');
    assert.equal(await row(page.id).getByTestId('alert-kind').textContent(), 'page');
    // Runs in the page, where getComputedStyle exists; this file is typed for Node, without the DOM.
    type Styled = { getComputedStyle(element: unknown): { backgroundColor: string } };
    const background = (id: string) =>
      row(id)
        .getByTestId('alert-kind')
        .evaluate((badge) => (globalThis as unknown as Styled).getComputedStyle(badge).backgroundColor);
    assert.notEqual(await background(beat.id), await background(page.id), 'a heartbeat is not styled as a page');
    assert.equal(await row(beat.id).getByTestId('turned-away').count(), 0, 'an alert turns nobody away');
    await screenshot(operator.page, '8-heartbeat-and-page');
  });

  it('lists the gateways in the health table once attempts name them', async () => {
    const traffic = windowTraffic('gw', epoch + k * windowMs, windowMs, 400, bigHdfc).map((tx, i) => ({ ...tx, gateway: i % 3 === 0 ? 'pg_b' : 'pg_a' }));
    await postTransactions(service, traffic);
    clock.afterWindow(k);
    await waitForWindow(service, k);
    k += 1;
    for (const gateway of ['pg_a', 'pg_b']) {
      await operator.page.locator(`[data-testid="health-row"][data-kind="gateway"][data-name="${gateway}"]`).waitFor({ timeout: pageTimeoutMs });
    }
    await screenshot(operator.page, '9-gateways');
  });

  it('reconnects by itself after the server restarts', async () => {
    const port = (service.app.server.address() as AddressInfo).port;
    await service.close();
    await operator.page.locator('[data-testid="connection"][data-state="reconnecting"]').waitFor({ timeout: pageTimeoutMs });
    service = await startService(config, { now: clock.now });
    await service.app.listen({ host: '127.0.0.1', port });
    await operator.page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: pageTimeoutMs });
    // A cycle after the restart reaches the page over the new connection.
    await playWindow(service, clock, k, bigHdfc);
    const { rows } = await service.db.pool.query<{ latest: number }>('SELECT max(number) AS latest FROM cycles');
    await operator.page.locator('[data-testid="cycle"] .cycle-number', { hasText: new RegExp(`^#${rows[0]!.latest}$`) }).waitFor({ timeout: pageTimeoutMs });
    await screenshot(operator.page, '10-after-restart');
  });

  it('logged no console errors in either tab', () => {
    assert.deepEqual(
      operator.errors.filter((e) => !isRestartNoise(e)),
      [],
    );
    assert.deepEqual(
      viewer.errors.filter((e) => !isRestartNoise(e)),
      [],
    );
  });
});

/** While the server is down, Chromium itself logs the failed WebSocket handshakes the page retries. */
function isRestartNoise(message: string): boolean {
  return /WebSocket connection to .* failed/.test(message);
}
