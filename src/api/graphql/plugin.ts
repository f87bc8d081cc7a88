import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance } from 'fastify';
import mercurius, { type IResolvers, type MercuriusLoaders, type MercuriusOptions } from 'mercurius';
import { createAuthenticator, developer } from '../auth';
import { callerOf, connectionKey } from './auth';
import type { GraphqlContext, GraphqlDeps } from './context';
import { checkCost } from './cost';
import { codedError, errorFormatter } from './errors';
import { createEventFeed } from './feed';
import { loaders } from './loaders';
import { mutationResolvers } from './mutations';
import { queryResolvers } from './queries';
import { DateTime, JSONScalar } from './scalars';
import { typeDefs } from './schema';
import { subscriptionResolvers } from './subscriptions';

// Fastify's own defaults for the JSON schemas mercurius puts on its routes (the app's compiler reads zod only).
const jsonSchemaCompiler = AjvCompiler()(
  {},
  { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false }, plugins: [] },
);

/** Keeps idle WebSocket connections alive through proxies that drop silent ones. */
const keepAliveMs = 30_000;

/** GraphQL at /graphql (HTTP and graphql-ws), in its own scope so its error handling stays its own. */
export async function graphqlRoutes(app: FastifyInstance, deps: GraphqlDeps): Promise<void> {
  const { config } = deps;
  const authenticator = createAuthenticator(config.auth.mode, config.auth.keys);
  const resolvers: IResolvers<unknown, GraphqlContext> = {
    DateTime,
    JSON: JSONScalar,
    Query: queryResolvers(deps),
    Mutation: mutationResolvers(deps),
    Subscription: subscriptionResolvers(),
  };

  await app.register(async (scope) => {
    scope.setValidatorCompiler(jsonSchemaCompiler);
    // GraphQL documents itself (schema.graphql), so its routes stay out of the OpenAPI document.
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, swaggerTransform: false };
      route.schema = { ...route.schema, hide: true };
      // Queries are small; the service-wide limit is sized for ingestion batches.
      if (route.url === '/graphql') route.bodyLimit = config.graphql.body_limit_bytes;
    });
    // Who is asking is settled before the body is read, so an unknown caller costs no parsing,
    // validation or cost analysis. WebSocket upgrades are checked by verifyClient and onConnect.
    scope.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url !== '/graphql' || request.headers.upgrade?.toLowerCase() === 'websocket') return;
      const caller = callerOf(authenticator, request.headers.authorization);
      if ('refusal' in caller) return reply.code(401).send({ data: null, errors: [codedError(caller.refusal).toJSON()] });
      request.identity = caller.identity;
    });
    const options: MercuriusOptions = {
      schema: typeDefs,
      resolvers: resolvers as IResolvers,
      loaders: loaders(deps.db, config.graphql.max_page_size) as MercuriusLoaders,
      path: '/graphql',
      // The in-browser IDE only in the unauthenticated development mode.
      graphiql: config.auth.mode === 'off',
      queryDepth: config.graphql.max_query_depth,
      // Parsed and validated documents are kept (LRU, 1,024), so a dashboard's repeated queries
      // are parsed once; the variable-dependent cost check runs per request in preExecution.
      cache: true,
      context: (request) => ({ caller: request.identity ? { identity: request.identity } : callerOf(authenticator, request.headers.authorization) }),
      errorFormatter: (execution) => errorFormatter(execution, deps.logger),
      subscription: {
        keepAlive: keepAliveMs,
        // A key on the upgrade request must be a known one; browsers cannot send headers, so it may be absent.
        verifyClient: (info, next) => {
          const header = info.req.headers.authorization;
          if (header === undefined || 'identity' in callerOf(authenticator, header)) return next(true);
          next(false, 401, 'Unauthorized');
        },
        // The key travels in connection_init (graphql-ws connectionParams); no viewer key, no connection.
        onConnect: ({ payload }) => {
          if (!authenticator.enabled) return { caller: { identity: developer } };
          const caller = callerOf(authenticator, connectionKey(payload));
          return 'identity' in caller && caller.identity.roles.has('viewer') ? { caller } : false;
        },
      },
    };
    await scope.register(mercurius, options);
    scope.graphql.addHook('preExecution', async (schema, document, context, variables) => {
      const { body, query } = context.reply.request as { body?: { operationName?: string }; query?: { operationName?: string } };
      checkCost(schema, document, variables, body?.operationName ?? query?.operationName, config.graphql.max_query_cost);
    });
    if (!deps.serveSubscriptions) return;
    const feed = createEventFeed({
      redis: deps.redis,
      db: deps.db,
      prefix: config.redis.key_prefix,
      logger: deps.logger,
      publish: (topic, payload) => scope.graphql.pubsub.publish({ topic, payload }),
    });
    scope.addHook('onReady', () => feed.start());
    scope.addHook('onClose', () => feed.stop());
  });
}
