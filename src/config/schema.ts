import { isIP } from 'node:net';
import { z } from 'zod';
import { defaultAgentConfig, type AgentConfig } from '../agent';

export const roles = ['ingest', 'operator', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** The parts one process can run (`--role` or PAYOPS_ROLE; all three by default). */
export const serviceRoles = ['api', 'worker', 'scheduler'] as const;
export type ServiceRole = (typeof serviceRoles)[number];

const positiveInt = z.number().int().positive();
const share = z.number().min(0).max(1);

// What proxy-addr (Fastify's trustProxy) accepts: an address, a CIDR range or one of its named ranges.
const proxyRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);
const proxyAddress = z
  .string()
  .trim()
  .refine((value) => {
    if (proxyRanges.has(value)) return true;
    const [address = '', bits, ...rest] = value.split('/');
    const version = isIP(address);
    if (version === 0 || rest.length > 0) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
  }, 'an IP address, a CIDR range (10.0.0.0/8) or loopback, linklocal, uniquelocal');

/** Off, on (any proxy), or the proxies' addresses (a list, or comma-separated). */
const trustProxySchema = z.union([
  z.boolean(),
  z.array(proxyAddress).min(1),
  z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.array(proxyAddress).min(1)),
]);

const serverSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(3000),
    body_limit_bytes: positiveInt.default(16 * 1024 * 1024),
    /**
     * Whether X-Forwarded-For names the caller: behind a load balancer, without it every anonymous
     * caller shares the balancer's address and so its rate limit. Trust only proxies that overwrite the header.
     */
    trust_proxy: trustProxySchema.default(false),
    shutdown_grace_ms: positiveInt.default(10_000),
    /** Requests one configured key may make per window, across all processes, before 429: 10,000 a second. */
    rate_limit_max: positiveInt.default(600_000),
    /** Requests per window from one address without a configured key (probes, scrapes, guessers). */
    rate_limit_max_anonymous: positiveInt.default(600),
    rate_limit_window_ms: positiveInt.default(60_000),
    /** How often each process adds its counts to the shared ones in Redis and reads the totals back. */
    rate_limit_sync_ms: positiveInt.default(250),
    /** Mean event-loop delay over which requests are shed (503 overloaded): latency is about to collapse. */
    max_event_loop_delay_ms: positiveInt.default(250),
    /** Share of V8's heap limit in use over which requests are shed, before the process runs out of memory. */
    max_heap_used_share: z.number().positive().max(1).default(0.9),
  })
  .strict();

const databaseSchema = z
  .object({
    url: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/payops'),
    pool_size: positiveInt.default(10),
    connect_timeout_ms: positiveInt.default(2_000),
    statement_timeout_ms: positiveInt.default(15_000),
  })
  .strict();

const redisSchema = z
  .object({
    url: z.string().min(1).default('redis://127.0.0.1:6379'),
    key_prefix: z.string().min(1).default('payops'),
    /**
     * Longest a shutdown waits on Redis (workers finishing, queues closing) before dropping its
     * connections: a Redis that is gone never answers. Commits of accepted transactions are awaited regardless.
     */
    close_timeout_ms: positiveInt.default(3_000),
  })
  .strict();

/** `name` identifies the key's holder in the audit log (the key itself is never stored or logged). */
const apiKeySchema = z.object({ key: z.string().min(8), role: z.enum(roles), name: z.string().min(1).max(64).optional() }).strict();

const authSchema = z
  .object({
    mode: z.enum(['on', 'off']).default('on'),
    keys: z.array(apiKeySchema).default([]),
  })
  .strict();

const ingestSchema = z
  .object({
    max_batch_items: positiveInt.max(100_000).default(10_000),
    group_commit_max_items: positiveInt.default(5_000),
    group_commit_max_inflight: positiveInt.default(1),
    retry_after_seconds: positiveInt.default(5),
    /** Single POSTs waiting for a group commit over which requests are shed: the queue is bounded. */
    max_queued_transactions: positiveInt.default(20_000),
    /** Event times further ahead of the server clock are refused: a future window must not be fed in advance. */
    max_clock_skew_seconds: z.number().min(0).default(300),
  })
  .strict();

const jobsSchema = z
  .object({
    /** Wait after a window closes for late transactions before judging it. */
    window_grace_seconds: z.number().min(0).default(1),
    /** After downtime, at most this many missed windows are replayed; older ones are skipped. */
    max_catch_up_windows: positiveInt.default(1_000),
    /** How often the scheduler looks for due windows, expiries and unpublished events. */
    tick_ms: positiveInt.default(250),
    /** How often the scheduler merges a filling window's rollup rows into one per cell (src/db/rollup-compaction.ts); also once as each window settles. */
    rollup_compaction_interval_seconds: z.number().positive().default(5),
    job_attempts: positiveInt.default(5),
    /** A job whose worker stops renewing its lock this long is handed to another worker. */
    job_lock_ms: positiveInt.default(30_000),
    job_backoff_ms: positiveInt.default(500),
  })
  .strict();

/** Standard Webhooks secrets: `whsec_` and the base64 of 24 to 64 random bytes. */
export const webhookSecretPrefix = 'whsec_';
const webhookSecret = z.string().refine((value) => {
  if (value === '') return true;
  const encoded = value.slice(webhookSecretPrefix.length);
  const bytes = Buffer.from(encoded, 'base64').length;
  return value.startsWith(webhookSecretPrefix) && /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) && bytes >= 24 && bytes <= 64;
}, 'must be whsec_ followed by the base64 of 24 to 64 random bytes (e.g. `echo whsec_$(openssl rand -base64 32)`)');

const actionsSchema = z
  .object({
    /** Share of a suppressed target's traffic still sent to it, so its recovery is seen. */
    probe_share: share.default(0.05),
    webhooks: z.array(z.url()).default([]),
    /** Signs ops alerts (webhook-signature, and the deprecated X-PayOps-Signature); required with webhooks. */
    webhook_secret: webhookSecret.default(''),
    webhook_attempts: positiveInt.default(5),
    webhook_backoff_ms: positiveInt.default(1_000),
    webhook_timeout_ms: positiveInt.default(5_000),
    /** Share of payers shown a bank or method as down who pay another way (the core's customerSwitchRate). */
    customer_switch_rate: share.default(defaultAgentConfig.customerSwitchRate),
    /** Cost of one retried attempt, major units (the core's retryCost). */
    retry_cost: z.number().min(0).default(defaultAgentConfig.retryCost),
  })
  .strict()
  .superRefine(({ webhooks, webhook_secret }, ctx) => {
    // Unsigned alerts could be forged by anyone who learns a receiver's URL.
    if (webhooks.length > 0 && webhook_secret === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['webhook_secret'],
        message: 'is required when webhooks are configured (whsec_ followed by base64 of 24 to 64 random bytes)',
      });
    }
  });

const feeRatesSchema = z
  .record(z.string().regex(/^[a-z0-9_]{1,32}$/, 'a method code, [a-z0-9_]{1,32}, or default'), share)
  .refine((rates) => rates.default !== undefined, 'needs a `default` rate for the methods not listed');

const errorCode = z.string().trim().min(1).max(64);

/** The failure-code taxonomy (the core's customerDeclineCodes and technicalErrorCodes); each list replaces its default whole. */
const errorCodesSchema = z
  .object({
    customer: z.array(errorCode).default([...defaultAgentConfig.customerDeclineCodes]),
    technical: z.array(errorCode).default([...defaultAgentConfig.technicalErrorCodes]),
  })
  .strict()
  .superRefine(({ customer, technical }, ctx) => {
    // Codes are compared as the core compares them, ignoring case.
    const customers = new Set(customer.map((code) => code.toUpperCase()));
    const both = technical.filter((code) => customers.has(code.toUpperCase()));
    if (both.length) ctx.addIssue({ code: 'custom', path: ['technical'], message: `codes in both lists: ${both.join(', ')}` });
  });

/** How the valuation prices a payment (the core's valueBasis and feeRates). */
const valueSchema = z
  .object({
    basis: z.enum(['gmv', 'revenue']).default(defaultAgentConfig.valueBasis),
    /** Replaces the defaults whole, so a method left out is priced at `default`. */
    fee_rates: feeRatesSchema.default(defaultAgentConfig.feeRates),
  })
  .strict();

// Guards against queries that would cost the database more than a dashboard ever needs.
const graphqlSchema = z
  .object({
    /** Deepest selection accepted: the deepest useful query (an event's intervention's alternatives' NRV) is 5. */
    max_query_depth: positiveInt.default(7),
    /** Cost ceiling of one operation: each field costs 1, a list multiplies its items' cost by its size. */
    max_query_cost: positiveInt.default(20_000),
    /** Most rows one list may return; `last` above this is refused rather than silently cut. */
    max_page_size: positiveInt.default(500),
    /** Largest /graphql request body; queries are small, and an unauthenticated one is refused before it is read. */
    body_limit_bytes: positiveInt.default(64 * 1024),
  })
  .strict();

const metricsSchema = z
  .object({
    /** Issuers, methods, gateways and unclassified error codes named in /metrics, by volume; the rest add up under `other`. */
    top_values: positiveInt.max(1_000).default(10),
  })
  .strict();

const auditSchema = z
  .object({
    /**
     * Where the scheduler writes each day's audit_YYYYMMDD.jsonl: storage the operator keeps (a shared
     * volume, a synced bucket). Empty: no automatic export, never a copy on one process's own disk.
     */
    export_dir: z.string().default(''),
  })
  .strict();

/** How long each table keeps rows the service no longer needs; pruned in batches by the scheduler. */
const retentionSchema = z
  .object({
    /** Published events: the Redis stream holds what subscribers replay, the row is only evidence it went out. */
    outbox_hours: z.number().positive().default(24),
    /** Delivered and dead-lettered ops alerts (the audit log keeps each dead letter). */
    webhook_deliveries_hours: z.number().positive().default(168),
    /** Cycles and their stored metrics; the newest 500 (the dashboard's longest history) stay regardless. */
    cycles_hours: z.number().positive().default(336),
    patterns_hours: z.number().positive().default(336),
    /** Finished interventions (rejected, expired, rolled back) with their transitions and directive. */
    interventions_hours: z.number().positive().default(720),
    /** Rows one DELETE takes: small batches keep locks short and never stall ingestion. */
    prune_batch_rows: positiveInt.default(1_000),
    /** How often the scheduler prunes; a run with work left goes on at the next tick. */
    prune_interval_seconds: z.number().positive().default(60),
    // Transactions and their window rollups live in time partitions (src/db/partitions.ts), each dropped whole once expired.
    /** Hours one partition covers: a divisor of 24, so partitions line up with UTC days. */
    partition_hours: positiveInt.refine((hours) => 24 % hours === 0, 'must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)').default(1),
    /** A partition of transactions and window rollups is dropped once its newest window is this old. */
    transactions_hours: positiveInt.default(168),
    /** A resent id first stored longer ago than this is stored as new (as payment APIs' idempotency keys expire); defaults to transactions_hours. */
    dedup_horizon_hours: positiveInt.optional(),
  })
  .strict()
  .transform((retention) => ({ ...retention, dedup_horizon_hours: retention.dedup_horizon_hours ?? retention.transactions_hours }));

// The original continuous-stream keys keep their names and meanings.
const driftSchema = z
  .object({
    theta: z.number().min(0).default(0.1),
    sigma: z.number().min(0).default(0.05),
    mean_success: share.default(0.95),
  })
  .strict();

// Core settings an operator looks for beside the actions they price, under value or error_codes,
// rather than among the detector's knobs; they are copied into the core's config after validation.
const elsewhere = [
  'customerSwitchRate',
  'retryCost',
  'valueBasis',
  'feeRates',
  'customerDeclineCodes',
  'technicalErrorCodes',
] as const satisfies readonly (keyof AgentConfig)[];
const settingsElsewhere: ReadonlySet<keyof AgentConfig> = new Set(elsewhere);
type AgentSectionKey = Exclude<keyof AgentConfig, (typeof elsewhere)[number]>;

// YAML key for each agent setting: snake_case of the core's name, except the original's
// `cycle_interval`, which keeps its name (its unit, seconds, is in the core's name instead).
export const agentKeyNames: Record<string, AgentSectionKey> = Object.fromEntries(
  (Object.keys(defaultAgentConfig) as (keyof AgentConfig)[])
    .filter((name): name is AgentSectionKey => !settingsElsewhere.has(name))
    .map((name) => [name === 'cycleIntervalSeconds' ? 'cycle_interval' : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), name]),
);
const mustBePositive = new Set<keyof AgentConfig>(['cycleIntervalSeconds', 'anomalyThreshold', 'horizonWindows', 'maxDimensionValues']);
const mustBeWhole = new Set<keyof AgentConfig>([
  'maxDimensionValues',
  'forgetAfterWindows',
  'maxPoolWindows',
  'maxIncidentWindows',
  'flapWindowWindows',
  'minActionFrequencyCycles',
  'warmupWindows',
  'confirmWindows',
  'incidentResolveWindows',
  'evaluationDelayWindows',
  'maxActionsPerCycle',
  'maxSuppressedIssuers',
  'maxSuppressedMethods',
  'reducedMaxRetries',
]);

function agentSetting(name: AgentSectionKey): z.ZodType {
  if (name === 'mode') return z.enum(['shadow', 'advisory', 'autonomous']).default(defaultAgentConfig.mode);
  const fallback = defaultAgentConfig[name];
  if (typeof fallback === 'boolean') return z.boolean().default(fallback);
  let number = z.number().min(0);
  if (mustBePositive.has(name)) number = number.positive();
  if (mustBeWhole.has(name)) number = number.int();
  return number.default(fallback);
}

const agentSchema = z
  .object(Object.fromEntries(Object.entries(agentKeyNames).map(([key, name]) => [key, agentSetting(name)])))
  .strict()
  .transform(
    (settings) =>
      Object.fromEntries(Object.entries(settings).map(([key, value]) => [agentKeyNames[key], value])) as unknown as Pick<AgentConfig, AgentSectionKey>,
  );

const loggingSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    format: z.enum(['json', 'text']).default('json'),
  })
  .strict();

const sectionsSchema = z
  .object({
    server: serverSchema.default(serverSchema.parse({})),
    database: databaseSchema.default(databaseSchema.parse({})),
    redis: redisSchema.default(redisSchema.parse({})),
    auth: authSchema.default(authSchema.parse({})),
    ingest: ingestSchema.default(ingestSchema.parse({})),
    drift: driftSchema.default(driftSchema.parse({})),
    agent: agentSchema.default(agentSchema.parse({})),
    jobs: jobsSchema.default(jobsSchema.parse({})),
    actions: actionsSchema.default(actionsSchema.parse({})),
    value: valueSchema.default(valueSchema.parse({})),
    error_codes: errorCodesSchema.default(errorCodesSchema.parse({})),
    graphql: graphqlSchema.default(graphqlSchema.parse({})),
    metrics: metricsSchema.default(metricsSchema.parse({})),
    audit: auditSchema.default(auditSchema.parse({})),
    retention: retentionSchema.default(retentionSchema.parse({})),
    logging: loggingSchema.default(loggingSchema.parse({})),
  })
  .strict()
  .superRefine(({ server, redis }, ctx) => {
    // Past the grace the process is killed before it commits what it accepted.
    if (redis.close_timeout_ms >= server.shutdown_grace_ms) {
      ctx.addIssue({
        code: 'custom',
        path: ['redis', 'close_timeout_ms'],
        message: `must be shorter than server.shutdown_grace_ms (${server.shutdown_grace_ms}), which also covers the commits`,
      });
    }
  });

export const configSchema = sectionsSchema.transform((sections) => {
  const agent: AgentConfig = {
    ...sections.agent,
    customerSwitchRate: sections.actions.customer_switch_rate,
    retryCost: sections.actions.retry_cost,
    valueBasis: sections.value.basis,
    feeRates: sections.value.fee_rates,
    customerDeclineCodes: sections.error_codes.customer,
    technicalErrorCodes: sections.error_codes.technical,
  };
  return { ...sections, agent };
});

export type Config = z.infer<typeof configSchema>;
export type ApiKey = z.infer<typeof apiKeySchema>;
export const configSections = Object.keys(sectionsSchema.shape) as (keyof Config)[];
