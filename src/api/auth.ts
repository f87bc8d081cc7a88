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
    roles: ReadonlySet<Role>;
  }
}

// An operator may also do what a viewer does.
const implied: Record<Role, Role[]> = { ingest: ['ingest'], operator: ['operator', 'viewer'], viewer: ['viewer'] };
const allRoles: ReadonlySet<Role> = new Set<Role>(['ingest', 'operator', 'viewer']);
const noRoles: ReadonlySet<Role> = new Set<Role>();

const digest = (key: string) => createHash('sha256').update(key).digest();

export interface Authenticator {
  /** The roles a bearer key grants, or null when the key is unknown. */
  rolesFor(key: string): ReadonlySet<Role> | null;
  readonly enabled: boolean;
}

export function createAuthenticator(mode: 'on' | 'off', keys: readonly ApiKey[]): Authenticator {
  const known = keys.map(({ key, role }) => ({ hash: digest(key), role }));
  return {
    enabled: mode === 'on',
    rolesFor(key) {
      // Digests have equal length, so every stored key is compared in constant time.
      const presented = digest(key);
      const granted = new Set<Role>();
      for (const entry of known) {
        if (timingSafeEqual(entry.hash, presented)) implied[entry.role].forEach((role) => granted.add(role));
      }
      return granted.size ? granted : null;
    },
  };
}

export function bearerKey(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** Checks a request's key against the role its route asks for, before the body is read. */
export function authorise(authenticator: Authenticator, header: string | undefined, needed: Role | readonly Role[]): ReadonlySet<Role> {
  if (!authenticator.enabled) return allRoles;
  const key = bearerKey(header);
  if (!key) throw new ApiError(401, 'unauthorized', 'missing bearer key (Authorization: Bearer <key>)');
  const roles = authenticator.rolesFor(key);
  if (!roles) throw new ApiError(401, 'unauthorized', 'unknown key');
  const acceptable: readonly Role[] = typeof needed === 'string' ? [needed] : needed;
  if (!acceptable.some((role) => roles.has(role))) throw new ApiError(403, 'forbidden', `this key lacks the ${acceptable.join(' or ')} role`);
  return roles;
}

export function registerAuth(app: FastifyInstance, authenticator: Authenticator): void {
  // Reference-typed decorations must start as null; every request sets its own in the hook.
  app.decorateRequest('roles', null as unknown as ReadonlySet<Role>);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const needed = request.routeOptions.config.role;
    request.roles = needed ? authorise(authenticator, request.headers.authorization, needed) : noRoles;
  });
}
