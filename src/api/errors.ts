import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { DependencyUnavailable, ValidationError, type FieldProblem } from '../errors';

/** A refusal with its HTTP status and machine-readable code, e.g. 413 batch_too_large. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Fastify's own refusals, renamed to the contract's error codes.
const fastifyCodes: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Content-Type must be application/json (or application/x-ndjson for batches)'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'request body is over the size limit'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'empty_body', 'request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'request body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_content_length', 'Content-Length does not match the body'],
};

/**
 * Turns zod issues into problems naming the item and the field. An issue inside a list of
 * items (a batch) carries the item's index and, when it has one, its id.
 */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], body: unknown): FieldProblem[] {
  const problems = issues.flatMap((issue): FieldProblem[] => {
    let path = issue.path.map(String);
    let located: Pick<FieldProblem, 'index' | 'id'> = {};
    const [listKey, index] = issue.path;
    if (typeof index === 'number' && typeof listKey === 'string') {
      const item = (body as Record<string, unknown[]>)[listKey]?.[index] as { id?: unknown } | undefined;
      located = typeof item?.id === 'string' ? { index, id: item.id } : { index };
      path = path.slice(2);
    }
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ ...located, field: [...path, key].join('.'), reason: 'unknown field' }));
    }
    return [{ ...located, field: path.join('.') || '(body)', reason: issue.message }];
  });
  // A field failing several checks is one problem with every reason.
  const byField = new Map<string, FieldProblem>();
  for (const problem of problems) {
    const key = `${problem.index ?? ''}:${problem.field}`;
    const seen = byField.get(key);
    if (seen) seen.reason = `${seen.reason}; ${problem.reason}`;
    else byField.set(key, problem);
  }
  return [...byField.values()];
}

export function registerErrorHandling(app: FastifyInstance, retryAfterSeconds: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ValidationError) {
      return reply.code(400).send({ error: 'validation_failed', message: err.message, errors: err.problems });
    }
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    }
    if (err instanceof DependencyUnavailable) {
      request.log.warn({ dependency: err.dependency }, 'dependency unavailable');
      return reply
        .code(503)
        .header('Retry-After', String(retryAfterSeconds))
        .send({ error: 'unavailable', message: `${err.message}; retry later` });
    }
    const known = err.code ? fastifyCodes[err.code] : undefined;
    if (known) {
      const [status, code, message] = known;
      return reply.code(status).send({ error: code, message });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: (err.code ?? 'bad_request').toLowerCase(), message: err.message });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal', message: 'Internal Server Error' });
  });
}

/** JSON 404s; the instance-wide rate limit covers them, so probing for URLs costs the prober. */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));
}
