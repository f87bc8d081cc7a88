// npm run bench:subscriptions: 1,000 graphql-ws subscribers to interventionEvents, time from an
// intervention being stored (its transaction committed) to the last subscriber receiving it, beside
// a raw WebSocket server broadcasting one prepared message to 1,000 raw clients in the same run.
// The subscribers run in a child process, so their parsing does not steal the server's CPU; both
// sides stamp times with performance.timeOrigin + performance.now(), the same clock on one machine.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';
import { publishOutbox } from '../src/jobs/events';
import { seedIntervention } from '../tests/api/graphql/fixtures';
import { createTestDatabase } from '../tests/support/database';
import { keys, startService, testConfig } from '../tests/support/service';

const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000);
const events = Number(process.env.BENCH_EVENTS ?? 100);
const goalP99Ms = 100;
const goalRatio = 2;
const query = 'subscription { interventionEvents { type at actor intervention { id action target status nrv { value } } } }';

const clock = () => performance.timeOrigin + performance.now();

type ToChild = { connect: 'raw' | 'graphql' } | { done: true };
type FromChild = { ready: 'raw' | 'graphql' } | { key: string; times: number[] };

/** The subscribers' side: receives every message, reports each one once all subscribers have it. */
async function runClients(graphqlUrl: string, rawUrl: string, count: number): Promise<void> {
  const send = (message: FromChild) => process.send!(message);
  const received = new Map<string, number[]>();
  const record = (key: string) => {
    const at = clock();
    const times = received.get(key) ?? [];
    times.push(at);
    received.set(key, times);
    if (times.length === count) {
      received.delete(key);
      send({ key, times });
    }
  };
  const sockets: { close(): void }[] = [];

  process.on('message', (message: ToChild) => void handle(message));
  async function handle(message: ToChild): Promise<void> {
    if ('done' in message) {
      sockets.forEach((socket) => socket.close());
      process.exit(0);
    }
    if (message.connect === 'raw') {
      await Promise.all(
        Array.from({ length: count }, async () => {
          const socket = new WebSocket(rawUrl);
          // The server sends text frames: one Buffer each.
          socket.on('message', (data) => record((JSON.parse((data as Buffer).toString()) as { key: string }).key));
          sockets.push(socket);
          await once(socket, 'open');
        }),
      );
    } else {
      await Promise.all(
        Array.from({ length: count }, async () => {
          const client = createClient({
            url: graphqlUrl,
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${keys.viewer}` },
            retryAttempts: 0,
          });
          sockets.push({ close: () => void client.dispose() });
          const connected = new Promise((resolve) => client.on('connected', resolve));
          client.subscribe<{ interventionEvents: { intervention: { id: string } } }>(
            { query },
            {
              next: (value) => record(value.data!.interventionEvents.intervention.id),
              error: (err) => console.error('subscriber error', err),
              complete: () => undefined,
            },
          );
          await connected;
        }),
      );
    }
    send({ ready: message.connect });
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (ms: number) => Math.round(ms * 100) / 100;

async function main(): Promise<void> {
  const database = await createTestDatabase('bench_subscriptions');
  const service = await startService(testConfig(database.url, 'bench-subs'), { roles: ['api'] });
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const raw = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(raw, 'listening');
  const graphqlUrl = `ws://127.0.0.1:${(service.app.server.address() as AddressInfo).port}/graphql`;
  const rawUrl = `ws://127.0.0.1:${(raw.address() as AddressInfo).port}`;

  const child = fork(fileURLToPath(import.meta.url), ['clients', graphqlUrl, rawUrl, String(subscribers)], { execArgv: ['--import', 'tsx'] });
  const waiting = new Map<string, (times: number[]) => void>();
  const readiness = new Map<string, () => void>();
  child.on('message', (message: FromChild) => {
    if ('ready' in message) readiness.get(message.ready)?.();
    else waiting.get(message.key)?.(message.times);
  });
  const connect = (kind: 'raw' | 'graphql') =>
    new Promise<void>((resolve) => {
      readiness.set(kind, resolve);
      child.send({ connect: kind } satisfies ToChild);
    });
  const allReceived = (key: string, timeoutMs: number) =>
    new Promise<number[] | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      waiting.set(key, (times) => {
        clearTimeout(timer);
        resolve(times);
      });
    });

  // Both kinds of subscriber stay connected and their messages alternate, so both see the same machine load.
  await connect('raw');
  await connect('graphql');
  // GraphQL subscriptions start asynchronously on the server: warm up until every one is live.
  for (let live = false; !live;) {
    const row = await seedIntervention(service.db);
    const arrival = allReceived(row.id, 2_000);
    await publishOutbox(service.db, service.redis, service.config.redis.key_prefix);
    live = (await arrival) !== null;
  }
  // One prepared message of the same size as a GraphQL event, sent to every raw socket.
  const sample = JSON.stringify({
    type: 'next',
    id: 'x',
    payload: {
      data: {
        interventionEvents: {
          type: 'AWAITING_APPROVAL',
          at: new Date().toISOString(),
          actor: 'agent',
          intervention: {
            id: 'int-00000000-0000-0000-0000-000000000000',
            action: 'SUPPRESS_ISSUER',
            target: 'issuer:HDFC',
            status: 'AWAITING_APPROVAL',
            nrv: { value: 9000 },
          },
        },
      },
    },
  });
  const rawLast: number[] = [];
  const rawDelivery: number[] = [];
  const last: number[] = [];
  const delivery: number[] = [];
  for (let i = 0; i < events; i += 1) {
    const key = `raw-${i}`;
    const rawArrival = allReceived(key, 10_000);
    const message = JSON.stringify({ key, sample });
    const sent = clock();
    for (const socket of raw.clients) socket.send(message);
    const rawTimes = await rawArrival;
    if (!rawTimes) throw new Error(`raw message ${i} did not reach every client`);
    rawLast.push(Math.max(...rawTimes) - sent);
    rawDelivery.push(...rawTimes.map((t) => t - sent));

    // The id is known before the insert, so the listener is in place before anything can arrive.
    const id = `int-bench-${i}-${Date.now()}`;
    const arrival = allReceived(id, 10_000);
    await seedIntervention(service.db, { id });
    const stored = clock();
    // What the worker does right after its commit.
    await publishOutbox(service.db, service.redis, service.config.redis.key_prefix);
    const times = await arrival;
    if (!times) throw new Error(`event ${i} did not reach every subscriber`);
    last.push(Math.max(...times) - stored);
    delivery.push(...times.map((t) => t - stored));
  }

  child.send({ done: true } satisfies ToChild);
  await once(child, 'exit');
  raw.clients.forEach((socket) => socket.terminate());
  raw.close();
  await service.close();
  await database.drop();

  const result = {
    subscribers,
    events,
    p50_ms: round(percentile(last, 50)),
    p99_ms: round(percentile(last, 99)),
    raw_p50_ms: round(percentile(rawLast, 50)),
    raw_p99_ms: round(percentile(rawLast, 99)),
    ratio_to_raw: round(percentile(last, 99) / percentile(rawLast, 99)),
    delivery_p50_ms: round(percentile(delivery, 50)),
    delivery_p99_ms: round(percentile(delivery, 99)),
    raw_delivery_p50_ms: round(percentile(rawDelivery, 50)),
    raw_delivery_p99_ms: round(percentile(rawDelivery, 99)),
    goal_p99_under_100_ms: percentile(last, 99) < goalP99Ms,
    goal_within_2x_raw: percentile(last, 99) / percentile(rawLast, 99) <= goalRatio,
  };
  process.stdout.write(
    `stored -> last of ${subscribers} subscribers: p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms (raw broadcast p50 ${result.raw_p50_ms} ms, p99 ${result.raw_p99_ms} ms)\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[2] === 'clients') await runClients(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
else await main();
