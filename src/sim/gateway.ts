// The simulated gateway's side of the closed loop: it obeys routing directives exactly as the
// contract describes them, so what the agent decides changes the traffic that follows.
import { parseTarget } from '../agent/targets';

/** A directive as `GET /v1/routing/directives` returns it (the fields the gateway needs). */
export interface Directive {
  id: string;
  action: string;
  target: string;
  params: Record<string, string | number | boolean>;
}

interface Scope {
  issuer: string | null;
  method: string | null;
}

interface Away extends Scope {
  /** Share of the scope's attempts sent elsewhere. */
  share: number;
}

interface RetryCap extends Scope {
  maxRetries: number;
}

/** What the gateway does with the directives in force. */
export interface Routing {
  issuersAway: Away[];
  methodsAway: Away[];
  retryCaps: RetryCap[];
}

export const openRouting: Routing = { issuersAway: [], methodsAway: [], retryCaps: [] };

const numberParam = (params: Directive['params'], key: string, fallback: number): number => {
  const value = params[key];
  return typeof value === 'number' ? value : fallback;
};

export function routingFrom(directives: readonly Directive[]): Routing {
  const routing: Routing = { issuersAway: [], methodsAway: [], retryCaps: [] };
  for (const d of directives) {
    const scope = parseTarget(d.target);
    const share = numberParam(d.params, 'trafficShare', 1);
    if (d.action === 'SUPPRESS_ISSUER') routing.issuersAway.push({ ...scope, share });
    else if (d.action === 'REROUTE_METHOD') routing.methodsAway.push({ ...scope, share });
    else if (d.action === 'REDUCE_RETRIES') routing.retryCaps.push({ ...scope, maxRetries: numberParam(d.params, 'maxRetries', 0) });
  }
  return routing;
}

const covers = (s: Scope, issuer: string, method: string): boolean =>
  (s.issuer === null || s.issuer === issuer) && (s.method === null || s.method === method);

/** Share of this issuer x method's attempts the directives send to another issuer (or method). */
export const issuerAwayShare = (r: Routing, issuer: string, method: string): number =>
  Math.max(0, ...r.issuersAway.filter((a) => covers(a, issuer, method)).map((a) => a.share));

export const methodAwayShare = (r: Routing, issuer: string, method: string): number =>
  Math.max(0, ...r.methodsAway.filter((a) => covers(a, issuer, method)).map((a) => a.share));

/** The tightest retry cap on this traffic, or null when none applies. */
export function retryCapFor(r: Routing, issuer: string, method: string): number | null {
  const caps = r.retryCaps.filter((c) => covers(c, issuer, method)).map((c) => c.maxRetries);
  return caps.length > 0 ? Math.min(...caps) : null;
}

export interface DirectiveSource {
  /** Where the service listens, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** An ingest or viewer key, or null when auth is off. */
  apiKey: string | null;
}

/** Reads the directives in force from the service, as a real gateway would poll them. */
export async function fetchDirectives(source: DirectiveSource): Promise<Directive[]> {
  const res = await fetch(`${source.baseUrl}/v1/routing/directives`, {
    headers: source.apiKey ? { authorization: `Bearer ${source.apiKey}` } : {},
  });
  if (!res.ok) throw new Error(`GET /v1/routing/directives answered ${res.status}`);
  const body = (await res.json()) as { directives: Directive[] };
  return body.directives;
}
