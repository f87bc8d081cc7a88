import type { Role } from '../../config';
import { authenticate, requireRole, type Authenticator, type Identity } from '../auth';
import { ApiError } from '../errors';

/** Who is asking, or why nobody is: resolved once per request or connection, checked per operation. */
export type Caller = { identity: Identity } | { refusal: ApiError };

export function callerOf(authenticator: Authenticator, header: string | undefined): Caller {
  try {
    return { identity: authenticate(authenticator, header) };
  } catch (err) {
    if (err instanceof ApiError) return { refusal: err };
    throw err;
  }
}

/** The caller's identity if it holds the role; otherwise the 401 or 403 as a typed error. */
export function authorise(caller: Caller, role: Role): Identity {
  if ('refusal' in caller) throw caller.refusal;
  requireRole(caller.identity, role);
  return caller.identity;
}

/** How an operator appears in transitions and the audit log. */
export const operatorActor = (identity: Identity) => `operator:${identity.name}`;

/**
 * The key a graphql-ws client sends in connection_init (`connectionParams`), as
 * `{ authorization: 'Bearer <key>' }`, also accepted capitalised or under `headers`.
 */
export function connectionKey(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const fields = payload as Record<string, unknown>;
  const headers = (fields.headers ?? {}) as Record<string, unknown>;
  const value = fields.authorization ?? fields.Authorization ?? headers.authorization ?? headers.Authorization;
  return typeof value === 'string' ? value : undefined;
}
