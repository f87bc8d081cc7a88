import type { IResolverObject } from 'mercurius';
import type { ApprovedScope } from '../../agent';
import type { InterventionRow } from '../../db/interventions';
import { publishOutbox } from '../../jobs/events';
import { approveIntervention, rejectIntervention, rollbackIntervention } from '../../interventions/operations';
import { authorise, operatorActor } from './auth';
import type { GraphqlContext, GraphqlDeps } from './context';
import { interventionView } from './views';

type ScopeInput = { ttlSeconds?: number | null; trafficShare?: number | null } | null | undefined;

/** Only the fields the operator gave: an absent field keeps the proposal's own value. */
function scopeOf(input: ScopeInput): ApprovedScope {
  const scope: ApprovedScope = {};
  if (input?.ttlSeconds != null) scope.ttlSeconds = input.ttlSeconds;
  if (input?.trafficShare != null) scope.trafficShare = input.trafficShare;
  return scope;
}

export function mutationResolvers(deps: GraphqlDeps): IResolverObject<unknown, GraphqlContext> {
  const { db, redis, config, logger, now } = deps;
  // The event goes out at once rather than on the scheduler's next tick; if Redis is down the tick sends it later.
  const publish = () =>
    publishOutbox(db, redis, config.redis.key_prefix).catch((err: unknown) =>
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'publishing events deferred'),
    );
  // Published even when the operation refuses: a late approval commits the expiry it discovered.
  const operate = async (change: () => Promise<InterventionRow>) => {
    try {
      return interventionView(await change());
    } finally {
      await publish();
    }
  };
  return {
    approveIntervention(_root, args: { id: string; note?: string | null; scope?: ScopeInput }, ctx) {
      const actor = operatorActor(authorise(ctx.caller, 'operator'));
      return operate(() => approveIntervention(db, args.id, actor, args.note ?? null, scopeOf(args.scope), now()));
    },
    rejectIntervention(_root, args: { id: string; reason: string }, ctx) {
      const actor = operatorActor(authorise(ctx.caller, 'operator'));
      return operate(() => rejectIntervention(db, args.id, actor, args.reason, now()));
    },
    rollbackIntervention(_root, args: { id: string; reason: string }, ctx) {
      const actor = operatorActor(authorise(ctx.caller, 'operator'));
      return operate(() => rollbackIntervention(db, args.id, actor, args.reason, now()));
    },
  };
}
