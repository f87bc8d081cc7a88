import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { MS_PER_SECOND } from '../../agent';
import { ValidationError, type FieldProblem } from '../../errors';
import { ApiError } from '../errors';
import type { Ingestor } from '../ingest';
import type { Metrics } from '../metrics';
import { batchSchema, errorSchema, ingestResultSchema, transactionSchema, type TransactionInput } from '../schemas';

export interface TransactionRouteDeps {
  ingestor: Ingestor;
  metrics: Metrics;
  maxBatchItems: number;
  maxClockSkewSeconds: number;
  now: () => Date;
}

/**
 * Refuses event times too far ahead of the server clock (the service's own, injectable one): a
 * row from the future would be placed in a window nobody has judged yet and skew it when it comes.
 */
function refuseFutureEvents(items: readonly TransactionInput[], batch: boolean, deps: TransactionRouteDeps): void {
  const latest = deps.now().getTime() + deps.maxClockSkewSeconds * MS_PER_SECOND;
  const reason = `timestamp_out_of_range: more than ${deps.maxClockSkewSeconds} s ahead of the server clock`;
  const problems: FieldProblem[] = [];
  items.forEach((item, index) => {
    if (Date.parse(item.timestamp) > latest) problems.push(batch ? { index, id: item.id, field: 'timestamp', reason } : { field: 'timestamp', reason });
  });
  if (problems.length) throw new ValidationError(problems);
}

const refusals = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  413: errorSchema,
  415: errorSchema,
  503: errorSchema,
};

const security = [{ bearerAuth: [] }];

/** Each NDJSON line is one transaction; blank lines are skipped. The result is a normal batch body. */
function parseNdjson(maxItems: number) {
  return (_request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => {
    const transactions: unknown[] = [];
    const lines = body.split('\n');
    for (let line = 0; line < lines.length; line += 1) {
      const text = lines[line]!.trim();
      if (!text) continue;
      if (transactions.length === maxItems) {
        return done(new ApiError(413, 'batch_too_large', `a batch holds at most ${maxItems} transactions`));
      }
      try {
        transactions.push(JSON.parse(text));
      } catch {
        return done(new ApiError(400, 'invalid_json', `line ${line + 1} is not valid JSON`));
      }
    }
    done(null, { transactions });
  };
}

export function transactionRoutes(app: FastifyInstance, deps: TransactionRouteDeps): void {
  const { ingestor, metrics, maxBatchItems } = deps;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  const count = (result: { accepted: number; duplicates: number }) => {
    metrics.accepted.inc(result.accepted);
    metrics.duplicates.inc(result.duplicates);
    return result;
  };

  routes.post(
    '/v1/transactions',
    {
      config: { role: 'ingest' },
      schema: {
        tags: ['ingestion'],
        summary: 'Ingest one transaction attempt',
        description:
          'Answers 202 only after the transaction is committed. Resending an id is harmless: it counts as a duplicate. An event time more than ingest.max_clock_skew_seconds (default 300) ahead of the server clock is refused (reason timestamp_out_of_range).',
        security,
        body: transactionSchema,
        response: { 202: ingestResultSchema, ...refusals },
      },
      preHandler: async (request) => refuseFutureEvents([request.body], false, deps),
    },
    async (request, reply) => reply.code(202).send(count(await ingestor.ingestOne(request.body))),
  );

  app.register(async (batch) => {
    batch.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, parseNdjson(maxBatchItems));
    batch.withTypeProvider<ZodTypeProvider>().post(
      '/v1/transactions/batch',
      {
        config: { role: 'ingest' },
        schema: {
          tags: ['ingestion'],
          summary: 'Ingest up to 10,000 transactions, all or nothing',
          description:
            'JSON `{"transactions": [...]}` or the same items as NDJSON (`Content-Type: application/x-ndjson`). If any item is invalid, nothing is stored and every invalid item is listed by index, field and reason.',
          security,
          consumes: ['application/json', 'application/x-ndjson'],
          body: batchSchema,
          response: { 202: ingestResultSchema, ...refusals },
        },
        // Size limits are checked before the items are, so an oversized batch costs no validation.
        preValidation: async (request) => {
          const items = (request.body as { transactions?: unknown } | undefined)?.transactions;
          if (!Array.isArray(items)) return;
          if (items.length === 0) throw new ApiError(400, 'empty_batch', 'a batch needs at least one transaction');
          if (items.length > maxBatchItems) {
            throw new ApiError(413, 'batch_too_large', `a batch holds at most ${maxBatchItems} transactions, got ${items.length}`);
          }
        },
        preHandler: async (request) => refuseFutureEvents(request.body.transactions, true, deps),
      },
      async (request, reply) => reply.code(202).send(count(await ingestor.ingestBatch(request.body.transactions))),
    );
  });
}
