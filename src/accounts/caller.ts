import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { Actor } from '../audit/audit.queries.js';
import { HttpError } from '../http/errors.js';
import { bearerToken } from '../ingest/ingest-auth.js';
import { hashToken, parseToken } from '../integrations/tokens.js';
import { allOrganisationIds, findActiveApiToken, findUser, membershipsOf, touchApiToken, type OrgRole } from './accounts.queries.js';

/** Who is asking, and which organisations they may read. */
export interface Caller {
  userId: number;
  email: string;
  support: boolean;
  /** Every organisation the caller may read: their memberships, or all of them for support. */
  orgIds: number[];
  roles: Map<number, OrgRole>;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

/** The caller as the author of a change, for the audit log. */
export const actorOf = (caller: Caller): Actor => ({ actor: caller.email, actorUserId: caller.userId });

export async function loadCaller(knex: Knex, userId: number): Promise<Caller | undefined> {
  const user = await findUser(knex, userId);
  if (!user || user.disabled_at) return undefined;
  const memberships = await membershipsOf(knex, userId);
  const roles = new Map(memberships.map((m) => [m.org_id, m.role]));
  return { userId, email: user.email, support: user.support, orgIds: user.support ? await allOrganisationIds(knex) : [...roles.keys()], roles };
}

const unauthorized = (detail: string) => new HttpError(401, 'Unauthorized', detail, undefined, { 'WWW-Authenticate': 'Bearer realm="feedlog api"' });

/** Accepts only a valid, unrevoked API token; an ingest token can ingest but not read (403). */
export function requireApiToken(knex: Knex): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (!token) throw unauthorized('Send an API token as "Authorization: Bearer <token>" (feedlog token create --user <email>).');
    const parsed = parseToken(token);
    if (!parsed) throw unauthorized('The bearer token is not a feedlog token.');
    if (parsed.kind !== 'api') throw new HttpError(403, 'Forbidden', 'This is an ingest token: it can only post runs. Use an API token to read.');
    const row = await findActiveApiToken(knex, parsed.scopeId, hashToken(token));
    const caller = row ? await loadCaller(knex, row.user_id) : undefined;
    if (!row || !caller) throw unauthorized('The API token is unknown or was revoked.');
    await touchApiToken(knex, row);
    req.caller = caller;
    next();
  };
}
