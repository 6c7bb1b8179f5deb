import type { Knex } from 'knex';
import type { Actor } from '../audit/audit.queries.js';
import { allOrganisationIds, findUser, membershipsOf } from './auth.queries.js';
import type { OrgRole } from './roles.js';

/** Who is asking, and which organisations they may read. */
export interface Caller {
  userId: number;
  email: string;
  support: boolean;
  /** The IANA time zone the pages show this person's times in. */
  timeZone: string;
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

/** The caller a user id stands for; undefined for an unknown or disabled user. */
export async function loadCaller(knex: Knex, userId: number): Promise<Caller | undefined> {
  const user = await findUser(knex, userId);
  if (!user || user.disabled_at) return undefined;
  const memberships = await membershipsOf(knex, userId);
  const roles = new Map(memberships.map((m) => [m.org_id, m.role]));
  return {
    userId,
    email: user.email,
    support: user.support,
    timeZone: user.time_zone,
    orgIds: user.support ? await allOrganisationIds(knex) : [...roles.keys()],
    roles,
  };
}
