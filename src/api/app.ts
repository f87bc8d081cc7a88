import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type { Config, ServiceRole } from '../config';
import type { Database } from '../db/client';
import { ValidationError } from '../errors';
import { createAuthenticator, registerAuth } from './auth';
import { dashboardRoutes } from './dashboard';
import { problemsFromIssues, registerErrorHandling, registerNotFound } from './errors';
import type { Ingestor } from './ingest';
import { registerMetrics, type Metrics, type ScrapeRefresh } from './metrics';
import { registerLoadShedding } from './overload';
import { registerRateLimits } from './rate-limits';
import { healthRoutes, probeDependencies } from './routes/health';
import { graphqlRoutes } from './graphql/plugin';
import { agentRoutes } from './routes/agent';
import { transactionRoutes } from './routes/transactions';

export interface AppDeps {
  config: Config;
  db: Database;
  redis: Redis;
  ingestor: Ingestor;
  metrics: Metrics;
  /** Reads the service-wide SLIs into /metrics before each scrape (none when no queues exist, e.g. for the OpenAPI build). */
  slis: ScrapeRefresh | null;
  logger: Logger;
  now: () => Date;
  /** What this process runs: readiness depends on it. */
  roles: readonly ServiceRole[];
  /** True in processes that take API traffic: only they follow the event stream for subscribers. */
  serveSubscriptions: boolean;
}

/** How long readiness and scrapes wait for a dependency before calling it down. */
export const probeTimeoutMs = 1_000;

export const openApiInfo = {
  title: 'PayOps',
  version: '0.1.0',
  description: 'Self-healing payment operations: ingest authorisation attempts, read routing directives.',
};

/** The HTTP face of the service; every dependency is handed in by the composition root. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    // Not redundant, whatever the rule says: it sets the instance's logger type to the base one the plugins are typed for.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.server.body_limit_bytes,
    // request.ip, which anonymous rate limits key by, is the client's only behind a trusted proxy.
    trustProxy: config.server.trust_proxy,
    // Behind a load balancer the default of 72 s would outlive the balancer's own idle timeout.
    keepAliveTimeout: 65_000,
    // Thousands of requests a second: the metrics count them, the log keeps to what matters.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // zod schemas validate, type and document every route: one source for all three.
  app.setValidatorCompiler(({ schema }) => (data) => {
    const result = (schema as ZodType).safeParse(data);
    return result.success ? { value: result.data } : { error: new ValidationError(problemsFromIssues(result.error.issues, data)) };
  });
  // Replies are built by typed code, so re-validating each against its schema would be pure cost.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Only JSON (and NDJSON where a route adds it) is accepted; anything else is a 415.
  app.removeContentTypeParser('text/plain');

  // On shutdown, answers to requests still in flight close their connection, so a keep-alive
  // client cannot hold the server open for the whole keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  registerErrorHandling(app, config.ingest.retry_after_seconds);
  // First of all hooks: a refusal under overload must cost less than anything else.
  await registerLoadShedding(app, { config, ingestor: deps.ingestor, shed: deps.metrics.shed });
  const authenticator = createAuthenticator(config.auth.mode, config.auth.keys);
  await registerRateLimits(app, { server: config.server, prefix: config.redis.key_prefix, redis: deps.redis, authenticator });
  registerNotFound(app);
  registerAuth(app, authenticator);
  const probe = () => probeDependencies({ db: deps.db, redis: deps.redis, metrics: deps.metrics, probeTimeoutMs });
  registerMetrics(app, deps.metrics, deps.slis ? [probe, deps.slis] : [probe]);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: openApiInfo,
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  healthRoutes(app, {
    db: deps.db,
    redis: deps.redis,
    roles: deps.roles,
    metrics: deps.metrics,
    probeTimeoutMs,
    retryAfterSeconds: config.ingest.retry_after_seconds,
  });
  transactionRoutes(app, {
    ingestor: deps.ingestor,
    metrics: deps.metrics,
    maxBatchItems: config.ingest.max_batch_items,
    maxClockSkewSeconds: config.ingest.max_clock_skew_seconds,
    now: deps.now,
  });
  agentRoutes(app, { db: deps.db, now: deps.now });
  await graphqlRoutes(app, { config, db: deps.db, redis: deps.redis, logger: deps.logger, now: deps.now, serveSubscriptions: deps.serveSubscriptions });
  await dashboardRoutes(app, { config, db: deps.db });
  return app;
}
