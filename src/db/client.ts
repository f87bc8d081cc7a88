import { DrizzleQueryError } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Logger } from 'pino';
import { DependencyUnavailable, ValidationError } from '../errors';
import * as schema from './schema';

export interface DatabaseOptions {
  url: string;
  pool_size: number;
  connect_timeout_ms: number;
  statement_timeout_ms: number;
}

export interface Database {
  pool: pg.Pool;
  orm: NodePgDatabase<typeof schema>;
  close(): Promise<void>;
}

export function createDatabase(options: DatabaseOptions, logger?: Logger): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.pool_size,
    connectionTimeoutMillis: options.connect_timeout_ms,
    statement_timeout: options.statement_timeout_ms,
    // Client-side bound too, so a Postgres that stops answering mid-query cannot hang a request.
    query_timeout: options.statement_timeout_ms + options.connect_timeout_ms,
  });
  // An idle client dies when Postgres restarts; the pool replaces it, so this is not fatal.
  pool.on('error', (err) => logger?.warn({ err: err.message }, 'postgres idle client error'));
  return { pool, orm: drizzle(pool, { schema }), close: () => pool.end() };
}

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300']);

/** True when the error means Postgres could not be reached, not that the query was wrong. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (code && (unavailableCodes.has(code) || code.startsWith('08'))) return true;
  return /timeout|Connection terminated|connection error|not queryable/i.test(err.message);
}

/**
 * Runs a database call, turning "Postgres is unreachable" into DependencyUnavailable, and a value
 * Postgres cannot hold (class 22 data exceptions, e.g. a NUL character in a lookup key) into the
 * caller's bad input rather than a server failure.
 */
export async function withPostgres<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    // The query builder wraps the driver's error: its code and message are the cause's.
    const driverError = err instanceof DrizzleQueryError && err.cause ? err.cause : err;
    if (isUnavailable(driverError)) throw new DependencyUnavailable('postgres', driverError);
    if ((driverError as { code?: string }).code?.startsWith('22')) {
      throw new ValidationError([{ field: '(input)', reason: `a value the database cannot accept: ${(driverError as Error).message}` }]);
    }
    throw err;
  }
}

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** The pool, or a client inside a transaction: what the query builder runs on. */
export type Client = pg.Pool | pg.PoolClient;

/** The query builder on `client`, so typed queries take part in the caller's transaction. */
export const on = (client: Client): NodePgDatabase => drizzle(client);

/** Runs `work` in one Postgres transaction: everything it writes commits together or not at all. */
export async function inTransaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withPostgres(async () => {
    const client = await db.pool.connect();
    // The pool stops listening to a client it hands out: a connection lost while the work holds it
    // idle would be an uncaught error, ending the process. Its next query fails instead, and the
    // client is discarded rather than handed to the next caller.
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost = err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  });
}
