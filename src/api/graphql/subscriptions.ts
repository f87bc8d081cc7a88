import type { IResolverObject } from 'mercurius';
import { authorise } from './auth';
import type { GraphqlContext } from './context';
import { codedError } from './errors';
import { topics, type Topic } from './feed';

/** Subscribes a viewer to one topic of the event feed; the payload is already the field's value. */
function feedOf(topic: Topic) {
  return {
    subscribe: (_root: unknown, _args: unknown, ctx: GraphqlContext) => {
      try {
        authorise(ctx.caller, 'viewer');
      } catch (err) {
        // Refusals at subscribe time bypass the error formatter, so they carry their code themselves.
        throw codedError(err);
      }
      return ctx.pubsub.subscribe(topic);
    },
    resolve: (payload: unknown) => payload,
  };
}

export function subscriptionResolvers(): IResolverObject<unknown, GraphqlContext> {
  return {
    interventionEvents: feedOf(topics.intervention),
    cycleCompleted: feedOf(topics.cycle),
  };
}
