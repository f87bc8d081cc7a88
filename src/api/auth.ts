import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey, Role } from '../config';
import { ApiError } from './errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a caller needs for this route (any one of a list); routes without one are public. */
    role?: Role | readonly Role[];
  }
  interface FastifyRequest {
    identity: Identity | null;
  }
}

// An operator may also do what a viewer does.
const implied: Record<Role, Role[]> = { ingest: ['ingest'], operator: ['operator', 'viewer'], viewer: ['viewer'] };
const allRoles: ReadonlySet<Role> = new Set<Role>(['ingest', 'operator', 'viewer']);

const digest = (key: string) => createHash('sha256').update(key).digest();

export interface Identity {
  /** Who, for transitions and the audit log: the key's configured name, or its role and digest prefix. */
  name: string;
  roles: ReadonlySet<Role>;
  /** Hex SHA-256 of the key: what rate limits are keyed by, so the key itself is never held there. */
  digest: string;
}

export interface Authenticator {
  /** Who a bearer key belongs to and what it may do, or null when the key is unknown. */
  identify(key: string): Identity | null;
  readonly enabled: boolean;
}

/** The identity of every request while authentication is off (local development only). */
export const developer: Identity = { name: 'developer (auth off)', roles: allRoles, digest: 'developer' };

export function createAuthenticator(mode: 'on' | 'off', keys: readonly ApiKey[]): Authenticator {
  const known = keys.map(({ key, role, name }) => {
    const hash = digest(key);
    return { hash, role, name: name ?? `${role}-${hash.toString('hex').slice(0, 8)}` };
  });
  // A key already proven is not hashed again: a hash object per request cost the single-transaction
  // path a sixth of its throughput. Only configured keys ever get in, so the map stays that small;
  // and a lookup's timing tells a guesser nothing about a configured key's characters.
  const proven = new Map<string, Identity>();
  return {
    enabled: mode === 'on',
    identify(key) {
      const remembered = proven.get(key);
      if (remembered) return remembered;
      // Digests have equal length, and every stored key is compared, so timing reveals nothing.
      const presented = digest(key);
      const roles = new Set<Role>();
      let name: string | null = null;
      for (const entry of known) {
        if (!timingSafeEqual(entry.hash, presented)) continue;
        implied[entry.role].forEach((role) => roles.add(role));
        name ??= entry.name;
      }
      if (name === null) return null;
      const identity = { name, roles, digest: presented.toString('hex') };
      proven.set(key, identity);
      return identity;
    },
  };
}

export function bearerKey(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** Who the Authorization header belongs to; throws 401 when it names nobody. */
export function authenticate(authenticator: Authenticator, header: string | undefined): Identity {
  if (!authenticator.enabled) return developer;
  const key = bearerKey(header);
  if (!key) throw new ApiError(401, 'unauthorized', 'missing bearer key (Authorization: Bearer <key>)');
  const identity = authenticator.identify(key);
  if (!identity) throw new ApiError(401, 'unauthorized', 'unknown key');
  return identity;
}

/** Throws 403 unless the identity holds one of the roles. */
export function requireRole(identity: Identity, needed: Role | readonly Role[]): void {
  const acceptable: readonly Role[] = typeof needed === 'string' ? [needed] : needed;
  if (!acceptable.some((role) => identity.roles.has(role))) throw new ApiError(403, 'forbidden', `this key lacks the ${acceptable.join(' or ')} role`);
}

export function registerAuth(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('identity', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const needed = request.routeOptions.config.role;
    if (!needed) return;
    const identity = authenticate(authenticator, request.headers.authorization);
    requireRole(identity, needed);
    request.identity = identity;
  });
}
