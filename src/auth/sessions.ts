import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { loadCaller, type Caller } from './caller.js';
import { config } from '../config.js';
import { touchIsDue } from './touch.js';
import { hashToken } from './tokens.js';
import { newCsrfSecret } from './csrf.js';
import { deleteExpiredSessions, deleteSession, findLiveSession, insertSession, touchSession } from './sessions.queries.js';

export const SESSION_COOKIE = 'feedlog_session';

export interface WebSession {
  /** The SHA-256 of the cookie's secret: the session's key in the database. */
  idHash: string;
  csrfSecret: string;
}

/**
 * Starts a session for a user who has just proven who they are. Returns the
 * cookie value (a 256-bit secret, stored only as a hash). Expired sessions are
 * swept here: sign-ins are rare enough, and the sweep uses an index.
 */
export async function startSession(
  knex: Knex,
  userId: number,
  client: { ip?: string; userAgent?: string },
): Promise<{ cookieValue: string; maxAgeSeconds: number }> {
  const { sessionIdleSeconds, sessionMaxAgeSeconds } = config();
  const cookieValue = randomBytes(32).toString('base64url');
  await deleteExpiredSessions(knex);
  await insertSession(knex, {
    id_hash: hashToken(cookieValue),
    user_id: userId,
    csrf_secret: newCsrfSecret(),
    expires_at: new Date(Date.now() + Math.min(sessionIdleSeconds, sessionMaxAgeSeconds) * 1000),
    ip: client.ip?.slice(0, 100) ?? null,
    user_agent: client.userAgent?.slice(0, 500) ?? null,
  });
  return { cookieValue, maxAgeSeconds: sessionMaxAgeSeconds };
}

/** The live session of a cookie and who it belongs to; undefined when expired, unknown, or its user is disabled. */
export async function resumeSession(knex: Knex, cookieValue: string): Promise<{ session: WebSession; caller: Caller } | undefined> {
  if (cookieValue.length > 100) return undefined;
  const idHash = hashToken(cookieValue);
  const row = await findLiveSession(knex, idHash);
  if (!row) return undefined;
  const caller = await loadCaller(knex, row.user_id);
  if (!caller) return undefined;
  if (touchIsDue(row.last_seen_at)) {
    const { sessionIdleSeconds, sessionMaxAgeSeconds } = config();
    await touchSession(knex, idHash, sessionIdleSeconds, sessionMaxAgeSeconds);
  }
  return { session: { idHash, csrfSecret: row.csrf_secret }, caller };
}

export async function endSession(knex: Knex, idHash: string): Promise<void> {
  await deleteSession(knex, idHash);
}
