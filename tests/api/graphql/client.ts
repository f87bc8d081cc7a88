import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import request from 'supertest';
import WebSocket from 'ws';
import type { Service } from '../../../src/service';

export interface GraphqlAnswer<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions: { code: string; [key: string]: unknown } }[];
}

/** One GraphQL request over HTTP, as a dashboard sends it. */
export async function gql<T = Record<string, any>>(
  service: Service,
  query: string,
  variables: Record<string, unknown> = {},
  key?: string,
): Promise<GraphqlAnswer<T>> {
  const req = request(service.app.server).post('/graphql').send({ query, variables });
  if (key) req.set('Authorization', `Bearer ${key}`);
  const res = await req;
  return { status: res.status, data: res.body.data ?? null, errors: res.body.errors };
}

export const codesOf = (answer: GraphqlAnswer) => (answer.errors ?? []).map((error) => error.extensions.code);

export function wsUrl(service: Service): string {
  const { port } = service.app.server.address() as AddressInfo;
  return `ws://127.0.0.1:${port}/graphql`;
}

/** A standard graphql-ws client; the key goes in connection_init like a browser's would. */
export function wsClient(service: Service, key?: string, headers?: Record<string, string>): Client {
  return createClient({
    url: wsUrl(service),
    webSocketImpl: headers
      ? class extends WebSocket {
          constructor(url: string, protocols: string | string[]) {
            super(url, protocols, { headers });
          }
        }
      : WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : undefined,
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Feed<T> {
  items: T[];
  errors: unknown[];
  stop(): void;
}

/** Collects every value of one subscription until stopped. */
export function collect<T>(client: Client, query: string): Feed<T> {
  const feed: Feed<T> = { items: [], errors: [], stop: () => undefined };
  feed.stop = client.subscribe<T>(
    { query },
    {
      next: (value) => {
        if (value.errors) feed.errors.push(value.errors);
        else feed.items.push(value.data as T);
      },
      error: (err) => feed.errors.push(err),
      complete: () => undefined,
    },
  );
  return feed;
}
