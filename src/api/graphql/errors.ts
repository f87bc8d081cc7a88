import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Logger } from 'pino';
import { Conflict, DependencyUnavailable, NotFound, ValidationError } from '../../errors';
import { ApiError } from '../errors';

/** The code of a query refused for its depth or cost. */
export const tooComplex = 'QUERY_TOO_COMPLEX';

/** A client mistake in the request itself (e.g. `last` over the page limit); answered BAD_USER_INPUT. */
export class BadInput extends Error {}

interface Mapped {
  code: string;
  message: string;
  extra?: Record<string, unknown>;
}

// Each typed error of the service, as a GraphQL extensions.code clients can switch on.
function mapError(err: unknown): Mapped | null {
  if (err instanceof NotFound) return { code: 'NOT_FOUND', message: err.message };
  if (err instanceof Conflict) return { code: 'CONFLICT', message: err.message, extra: { status: err.current } };
  if (err instanceof ValidationError) return { code: 'BAD_USER_INPUT', message: err.message, extra: { problems: err.problems } };
  if (err instanceof BadInput) return { code: 'BAD_USER_INPUT', message: err.message };
  if (err instanceof ApiError && err.statusCode === 401) return { code: 'UNAUTHENTICATED', message: err.message };
  if (err instanceof ApiError && err.statusCode === 403) return { code: 'FORBIDDEN', message: err.message };
  if (err instanceof DependencyUnavailable) return { code: 'SERVICE_UNAVAILABLE', message: `${err.message}; retry later` };
  if ((err as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { code: 'PAYLOAD_TOO_LARGE', message: 'request body is over graphql.body_limit_bytes' };
  // The framework's own refusals of a malformed request (no query, a body that is not JSON).
  const status = (err as { statusCode?: unknown }).statusCode;
  if (err instanceof Error && typeof status === 'number' && status >= 400 && status < 500) return { code: 'BAD_REQUEST', message: err.message };
  return null;
}

/** A typed error as a GraphQL error with its code; unknown errors become a bare INTERNAL_SERVER_ERROR. */
export function codedError(err: unknown, location: Pick<GraphQLError, 'nodes' | 'path'> = { nodes: undefined, path: undefined }): GraphQLError {
  const mapped = mapError(err);
  const { nodes, path } = location;
  if (!mapped) return new GraphQLError('Internal Server Error', { nodes, path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  return new GraphQLError(mapped.message, { nodes, path, extensions: { code: mapped.code, ...mapped.extra } });
}

/**
 * Gives every error a code: the service's typed errors keep their message, GraphQL's own
 * (syntax, validation, depth, cost) keep theirs, and anything unexpected is logged and
 * answered without its message so no internals reach a client.
 */
function formatError(error: GraphQLError, log: Pick<Logger, 'error'>): GraphQLError {
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) {
    const code = (error.extensions.code as string | undefined) ?? 'GRAPHQL_VALIDATION_FAILED';
    return new GraphQLError(error.message, { nodes: error.nodes, path: error.path, extensions: { ...error.extensions, code } });
  }
  if (!mapError(original)) log.error({ err: original, path: error.path }, 'graphql resolver failed');
  return codedError(original, error);
}

/** mercurius wraps request-level failures (validation, depth) in one error listing the real ones. */
function flatten(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((error) => {
    const inner = (error.originalError as { errors?: unknown } | undefined)?.errors;
    if (!Array.isArray(inner)) return [error];
    return inner.map((e: Error & { code?: string }) => {
      if (e instanceof GraphQLError) return e;
      return new GraphQLError(e.message, { extensions: { code: e.code === 'MER_ERR_GQL_QUERY_DEPTH' ? tooComplex : 'GRAPHQL_VALIDATION_FAILED' } });
    });
  });
}

const httpStatus: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  BAD_REQUEST: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  [tooComplex]: 400,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * mercurius' errorFormatter, the one place errors become GraphQL answers. A request refused as a
 * whole (no data at all, one kind of error) also gets the matching HTTP status; partial data stays a 200.
 */
export function errorFormatter(execution: ExecutionResult & { errors: readonly GraphQLError[] }, log: Pick<Logger, 'error'>) {
  const errors = flatten(execution.errors).map((error) => formatError(error, log));
  const codes = new Set(errors.map((error) => error.extensions.code as string));
  const only = codes.size === 1 ? httpStatus[[...codes][0]!] : undefined;
  const statusCode = execution.data ? 200 : (only ?? 200);
  return { statusCode, response: { data: execution.data ?? null, errors: errors.map((error) => error.toJSON()) } };
}
