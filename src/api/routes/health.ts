import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { serviceRoles, type ServiceRole } from '../../config';
import type { Database } from '../../db/client';
import { pingPostgres } from '../../db/transactions';
import { pingRedis } from '../../jobs/redis';
import type { Metrics } from '../metrics';
import { probeRoute } from '../overload';

const dependencies = ['postgres', 'redis'] as const;
type Dependency = (typeof dependencies)[number];
type DependencyState = Record<Dependency, 'up' | 'down'>;

/**
 * What each part of the service cannot work without. Ingestion commits to Postgres alone (events
 * wait in the outbox), so an API process stays in the balancer through a Redis outage; queues
 * live in Redis, so workers and schedulers need both.
 */
const needs: Record<ServiceRole, readonly Dependency[]> = {
  api: ['postgres'],
  worker: ['postgres', 'redis'],
  scheduler: ['postgres', 'redis'],
};

const readinessSchema = z
  .object({
    status: z.enum(['ready', 'unready']),
    postgres: z.enum(['up', 'down']),
    redis: z.enum(['up', 'down']),
    roles: z.array(z.enum(serviceRoles)).describe('What this process runs'),
    needs: z.array(z.enum(dependencies)).describe('The dependencies those roles cannot work without: only these decide the status'),
  })
  .meta({ id: 'Readiness' });

export interface HealthDeps {
  db: Database;
  redis: Redis;
  roles: readonly ServiceRole[];
  metrics: Metrics;
  probeTimeoutMs: number;
  retryAfterSeconds: number;
}

/** Pings both dependencies and records the answer in `payops_dependency_up`. */
export async function probeDependencies(deps: Pick<HealthDeps, 'db' | 'redis' | 'metrics' | 'probeTimeoutMs'>): Promise<DependencyState> {
  const [postgres, redis] = await Promise.allSettled([pingPostgres(deps.db), pingRedis(deps.redis, deps.probeTimeoutMs)]);
  const state: DependencyState = { postgres: postgres.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
  for (const dependency of dependencies) deps.metrics.dependencyUp.set({ dependency }, state[dependency] === 'up' ? 1 : 0);
  return state;
}

export function healthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  const needed = dependencies.filter((dependency) => deps.roles.some((role) => needs[role].includes(dependency)));
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: z.object({ status: z.literal('ok') }) } }, config: probeRoute },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: 200 while the dependencies this process needs answer',
        description:
          'An API process needs Postgres only (ingestion commits without Redis, which is then reported down in the body and in payops_dependency_up); a worker or scheduler also needs Redis. 503 names what is down.',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
      // An overloaded process sheds requests itself; leaving the balancer would move its load onto the others.
      config: probeRoute,
    },
    async (_request, reply) => {
      const state = await probeDependencies(deps);
      const body = { ...state, roles: [...deps.roles], needs: needed };
      if (needed.every((dependency) => state[dependency] === 'up')) return { status: 'ready' as const, ...body };
      return reply
        .code(503)
        .header('Retry-After', String(deps.retryAfterSeconds))
        .send({ status: 'unready' as const, ...body });
    },
  );
}
