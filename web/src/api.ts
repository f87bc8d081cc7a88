import { createClient, type Client } from 'graphql-ws';
import { authHeaders } from './session';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'refused';

/** GraphQL over HTTP for reads and decisions, graphql-ws for the live feed, both with the page's key. */
export interface Api {
  query<T>(document: string, variables?: Record<string, unknown>): Promise<T>;
  subscribe<T>(document: string, next: (data: T) => void): () => void;
  history(last: number): Promise<HistoryPoint[]>;
  close(): void;
}

export interface HistoryPoint {
  cycleNumber: number;
  windowEnd: string;
  system: Figures;
  issuers: Figures[];
  methods: Figures[];
}

export interface Figures {
  name: string;
  successRate: number;
  latencyP95Ms: number;
  volume: number;
}

export class GraphqlError extends Error {}

// graphql-ws closes with 4403 when onConnect refuses the key: retrying cannot help.
const forbiddenClose = 4403;
const maxRetryWaitMs = 5_000;

function isCloseEvent(value: unknown): value is CloseEvent {
  return typeof value === 'object' && value !== null && 'code' in value;
}

export function createApi(key: string | null, onState: (state: ConnectionState) => void): Api {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  let everConnected = false;
  const client: Client = createClient({
    url: wsUrl,
    connectionParams: () => (key ? { authorization: `Bearer ${key}` } : {}),
    lazy: false,
    keepAlive: 10_000,
    // A restarted server is a normal event for an ops page: keep trying, never give up.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => !(isCloseEvent(event) && event.code === forbiddenClose),
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(maxRetryWaitMs, 500 * 2 ** retries))),
    on: {
      connecting: () => onState(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        everConnected = true;
        onState('live');
      },
      closed: (event) => onState(isCloseEvent(event) && event.code === forbiddenClose ? 'refused' : 'reconnecting'),
    },
  });

  return {
    async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...authHeaders(key) },
        body: JSON.stringify({ query: document, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors?.length) throw new GraphqlError(body.errors.map((e) => e.message).join('; '));
      if (!body.data) throw new GraphqlError(`HTTP ${res.status} without data`);
      return body.data;
    },
    subscribe<T>(document: string, next: (data: T) => void) {
      return client.subscribe<T>(
        { query: document },
        {
          next: (value) => value.data && next(value.data),
          error: (err) => console.warn('subscription ended', err),
          complete: () => undefined,
        },
      );
    },
    async history(last: number) {
      const res = await fetch(`/dashboard/history?last=${last}`, { headers: authHeaders(key) });
      if (!res.ok) throw new Error(`history: HTTP ${res.status}`);
      return (await res.json()) as HistoryPoint[];
    },
    close: () => void client.dispose(),
  };
}
