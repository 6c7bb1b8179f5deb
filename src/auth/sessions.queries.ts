import type { Knex } from 'knex';

export interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_secret: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

export async function insertSession(
  knex: Knex,
  session: { id_hash: string; user_id: number; csrf_secret: string; expires_at: Date; ip: string | null; user_agent: string | null },
): Promise<void> {
  await knex('sessions').insert(session);
}

/** The session with this hash, unless it has expired. */
export async function findLiveSession(knex: Knex, idHash: string): Promise<SessionRow | undefined> {
  return knex('sessions')
    .select('id_hash', 'user_id', 'csrf_secret', 'created_at', 'last_seen_at', 'expires_at')
    .where({ id_hash: idHash })
    .andWhere('expires_at', '>', knex.fn.now())
    .first();
}

/**
 * Slides the idle expiry forward, never past the absolute end; at most once a
 * minute, so that a page with many requests is not a write per request.
 */
export async function touchSession(knex: Knex, idHash: string, idleSeconds: number, maxAgeSeconds: number): Promise<void> {
  await knex('sessions')
    .where({ id_hash: idHash })
    .andWhere('last_seen_at', '<', knex.raw("now() - interval '1 minute'"))
    .update({
      last_seen_at: knex.fn.now(),
      expires_at: knex.raw('least(now() + make_interval(secs => ?), created_at + make_interval(secs => ?))', [idleSeconds, maxAgeSeconds]),
    });
}

export async function deleteSession(knex: Knex, idHash: string): Promise<void> {
  await knex('sessions').where({ id_hash: idHash }).del();
}

export async function deleteSessionsOfUser(knex: Knex, userId: number): Promise<number> {
  return knex('sessions').where({ user_id: userId }).del();
}

export async function deleteExpiredSessions(knex: Knex): Promise<number> {
  return knex('sessions').where('expires_at', '<=', knex.fn.now()).del();
}

export async function deleteOtherSessions(knex: Knex, userId: number, keepIdHash: string): Promise<number> {
  return knex('sessions').where({ user_id: userId }).whereNot({ id_hash: keepIdHash }).del();
}
