import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { systemHealth, type DimensionHealth } from '../agent';
import type { Config } from '../config';
import { projectRoot } from '../config/root';
import { withPostgres, type Database } from '../db/client';
import { recentCycles } from '../db/cycles';
import { dashboardHistoryCycles } from '../db/retention';
import { authenticate, createAuthenticator } from './auth';

/** Where `npm run build` puts the dashboard (vite build web). */
export const dashboardDir = join(projectRoot, 'dist/web');

export interface DashboardDeps {
  config: Config;
  db: Database;
  /** The built dashboard; tests point it elsewhere to see the not-built page. */
  dir?: string;
}

const figures = ({ name, successRate, latencyP95Ms, volume }: DimensionHealth) => ({ name, successRate, latencyP95Ms, volume });

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayOps dashboard not built</title></head>
<body style="font-family:sans-serif;margin:3rem">
<h1>The PayOps dashboard has not been built</h1>
<p>Run <code>npm run build</code> in the repository, then restart the service. The API is up: GraphQL at <a href="/graphql">/graphql</a>, REST documented at <a href="/docs">/docs</a>.</p>
</body></html>
`;

/**
 * The built dashboard at `/`, plus the two reads it needs that GraphQL does not offer: who the
 * page's key belongs to, and per-cycle figures for the charts. Both are the page's own, so
 * they stay out of the gateways' OpenAPI contract.
 */
export async function dashboardRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const dir = deps.dir ?? dashboardDir;
  const authenticator = createAuthenticator(deps.config.auth.mode, deps.config.auth.keys);
  const routes = app.withTypeProvider<ZodTypeProvider>();

  // 200 without a key, so the page can ask for one without a failed request in the console.
  routes.get('/dashboard/session', { schema: { hide: true } }, async (request) => {
    if (!authenticator.enabled) return { authRequired: false, name: null, roles: ['operator', 'viewer'] };
    if (request.headers.authorization === undefined) return { authRequired: true, name: null, roles: [] };
    const identity = authenticate(authenticator, request.headers.authorization);
    return { authRequired: true, name: identity.name, roles: [...identity.roles].sort() };
  });

  routes.get(
    '/dashboard/history',
    {
      config: { role: 'viewer' },
      schema: { hide: true, querystring: z.object({ last: z.coerce.number().int().min(1).max(dashboardHistoryCycles).default(120) }) },
    },
    async (request) => {
      const rows = await withPostgres(() => recentCycles(deps.db.pool, request.query.last));
      // Oldest first, the order a chart draws in; patterns are not needed for rates and latencies.
      return rows.reverse().map((row) => {
        const health = systemHealth(row.metrics, [], deps.config.agent);
        return {
          cycleNumber: row.number,
          windowEnd: row.window_end.toISOString(),
          system: figures(health.system),
          issuers: health.issuers.map(figures),
          methods: health.methods.map(figures),
        };
      });
    },
  );

  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.code(503).type('text/html; charset=utf-8').send(notBuiltPage));
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    // One route per built file, so unknown paths still reach the app's rate-limited 404.
    wildcard: false,
    // The policy is set per file below instead of send's blanket max-age=0.
    cacheControl: false,
    setHeaders: (reply, path) => {
      // Vite names assets by content hash; index.html must always be fresh to point at the new ones.
      reply.header('Cache-Control', path.startsWith(join(dir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
