// The simulated merchant's side of the closed loop: a checkout and a payment orchestrator that obey
// the routing directives exactly as the contract describes them, so what the agent decides changes
// the traffic that follows. A payer's issuer and method are the payer's: steering can only show
// them as down (some payers switch instrument, the rest leave); routing changes only the gateway.
import { covers, parseTarget, type GatewayShare, type Params, type ParsedTarget } from '../agent';
import { cumulativeOf, pickAt, type Prng } from './prng';
import { forEachPath, pathCount, pathIndex, type Path, type World } from './world';

/** A directive as `GET /v1/routing/directives` returns it (the fields the gateway needs). */
export interface Directive {
  id: string;
  action: string;
  target: string;
  params: Params;
}

interface Steer {
  scope: ParsedTarget;
  /** Share of the scope's payers told at checkout that their bank or method is down. */
  share: number;
}

interface Route {
  scope: ParsedTarget;
  to: GatewayShare[];
  /** Share of the path's payments sent through the `to` gateways. */
  share: number;
}

interface RetryCap {
  scope: ParsedTarget;
  maxRetries: number;
}

/** What the orchestrator does with the directives in force, by name. */
export interface Routing {
  steers: Steer[];
  routes: Route[];
  retryCaps: RetryCap[];
}

export const openRouting: Routing = { steers: [], routes: [], retryCaps: [] };

const numberParam = (params: Params, key: string, fallback: number): number => {
  const value = params[key];
  return typeof value === 'number' ? value : fallback;
};

const gatewayShares = (value: Params[string] | undefined): GatewayShare[] => (Array.isArray(value) ? value : []);

export function routingFrom(directives: readonly Directive[]): Routing {
  const routing: Routing = { steers: [], routes: [], retryCaps: [] };
  for (const d of directives) {
    const scope = parseTarget(d.target);
    const share = numberParam(d.params, 'trafficShare', 1);
    if (d.action === 'SUPPRESS_ISSUER' || d.action === 'REROUTE_METHOD') routing.steers.push({ scope, share });
    else if (d.action === 'ROUTE_GATEWAY') {
      const from = typeof d.params.from === 'string' ? d.params.from : null;
      routing.routes.push({ scope: { ...scope, gateway: scope.gateway ?? from }, to: gatewayShares(d.params.to), share });
    } else if (d.action === 'REDUCE_RETRIES') routing.retryCaps.push({ scope, maxRetries: numberParam(d.params, 'maxRetries', 0) });
  }
  return routing;
}

interface CompiledRoute {
  share: number;
  to: number[];
  toCum: number[];
}

/** A Routing resolved against one world, by index, so placing a payment costs a few lookups. */
export interface RouteTable {
  /** Share of each issuer x method pair's payers steered away, by issuer * methods + method. */
  steerShare: Float64Array;
  /** Pairs nothing steers away, where a switching payer goes, with their population weights cumulated. */
  openPairs: { issuer: number; method: number }[];
  openPairCum: number[];
  /** Per path (pathIndex): the route moving its payments (the widest covering one), or null. */
  routes: (CompiledRoute | null)[];
  /** Per path: the tightest retry cap, Infinity when none. */
  retryCap: Float64Array;
}

function compileRoute(w: World, route: Route): CompiledRoute | null {
  const known = route.to.filter((t) => w.gateways.some((g) => g.name === t.gateway) && t.share > 0);
  if (known.length === 0) return null;
  return { share: route.share, to: known.map((t) => w.gateways.findIndex((g) => g.name === t.gateway)), toCum: cumulativeOf(known.map((t) => t.share)) };
}

export function routeTable(w: World, r: Routing): RouteTable {
  const methods = w.methods.length;
  const steerShare = new Float64Array(w.issuers.length * methods);
  const openPairs: { issuer: number; method: number }[] = [];
  const weights: number[] = [];
  w.issuers.forEach((issuer, i) =>
    w.methods.forEach((method, m) => {
      // Steering acts at checkout, before any gateway is chosen: a steer names no gateway.
      const share = Math.max(0, ...r.steers.filter((s) => covers(s.scope, null, issuer.name, method.name)).map((s) => s.share));
      steerShare[i * methods + m] = share;
      if (share > 0) return;
      openPairs.push({ issuer: i, method: m });
      weights.push(issuer.weight * method.weight);
    }),
  );
  const routes = new Array<CompiledRoute | null>(pathCount(w)).fill(null);
  const retryCap = new Float64Array(pathCount(w)).fill(Infinity);
  forEachPath(w, (index, gateway, issuer, method) => {
    const widest = r.routes.filter((x) => covers(x.scope, gateway, issuer, method)).sort((a, b) => b.share - a.share)[0];
    routes[index] = widest ? compileRoute(w, widest) : null;
    retryCap[index] = Math.min(Infinity, ...r.retryCaps.filter((c) => covers(c.scope, gateway, issuer, method)).map((c) => c.maxRetries));
  });
  return { steerShare, openPairs, openPairCum: cumulativeOf(weights), routes, retryCap };
}

/** The uniform draws that place one payment, taken whether used or not, so two runs place it from the same numbers. */
export interface PlacementDraws {
  steer: number;
  switches: number;
  instrument: number;
  route: number;
  routeTo: number;
}

export const placementDraws = (prng: Prng): PlacementDraws => ({
  steer: prng.next(),
  switches: prng.next(),
  instrument: prng.next(),
  route: prng.next(),
  routeTo: prng.next(),
});

/**
 * Where the directives send a payer's payment. A steered payer switches to an instrument nothing
 * steers away (drawn by population weights) with probability `switchRate`, else leaves: null.
 * Whatever instrument pays then goes through its gateway, unless a route moves its path.
 */
export function place(w: World, t: RouteTable, d: PlacementDraws, payer: Path, switchRate: number): Path | null {
  let { issuer, method } = payer;
  if (d.steer < (t.steerShare[issuer * w.methods.length + method] ?? 0)) {
    const pair = t.openPairs[pickAt(d.instrument, t.openPairCum)];
    if (d.switches >= switchRate || !pair) return null;
    ({ issuer, method } = pair);
  }
  const route = t.routes[pathIndex(w, { gateway: payer.gateway, issuer, method })];
  const gateway = route && d.route < route.share ? (route.to[pickAt(d.routeTo, route.toCum)] ?? payer.gateway) : payer.gateway;
  return { gateway, issuer, method };
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
