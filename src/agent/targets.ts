// Target strings exactly as the contract spells them; the only place that builds or parses them.
// Parts come in the contract's order: gateway, issuer, method.

export const SYSTEM_TARGET = 'system';
export const OPS_TEAM_TARGET = 'ops_team';

export interface ParsedTarget {
  gateway: string | null;
  issuer: string | null;
  method: string | null;
}

/** The one builder: `gateway:g/issuer:X/method:m` with the missing parts left out, or `system`. */
export function targetOf(scope: Partial<ParsedTarget>): string {
  // Built by concatenation: it runs for every dimension of every window.
  let out = '';
  if (scope.gateway != null) out = `gateway:${scope.gateway}`;
  if (scope.issuer != null) out = out === '' ? `issuer:${scope.issuer}` : `${out}/issuer:${scope.issuer}`;
  if (scope.method != null) out = out === '' ? `method:${scope.method}` : `${out}/method:${scope.method}`;
  return out === '' ? SYSTEM_TARGET : out;
}

export const issuerTarget = (issuer: string): string => targetOf({ issuer });
export const methodTarget = (method: string): string => targetOf({ method });
export const gatewayTarget = (gateway: string): string => targetOf({ gateway });
export const cellTarget = (issuer: string, method: string): string => targetOf({ issuer, method });

export function parseTarget(target: string): ParsedTarget {
  let gateway: string | null = null;
  let issuer: string | null = null;
  let method: string | null = null;
  for (const part of target.split('/')) {
    if (part.startsWith('gateway:')) gateway = part.slice('gateway:'.length);
    else if (part.startsWith('issuer:')) issuer = part.slice('issuer:'.length);
    else if (part.startsWith('method:')) method = part.slice('method:'.length);
  }
  return { gateway, issuer, method };
}

/** The same target without its gateway part: the payer-side slice a gateway path carries. */
export const sliceOf = (target: string): string => targetOf({ ...parseTarget(target), gateway: null });

/** Whether a scope covers one attempt's gateway, issuer and method (a missing part covers all). */
export function covers(scope: ParsedTarget, gateway: string | null, issuer: string, method: string): boolean {
  return (
    (scope.gateway === null || scope.gateway === gateway) &&
    (scope.issuer === null || scope.issuer === issuer) &&
    (scope.method === null || scope.method === method)
  );
}

/** Whether every attempt in scope `inner` also lies in scope `outer`. */
export const scopeCovers = (outer: ParsedTarget, inner: ParsedTarget): boolean =>
  (outer.gateway === null || outer.gateway === inner.gateway) &&
  (outer.issuer === null || outer.issuer === inner.issuer) &&
  (outer.method === null || outer.method === inner.method);

/** Whether two targets can touch the same attempts (system and ops_team are handled by callers). */
export function targetsOverlap(a: string, b: string): boolean {
  const pa = parseTarget(a);
  const pb = parseTarget(b);
  const meet = (x: string | null, y: string | null): boolean => x === null || y === null || x === y;
  return meet(pa.gateway, pb.gateway) && meet(pa.issuer, pb.issuer) && meet(pa.method, pb.method);
}
