import type { Params } from '../agent';
import type { Queryable } from './client';

export interface DirectiveRow {
  intervention_id: string;
  action: string;
  target: string;
  params: Params;
  created_at: Date;
  expires_at: Date;
  removed_at: Date | null;
  removed_reason: string | null;
}

/** One directive per intervention: executing twice leaves the first one in place. */
export async function insertDirective(
  client: Queryable,
  directive: Pick<DirectiveRow, 'intervention_id' | 'action' | 'target' | 'params' | 'created_at' | 'expires_at'>,
): Promise<void> {
  await client.query(
    `INSERT INTO directives (intervention_id, action, target, params, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (intervention_id) DO NOTHING`,
    [directive.intervention_id, directive.action, directive.target, JSON.stringify(directive.params), directive.created_at, directive.expires_at],
  );
}

export async function removeDirective(client: Queryable, interventionId: string, reason: string, at: Date): Promise<void> {
  await client.query('UPDATE directives SET removed_at = $3, removed_reason = $2 WHERE intervention_id = $1 AND removed_at IS NULL', [
    interventionId,
    reason,
    at,
  ]);
}

/** The directives a gateway must apply at `now`. */
export async function liveDirectives(client: Queryable, now: Date): Promise<DirectiveRow[]> {
  const result = await client.query<DirectiveRow>(
    'SELECT * FROM directives WHERE removed_at IS NULL AND expires_at > $1 ORDER BY created_at, intervention_id',
    [now],
  );
  return result.rows;
}
