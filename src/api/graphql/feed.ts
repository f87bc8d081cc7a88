// Each API process reads the shared Redis event stream and hands every event to its own
// subscribers, so an event published by any worker reaches subscribers of every process.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withPostgres, type Database } from '../../db/client';
import { cyclesByNumbers } from '../../db/cycle-reads';
import { interventionsByIds } from '../../db/intervention-reads';
import { eventStreamKey, type StreamEvent } from '../../jobs/events';
import type { InterventionEventMessage } from '../../interventions/transitions';
import { cycleView, interventionView } from './views';

export const topics = { intervention: 'INTERVENTION_EVENTS', cycle: 'CYCLE_COMPLETED' } as const;
export type Topic = (typeof topics)[keyof typeof topics];

export interface FeedDeps {
  redis: Redis;
  db: Database;
  prefix: string;
  logger: Logger;
  publish: (topic: Topic, payload: unknown) => void;
}

export interface EventFeed {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How long one XREAD waits before asking again; also bounds how long stop() waits. */
const blockMs = 5_000;
const batchSize = 500;
const retryDelayMs = 200;
/** Outbox ids remembered to drop a re-published duplicate; a publisher retries within seconds. */
const rememberedIds = 10_000;
const startTimeoutMs = 2_000;

type StreamEntry = [id: string, fields: string[]];

/** Remembers the most recent ids, forgetting the oldest first. */
function recentIds(capacity: number) {
  const ids = new Set<number>();
  return {
    has: (id: number) => ids.has(id),
    add(id: number) {
      ids.add(id);
      if (ids.size > capacity) ids.delete(ids.values().next().value!);
    },
  };
}

function parse(entry: StreamEntry): StreamEvent | null {
  const [, fields] = entry;
  const at = fields.indexOf('event');
  try {
    return at >= 0 ? (JSON.parse(fields[at + 1]!) as StreamEvent) : null;
  } catch {
    return null;
  }
}

export function createEventFeed(deps: FeedDeps): EventFeed {
  const key = eventStreamKey(deps.prefix);
  // XREAD BLOCK holds its connection, so the feed has one of its own; offline commands wait for it to connect.
  const reader = deps.redis.duplicate({ enableOfflineQueue: true });
  reader.on('error', () => undefined);
  const seen = recentIds(rememberedIds);
  let lastId: string | null = null;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  // Only what arrives after start-up: a new subscriber is promised live events, not history.
  const resolveStart = async () => {
    const [latest] = (await reader.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntry[];
    lastId = latest?.[0] ?? '0-0';
  };

  // Rows are loaded once per event for all subscribers, in one query per topic per batch.
  async function deliver(entries: StreamEntry[]): Promise<void> {
    const parsed = entries.map(parse).filter((event): event is StreamEvent => event !== null && !seen.has(event.id));
    // Keyed by outbox id, so a duplicate inside one batch goes too.
    const events = [...new Map(parsed.map((event) => [event.id, event])).values()];
    const interventionIds = events.filter((e) => e.topic === 'intervention').map((e) => (e.payload as InterventionEventMessage).interventionId);
    const cycleNumbers = events.filter((e) => e.topic === 'cycle').map((e) => (e.payload as { number: number }).number);
    const [interventions, cycles] = await withPostgres(() =>
      Promise.all([
        interventionIds.length ? interventionsByIds(deps.db.pool, interventionIds) : [],
        cycleNumbers.length ? cyclesByNumbers(deps.db.pool, cycleNumbers) : [],
      ]),
    );
    const interventionById = new Map(interventions.map((row) => [row.id, row]));
    const cycleByNumber = new Map(cycles.map((row) => [row.number, row]));
    for (const event of events) {
      seen.add(event.id);
      if (event.topic === 'intervention') {
        const message = event.payload as InterventionEventMessage;
        const row = interventionById.get(message.interventionId);
        if (row)
          deps.publish(topics.intervention, {
            type: message.type,
            at: message.at,
            actor: message.actor,
            reason: message.reason,
            intervention: interventionView(row),
          });
      } else if (event.topic === 'cycle') {
        const row = cycleByNumber.get((event.payload as { number: number }).number);
        if (row) deps.publish(topics.cycle, cycleView(row));
      }
    }
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      try {
        if (lastId === null) await resolveStart();
        const reply = await reader.xread('COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', key, lastId!);
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        await deliver(entries);
        // Advanced only once delivered: after a Redis or Postgres blip the same entries are read again.
        lastId = entries.at(-1)![0];
      } catch (err) {
        if (stopped) return;
        deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'event feed interrupted; resuming from the last event read');
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  }

  return {
    async start() {
      // Waits briefly for the start position so no event slips between start-up and the first read.
      await Promise.race([resolveStart().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, startTimeoutMs).unref())]);
      running = loop();
    },
    async stop() {
      stopped = true;
      // Disconnected while waiting to reconnect, ioredis never answers the read it queued
      // (redis/ioredis#2169): the loop is awaited only when the disconnect ends that read.
      const readEnds = reader.status !== 'reconnecting';
      reader.disconnect();
      if (readEnds) await running;
    },
  };
}
