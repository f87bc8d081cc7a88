// Target strings exactly as the contract spells them; the only place that builds or parses them.

export const SYSTEM_TARGET = 'system';
export const OPS_TEAM_TARGET = 'ops_team';

export const issuerTarget = (issuer: string): string => `issuer:${issuer}`;
export const methodTarget = (method: string): string => `method:${method}`;
export const cellTarget = (issuer: string, method: string): string =>
  `${issuerTarget(issuer)}/${methodTarget(method)}`;

export interface ParsedTarget {
  issuer: string | null;
  method: string | null;
}

export function parseTarget(target: string): ParsedTarget {
  let issuer: string | null = null;
  let method: string | null = null;
  for (const part of target.split('/')) {
    if (part.startsWith('issuer:')) issuer = part.slice('issuer:'.length);
    else if (part.startsWith('method:')) method = part.slice('method:'.length);
  }
  return { issuer, method };
}

/** Whether two targets can touch the same attempts (system and ops_team are handled by callers). */
export function targetsOverlap(a: string, b: string): boolean {
  const pa = parseTarget(a);
  const pb = parseTarget(b);
  const issuersMeet = pa.issuer === null || pb.issuer === null || pa.issuer === pb.issuer;
  const methodsMeet = pa.method === null || pb.method === null || pa.method === pb.method;
  return issuersMeet && methodsMeet;
}
