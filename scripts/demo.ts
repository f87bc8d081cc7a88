// The continuous-stream demo: starts the whole service (API, scheduler, workers) in this process,
// streams simulated payments to it over HTTP in real time, obeys its routing directives (the closed
// loop) and prints one block per completed cycle, read back from Postgres. Runs until stopped.
// Usage: npm run demo [-- --seed N --rate PAYMENTS_PER_SECOND --cycles N --calm]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { issuerTarget, methodTarget, MS_PER_SECOND, statusOf, systemHealth, type DimensionHealth } from '../src/agent';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { gracefulStop, stopOnSignals } from '../src/shutdown';
import { patternsOfCycles, type CycleRow } from '../src/db/cycles';
import { countAwaitingApproval, cyclesSince, interventionsOfCycle } from '../src/db/demo';
import { createLogger } from '../src/logger';
import { createService } from '../src/service';
import { startFeed } from '../src/sim/feed';
import { RULE, cycleBlock, inr } from '../src/sim/format';
import { rotatingIncidents } from '../src/sim/incidents';
import { demoIssuers, driftFromConfig, streamOptions } from '../src/sim/profile';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    // Enough that the smallest issuer (10%) clears the detector's min_volume in a 2 s window.
    rate: { type: 'string', default: '250' },
    cycles: { type: 'string', default: '0' },
    calm: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const paymentsPerSecond = Number(values.rate);
/** 0: run until stopped. */
const maxCycles = Number(values.cycles);
/** Short enough to watch, unless PAYOPS_AGENT_CYCLE_INTERVAL says otherwise. */
const DEMO_CYCLE_INTERVAL_SECONDS = 2;
const FEED_TICK_MS = 200;
const PRINT_POLL_MS = 250;
/** Scripted incidents: the first once the baselines have warmed up, then one every 20 cycles lasting 8. */
const INCIDENT_AFTER_WARMUP_WINDOWS = 4;
const INCIDENT_EVERY_WINDOWS = 20;
const INCIDENT_WINDOWS = 8;
const INCIDENT_COUNT = 500;

interface DemoKeys {
  ingest: string;
  viewer: string;
  operator: string;
}

/** Keys for this run only, one per role, so the dashboard and approvals work without set-up. */
function demoConfig(): { config: Config; keys: DemoKeys | null } {
  const env = { ...process.env };
  env.PAYOPS_AGENT_CYCLE_INTERVAL ??= String(DEMO_CYCLE_INTERVAL_SECONDS);
  // Service logs would drown the cycle blocks; warnings and errors still show.
  env.PAYOPS_LOGGING_LEVEL ??= 'warn';
  const base = `demo-${randomBytes(16).toString('hex')}`;
  const keys = env.PAYOPS_AUTH === 'off' ? null : { ingest: `${base}-ingest`, viewer: `${base}-viewer`, operator: `${base}-operator` };
  if (keys) env.PAYOPS_API_KEYS = [env.PAYOPS_API_KEYS, ...Object.entries(keys).map(([role, key]) => `${key}:${role}`)].filter(Boolean).join(',');
  try {
    return { config: loadConfig(env), keys };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) process.stderr.write(`config: ${problem}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { config, keys } = demoConfig();
  const say = (text: string): void => void process.stdout.write(`${text}\n`);
  const service = await createService(config, createLogger(config.logging));
  const baseUrl = await service.app.listen({ host: config.server.host, port: config.server.port });
  const began = Date.now();
  const windowMs = config.agent.cycleIntervalSeconds * MS_PER_SECOND;
  const incidents = values.calm
    ? []
    : rotatingIncidents({
        firstStartMs: began + (config.agent.warmupWindows + INCIDENT_AFTER_WARMUP_WINDOWS) * windowMs,
        everyMs: INCIDENT_EVERY_WINDOWS * windowMs,
        lastingMs: INCIDENT_WINDOWS * windowMs,
        count: INCIDENT_COUNT,
        plan: [
          { kind: 'outage', target: issuerTarget('SBI') },
          { kind: 'degradation', target: issuerTarget('AXIS') },
          { kind: 'retry_storm', target: issuerTarget('ICICI') },
          { kind: 'method_fatigue', target: methodTarget('wallet') },
          { kind: 'latency_spike', target: issuerTarget('HDFC') },
        ],
      });

  say(RULE);
  say('PAYOPS CONTINUOUS STREAM DEMO');
  say(RULE);
  say(`Service:   ${baseUrl}  (API, scheduler and workers in this process)`);
  say(`Dashboard: ${baseUrl}/`);
  // The service serves GraphiQL only without authentication (see src/api/graphql/plugin.ts).
  say(`GraphiQL:  ${baseUrl}/graphiql${keys ? '  (served with PAYOPS_AUTH=off only: PAYOPS_AUTH=off npm run demo)' : ''}`);
  if (keys) say(`Keys for this run: viewer ${keys.viewer}, operator ${keys.operator} (Authorization: Bearer <key>)`);
  say(
    `Stream:    ${paymentsPerSecond} payments/s, seed ${seed}, ${config.agent.cycleIntervalSeconds} s cycles, OU drift theta ${config.drift.theta} sigma ${config.drift.sigma} mean ${config.drift.mean_success}`,
  );
  say(
    `Incidents: ${incidents.length ? `the first ${config.agent.warmupWindows + INCIDENT_AFTER_WARMUP_WINDOWS} cycles in (after ${config.agent.warmupWindows} warm-up cycles), then one every ${INCIDENT_EVERY_WINDOWS} cycles lasting ${INCIDENT_WINDOWS}` : 'none (--calm): only drift'}`,
  );
  say('Press Ctrl+C to stop');
  say(RULE);

  const feed = startFeed({
    baseUrl,
    apiKey: keys?.ingest ?? null,
    stream: streamOptions(seed, driftFromConfig(config.drift), { issuers: demoIssuers, incidents }),
    paymentsPerSecond,
    tickMs: FEED_TICK_MS,
    obey: true,
    now: Date.now,
    onError: (err) => process.stderr.write(`demo gateway: ${err instanceof Error ? err.message : String(err)}\n`),
  });

  const order = new Map(demoIssuers.map((i, k) => [i.name, k]));
  async function block(row: CycleRow): Promise<string> {
    const pool = service.db.pool;
    const patterns = await patternsOfCycles(pool, [row.number]);
    const seen = systemHealth(row.metrics, patterns, config.agent).issuers;
    // A suppressed issuer may see no attempt in a short window; it keeps its line, with no traffic.
    const silent = demoIssuers
      .filter((i) => !seen.some((h) => h.name === i.name))
      .map((i): DimensionHealth => ({
        name: i.name,
        status: statusOf(issuerTarget(i.name), patterns, config.agent),
        successRate: 0,
        latencyP95Ms: 0,
        retryRate: 0,
        volume: 0,
      }));
    const issuers = [...seen, ...silent].sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    const actions = (await interventionsOfCycle(pool, row.number)).map((i) => ({
      action: i.action,
      target: i.target,
      status: i.status,
      nrv: i.option.nrv,
      blastRadius: i.blastRadius,
    }));
    return cycleBlock({
      cycle: row.number,
      elapsedSeconds: (Date.now() - began) / MS_PER_SECOND,
      issuers,
      decision: row.decision,
      reason: row.reason,
      actions,
      approvalsWaiting: await countAwaitingApproval(pool),
    });
  }

  let printed = 0;
  let lastNumber = 0;
  let stopping = false;
  const stop = gracefulStop(
    config.server.shutdown_grace_ms,
    async (why) => {
      stopping = true;
      const stats = await feed.stop();
      await service.close();
      say(RULE);
      say(`DEMO COMPLETE (${why})`);
      say(
        `Cycles shown: ${printed}; payments: ${stats.payments}; transactions posted: ${stats.transactions}; revenue lost to failures: ${inr(stats.lostMinor)} of ${inr(stats.lostMinor + stats.settledMinor)}`,
      );
      say(RULE);
    },
    {
      timedOut: () => process.stderr.write('demo: stopping took longer than the grace period; exiting\n'),
      failed: (err) => process.stderr.write(`demo: stopping failed: ${err instanceof Error ? err.message : String(err)}\n`),
    },
  );
  stopOnSignals(stop);

  // Cycles of earlier runs in the same database are not this demo's.
  const since = new Date(began - windowMs);
  while (!stopping) {
    try {
      for (const row of await cyclesSince(service.db.pool, lastNumber, since)) {
        if (stopping) break;
        say(await block(row));
        lastNumber = row.number;
        printed += 1;
        if (maxCycles > 0 && printed >= maxCycles) stop(`${maxCycles} cycles`);
      }
    } catch (err) {
      if (!stopping) process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, PRINT_POLL_MS));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
