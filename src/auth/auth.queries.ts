import type { Knex } from 'knex';
import type { OrgRole } from './roles.js';
import { touchIsDue } from './touch.js';

/** What identifying a caller reads: tokens by hash, users, their memberships. Writes are the accounts' and integrations' own. */

export interface UserRow {
  id: number;
  email: string;
  password_hash: string | null;
  support: boolean;
  /** An IANA time zone name; pages show times in it. */
  time_zone: string;
  created_at: Date;
  disabled_at: Date | null;
}

export interface LiveTokenRow {
  id: number;
  last_used_at: Date | null;
}

export async function findUser(knex: Knex, id: number): Promise<UserRow | undefined> {
  return knex('users').where({ id }).first();
}

export async function findUserByEmail(knex: Knex, email: string): Promise<UserRow | undefined> {
  return knex('users').where({ email: email.trim().toLowerCase() }).first();
}

export async function countUsers(knex: Knex): Promise<number> {
  const [row] = await knex('users').count<{ count: string }[]>('* as count');
  return Number(row!.count);
}

export async function membershipsOf(knex: Knex, userId: number): Promise<{ org_id: number; role: OrgRole }[]> {
  return knex('memberships').select('org_id', 'role').where({ user_id: userId });
}

export async function allOrganisationIds(knex: Knex): Promise<number[]> {
  const rows: { id: number }[] = await knex('organisations').select('id');
  return rows.map((row) => row.id);
}

export async function findLiveApiToken(knex: Knex, userId: number, tokenHash: string): Promise<(LiveTokenRow & { user_id: number }) | undefined> {
  return knex('api_tokens').select('id', 'user_id', 'last_used_at').where({ user_id: userId, token_hash: tokenHash }).whereNull('revoked_at').first();
}

export async function findLiveIngestToken(
  knex: Knex,
  orgId: number,
  tokenHash: string,
): Promise<(LiveTokenRow & { org_id: number; integration_id: number }) | undefined> {
  return knex('ingest_tokens')
    .select('id', 'org_id', 'integration_id', 'last_used_at')
    .where({ org_id: orgId, token_hash: tokenHash })
    .whereNull('revoked_at')
    .first();
}

/** Sets last_used_at on a token row when due; the SQL condition keeps concurrent requests to one write. */
export async function touchToken(knex: Knex, table: 'ingest_tokens' | 'api_tokens', key: Record<string, number>, lastUsedAt: Date | null): Promise<void> {
  if (!touchIsDue(lastUsedAt)) return;
  await knex(table)
    .where(key)
    .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', knex.raw("now() - interval '1 minute'")))
    .update({ last_used_at: knex.fn.now() });
}
