import request from 'supertest';
import type { Transaction } from '../../src/agent';
import type { Service } from '../../src/service';
import { eventually } from './eventually';
import { bearer, keys } from './service';
import { suppressed, windowTraffic, type Mix } from './traffic';

export const windowMs = 1_000;
/**
 * Test time starts ahead of the real clock: rows are on time by their event time, so they
 * count in their event's window (a row older than the real clock's grace would count as late).
 */
export const epoch = Date.parse('2030-01-01T08:00:00Z');

/** Settings that make a cycle a second of test-controlled time. */
export const loopEnv = {
  PAYOPS_AGENT_CYCLE_INTERVAL: String(windowMs / 1000),
  PAYOPS_AGENT_MIN_ACTION_FREQUENCY_CYCLES: '0',
  PAYOPS_JOBS_TICK_MS: '20',
  PAYOPS_JOBS_WINDOW_GRACE_SECONDS: '0.2',
  PAYOPS_JOBS_JOB_BACKOFF_MS: '50',
};

/** The wall clock the service sees, moved by the test one window at a time. */
export class TestClock {
  ms = epoch - 900;
  readonly now = () => new Date(this.ms);
  /** Just past window k's end and the grace, so the scheduler finds it due. */
  afterWindow(k: number): void {
    this.ms = epoch + (k + 1) * windowMs + 300;
  }
}

export async function postTransactions(service: Service, transactions: readonly Transaction[]): Promise<void> {
  for (let i = 0; i < transactions.length; i += 5_000) {
    const res = await request(service.app.server)
      .post('/v1/transactions/batch')
      .set(bearer(keys.ingest))
      .send({ transactions: transactions.slice(i, i + 5_000) });
    if (res.status !== 202) throw new Error(`batch refused: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

export async function agentWindowEnd(service: Service): Promise<number> {
  const { rows } = await service.db.pool.query<{ window_end: Date | null }>('SELECT window_end FROM agent_state WHERE id = 1');
  return rows[0]?.window_end?.getTime() ?? 0;
}

export async function waitForWindow(service: Service, k: number): Promise<void> {
  const end = epoch + (k + 1) * windowMs;
  await eventually(async () => (await agentWindowEnd(service)) >= end, `cycle of window ${k}`);
}

/** Gateways obey live suppressions: the suppressed issuer keeps only its probe share. */
export async function obeyDirectives(service: Service, mix: Mix, fallbackIssuer: string): Promise<Mix> {
  const res = await request(service.app.server).get('/v1/routing/directives').set(bearer(keys.ingest));
  let obeyed = mix;
  for (const directive of res.body.directives as { action: string; params: Record<string, number | string> }[]) {
    if (directive.action === 'SUPPRESS_ISSUER')
      obeyed = suppressed(obeyed, String(directive.params.issuer), Number(directive.params.probeShare), fallbackIssuer);
  }
  return obeyed;
}

/** Posts window k's traffic, moves the clock past it and waits for its cycle. */
export async function playWindow(service: Service, clock: TestClock, k: number, mix: Mix, volume = 400): Promise<void> {
  await postTransactions(service, windowTraffic('loop', epoch + k * windowMs, windowMs, volume, mix));
  clock.afterWindow(k);
  await waitForWindow(service, k);
}
