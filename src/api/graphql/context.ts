import type { Redis } from 'ioredis';
import type { MercuriusContext } from 'mercurius';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import type { Database } from '../../db/client';
import type { Caller } from './auth';

/** What the GraphQL layer needs from the service, handed in by buildApp. */
export interface GraphqlDeps {
  config: Config;
  db: Database;
  redis: Redis;
  logger: Logger;
  now: () => Date;
  /** Whether this process serves subscribers, and so reads the event stream; false in worker-only processes. */
  serveSubscriptions: boolean;
}

/** Every resolver's context: mercurius' own plus who is calling (per request, or per WebSocket connection). */
export interface GraphqlContext extends MercuriusContext {
  caller: Caller;
}
