import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { pingPostgres } from '../../db/transactions';
import { pingRedis } from '../../jobs/redis';

const readinessSchema = z
  .object({
    status: z.enum(['ready', 'unready']),
    postgres: z.enum(['up', 'down']),
    redis: z.enum(['up', 'down']),
  })
  .meta({ id: 'Readiness' });

export interface HealthDeps {
  db: Database;
  redis: Redis;
  probeTimeoutMs: number;
  retryAfterSeconds: number;
}

const state = (probe: PromiseSettledResult<unknown>) => (probe.status === 'fulfilled' ? 'up' : 'down');

export function healthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Readiness: 200 only when Postgres and Redis both answer', response: { 200: readinessSchema, 503: readinessSchema } } },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.allSettled([pingPostgres(deps.db), pingRedis(deps.redis, deps.probeTimeoutMs)]);
      const body = { postgres: state(postgres), redis: state(redis) };
      if (body.postgres === 'up' && body.redis === 'up') return { status: 'ready' as const, ...body };
      return reply.code(503).header('Retry-After', String(deps.retryAfterSeconds)).send({ status: 'unready' as const, ...body });
    },
  );
}
