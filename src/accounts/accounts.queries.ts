import type { Knex } from 'knex';
import type { UserRow } from '../auth/auth.queries.js';
import type { OrgRole } from '../auth/roles.js';

export async function insertUser(knex: Knex, user: { email: string; password_hash: string; support: boolean }): Promise<UserRow> {
  const [row] = await knex('users').insert(user).returning('*');
  return row as UserRow;
}

export async function updatePasswordHash(knex: Knex, userId: number, passwordHash: string): Promise<void> {
  await knex('users').where({ id: userId }).update({ password_hash: passwordHash });
}

export async function upsertMembership(knex: Knex, orgId: number, userId: number, role: OrgRole): Promise<void> {
  await knex('memberships').insert({ org_id: orgId, user_id: userId, role }).onConflict(['org_id', 'user_id']).merge({ role });
}

export async function insertApiToken(knex: Knex, userId: number, name: string, tokenHash: string, hint: string): Promise<void> {
  await knex('api_tokens').insert({ user_id: userId, name, token_hash: tokenHash, token_hint: hint });
}

export async function grantSupport(knex: Knex, userId: number): Promise<void> {
  await knex('users').where({ id: userId }).update({ support: true });
}

export interface ApiTokenRow {
  id: number;
  name: string;
  token_hint: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** A user's tokens, newest first, revoked ones included (they explain a 401). */
export async function listApiTokens(knex: Knex, userId: number): Promise<ApiTokenRow[]> {
  return knex('api_tokens').select('id', 'name', 'token_hint', 'created_at', 'last_used_at', 'revoked_at').where({ user_id: userId }).orderBy('id', 'desc');
}

/** Revokes one of the user's tokens; undefined when the user has no such live token. */
export async function revokeApiTokenRow(knex: Knex, userId: number, id: number): Promise<ApiTokenRow | undefined> {
  const [row] = await knex('api_tokens')
    .where({ user_id: userId, id })
    .whereNull('revoked_at')
    .update({ revoked_at: knex.fn.now() })
    .returning(['id', 'name', 'token_hint', 'created_at', 'last_used_at', 'revoked_at']);
  return row as ApiTokenRow | undefined;
}

export interface MemberRow {
  org_id: number;
  user_id: number;
  email: string;
  role: OrgRole;
  disabled_at: Date | null;
}

/** The people of the given organisations with their roles, by organisation and email. */
export async function listMembers(knex: Knex, orgIds: number[]): Promise<MemberRow[]> {
  return knex('memberships as m')
    .join('users as u', 'u.id', 'm.user_id')
    .select('m.org_id', 'm.user_id', 'u.email', 'm.role', 'u.disabled_at')
    .whereIn('m.org_id', orgIds)
    .orderBy([{ column: 'm.org_id' }, { column: 'u.email' }]);
}

/**
 * The organisation's admins, locked until the transaction ends: two admins
 * demoting each other at the same moment must not leave the organisation
 * without one.
 */
export async function lockAdmins(knex: Knex, orgId: number): Promise<number[]> {
  const rows: { user_id: number }[] = await knex('memberships').select('user_id').where({ org_id: orgId, role: 'admin' }).forUpdate();
  return rows.map((row) => row.user_id);
}

export async function findMembership(knex: Knex, orgId: number, userId: number): Promise<{ role: OrgRole; email: string } | undefined> {
  return knex('memberships as m').join('users as u', 'u.id', 'm.user_id').select('m.role', 'u.email').where({ 'm.org_id': orgId, 'm.user_id': userId }).first();
}

export async function deleteMembership(knex: Knex, orgId: number, userId: number): Promise<void> {
  await knex('memberships').where({ org_id: orgId, user_id: userId }).del();
}

export async function updateTimeZone(knex: Knex, userId: number, timeZone: string): Promise<void> {
  await knex('users').where({ id: userId }).update({ time_zone: timeZone });
}
