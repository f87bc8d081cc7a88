import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import type { Config } from '../config';
import type { Ingestor } from './ingest';

// Event-loop delay is the mean over one sample: a second, so only a loop lagging for most of it
// (latency collapsing) sheds, not one large batch parsed. The queue is looked at often enough to
// catch a burst, and the look costs nothing.
const sampleIntervalMs = 1_000;
const queueCheckIntervalMs = 20;

const reasons: Record<string, string> = {
  eventLoopDelay: 'event_loop_delay',
  heapUsedBytes: 'heap',
  healthCheck: 'group_commit_queue',
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Health probes and scrapes: never shed nor rate limited, or a busy process would look dead. */
    probe?: boolean;
  }
}

export const probeRoute = { probe: true };

/**
 * Sheds requests with 503 `overloaded` and Retry-After before latency collapses: when the event
 * loop lags, the heap nears V8's limit, or more single POSTs wait for a group commit than allowed.
 * Refused before the body is read, so shedding itself costs almost nothing; probes still answer.
 */
export async function registerLoadShedding(app: FastifyInstance, deps: { config: Config; ingestor: Ingestor; shed: Counter<'reason'> }): Promise<void> {
  const { server, ingest } = deps.config;
  const retryAfter = ingest.retry_after_seconds;
  await app.register(underPressure, {
    sampleInterval: sampleIntervalMs,
    maxEventLoopDelay: server.max_event_loop_delay_ms,
    maxHeapUsedBytes: Math.floor(server.max_heap_used_share * getHeapStatistics().heap_size_limit),
    healthCheck: async () => deps.ingestor.queued() < ingest.max_queued_transactions,
    healthCheckInterval: queueCheckIntervalMs,
    pressureHandler: (request, reply, type) => {
      if (request.routeOptions.config.probe) return;
      const reason = reasons[type] ?? type;
      deps.shed.inc({ reason });
      reply.code(503).header('Retry-After', String(retryAfter));
      // Returned, not sent: under-pressure sends whatever the handler returns (its types say void).
      return { error: 'overloaded', message: `the service is overloaded (${reason}); retry in ${retryAfter} s` } as unknown as void;
    },
  });
}
