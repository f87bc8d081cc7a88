import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ActionType, GatewayShare, Params } from '../../agent';
import { withPostgres, type Database } from '../../db/client';
import { readAgentState } from '../../db/cycles';
import { liveDirectives } from '../../db/directives';
import { errorSchema } from '../schemas';

// Every action but ALERT_OPS puts a directive in force (an alert goes to the webhooks instead).
const directiveActions = ['SUPPRESS_ISSUER', 'REROUTE_METHOD', 'ROUTE_GATEWAY', 'REDUCE_RETRIES'] as const satisfies readonly ActionType[];

const gatewayShareSchema = z
  .object({ gateway: z.string(), share: z.number().describe('Share of the moved payments this gateway takes; the shares of a list sum to 1') })
  .meta({ id: 'GatewayShare' }) satisfies z.ZodType<GatewayShare>;

const directiveSchema = z
  .object({
    id: z.string().describe('The intervention this directive carries out'),
    action: z.enum(directiveActions),
    target: z
      .string()
      .describe('issuer:HDFC, method:upi, issuer:HDFC/method:card, gateway:pg_a, gateway:pg_a/issuer:HDFC (gateway, issuer, method in that order) or system'),
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(gatewayShareSchema)]))
      .describe(
        "trafficShare: share of the target's traffic to apply it to; probeShare: share still sent to a suppressed target; for ROUTE_GATEWAY, from: the failing gateway and to: the gateways that take the payments instead",
      ) satisfies z.ZodType<Params>,
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Directive' });

const directivesSchema = z.object({ generatedAt: z.string(), directives: z.array(directiveSchema) }).meta({ id: 'Directives' });

const agentStateSchema = z
  .object({
    cycleNumber: z.number().int(),
    windowEnd: z.string().nullable(),
    state: z.unknown().describe('Baselines, open incidents, counters, interventions in force and learned effectiveness'),
  })
  .meta({ id: 'AgentState' });

export interface AgentRouteDeps {
  db: Database;
  now: () => Date;
}

export function agentRoutes(app: FastifyInstance, deps: AgentRouteDeps): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
    '/v1/routing/directives',
    {
      config: { role: ['ingest', 'viewer'] },
      schema: {
        tags: ['routing'],
        summary: 'The interventions in force that gateways must apply now',
        description: 'Poll this (or subscribe over GraphQL); each directive ends at expiresAt or when it disappears from the list.',
        security: [{ bearerAuth: [] }],
        response: { 200: directivesSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema },
      },
    },
    async () => {
      const now = deps.now();
      const rows = await withPostgres(() => liveDirectives(deps.db.pool, now));
      return {
        generatedAt: now.toISOString(),
        directives: rows.map((row) => ({
          id: row.intervention_id,
          action: row.action as z.infer<typeof directiveSchema>['action'],
          target: row.target,
          params: row.params,
          createdAt: row.created_at.toISOString(),
          expiresAt: row.expires_at.toISOString(),
        })),
      };
    },
  );
  routes.get(
    '/v1/agent/state',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['agent'],
        summary: "The agent's current state (the original's current_state.json)",
        security: [{ bearerAuth: [] }],
        response: { 200: agentStateSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema },
      },
    },
    async () => {
      const stored = await withPostgres(() => readAgentState(deps.db.pool));
      return {
        cycleNumber: stored?.cycleNumber ?? 0,
        windowEnd: stored?.windowEnd ? new Date(stored.windowEnd).toISOString() : null,
        state: stored?.state ?? null,
      };
    },
  );
}
