// Who the page acts as: the key (kept for this tab only) and the roles the server gives it.

const storageKey = 'payops.key';

export interface Session {
  authRequired: boolean;
  name: string | null;
  roles: string[];
}

export class UnknownKeyError extends Error {}

export const storedKey = (): string | null => sessionStorage.getItem(storageKey);
export const storeKey = (key: string) => sessionStorage.setItem(storageKey, key);
export const forgetKey = () => sessionStorage.removeItem(storageKey);

export const authHeaders = (key: string | null): Record<string, string> => (key ? { Authorization: `Bearer ${key}` } : {});

/** Asks the server whether it needs a key and, given one, whose it is. */
export async function fetchSession(key: string | null): Promise<Session> {
  const res = await fetch('/dashboard/session', { headers: authHeaders(key) });
  if (res.status === 401) throw new UnknownKeyError('the server does not know this key');
  if (!res.ok) throw new Error(`session check failed: HTTP ${res.status}`);
  return (await res.json()) as Session;
}

export const isOperator = (session: Session) => session.roles.includes('operator');
/** An ingest key is valid but reads nothing; operators hold the viewer role too. */
export const canRead = (session: Session) => session.roles.includes('viewer');
