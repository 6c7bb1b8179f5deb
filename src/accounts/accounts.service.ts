import type { Knex } from 'knex';
import { CLI, recordAudit, type Actor } from '../audit/audit.queries.js';
import { deleteOtherSessions, deleteSessionsOfUser } from '../auth/sessions.queries.js';
import { z } from 'zod';
import { generateToken, hashToken, tokenHint } from '../auth/tokens.js';
import { requireOrganisation } from '../orgs/orgs.service.js';
import { findUserByEmail, type UserRow } from '../auth/auth.queries.js';
import { liftLockout } from '../auth/login.service.js';
import { ROLES, type Role } from '../auth/roles.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../shared/errors.js';
import {
  grantSupport,
  insertApiToken,
  insertUser,
  listApiTokens,
  revokeApiTokenRow,
  updatePasswordHash,
  upsertMembership,
  findMembership,
  type ApiTokenRow,
} from './accounts.queries.js';
import { applyOrgEmailDefaults } from '../notifications/notifications.queries.js';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.js';

const emailSchema = z.email();

function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new InvalidInputError(`A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
}

/**
 * Creates a user (or gives an existing one a role in another organisation).
 * admin and ops belong to an organisation; support reads every organisation and
 * needs none. Without a password, one is generated and returned once.
 */
export async function createUser(
  knex: Knex,
  input: { email: string; role: string; orgSlug?: string; password?: string },
  by: Actor = CLI,
): Promise<{ user: UserRow; generatedPassword?: string; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  if (!emailSchema.safeParse(email).success) throw new InvalidInputError(`'${input.email}' is not an email address.`);
  if (!(ROLES as readonly string[]).includes(input.role)) throw new InvalidInputError(`Unknown role '${input.role}': choose admin, support or ops.`);
  const role = input.role as Role;
  if (role !== 'support' && !input.orgSlug) throw new InvalidInputError(`The ${role} role belongs to an organisation: add --org <slug>.`);
  const organisation = input.orgSlug ? await requireOrganisation(knex, input.orgSlug) : undefined;
  if (input.password !== undefined) checkPassword(input.password);

  return knex.transaction(async (trx) => {
    const existing = await findUserByEmail(trx, email);
    if (existing && input.password !== undefined)
      throw new ConflictError(`${email} exists already; change the password with: feedlog user reset-password --email ${email}`);
    const generatedPassword = existing || input.password !== undefined ? undefined : generatePassword();
    const user =
      existing ?? (await insertUser(trx, { email, password_hash: await hashPassword(input.password ?? generatedPassword!), support: role === 'support' }));
    if (existing && role === 'support' && !existing.support) await grantSupport(trx, existing.id);
    if (organisation && role !== 'support') {
      const joins = !(await findMembership(trx, organisation.id, user.id));
      await upsertMembership(trx, organisation.id, user.id, role);
      // A new member starts with the organisation's email defaults, if its admins set some.
      if (joins) await applyOrgEmailDefaults(trx, organisation.id, user.id);
    }
    await recordAudit(trx, {
      orgId: organisation?.id ?? 0,
      ...by,
      action: existing ? 'user.role_granted' : 'user.created',
      targetType: 'user',
      targetId: user.id,
      details: { email, role },
    });
    return { user, generatedPassword, created: !existing };
  });
}

/**
 * A signed-in person sets a new password (their current one was confirmed by
 * the caller). Every other session of theirs ends; this one goes on.
 */
export async function changeOwnPassword(knex: Knex, userId: number, keepSessionIdHash: string, password: string, by: Actor): Promise<void> {
  checkPassword(password);
  await knex.transaction(async (trx) => {
    await updatePasswordHash(trx, userId, await hashPassword(password));
    const endedSessions = await deleteOtherSessions(trx, userId, keepSessionIdHash);
    await recordAudit(trx, {
      orgId: 0,
      ...by,
      action: 'user.password_changed',
      targetType: 'user',
      targetId: userId,
      details: { ended_sessions: endedSessions },
    });
  });
}

export async function resetPassword(knex: Knex, email: string, password?: string): Promise<{ generatedPassword?: string }> {
  const user = await findUserByEmail(knex, email);
  if (!user) throw new NotFoundError(`No user with email ${email}.`);
  if (password !== undefined) checkPassword(password);
  const generatedPassword = password === undefined ? generatePassword() : undefined;
  await knex.transaction(async (trx) => {
    await updatePasswordHash(trx, user.id, await hashPassword(password ?? generatedPassword!));
    // Whoever knew the old password is signed out everywhere.
    const endedSessions = await deleteSessionsOfUser(trx, user.id);
    await liftLockout(trx, user.email);
    await recordAudit(trx, {
      orgId: 0,
      actor: 'cli',
      action: 'user.password_reset',
      targetType: 'user',
      targetId: user.id,
      details: { ended_sessions: endedSessions },
    });
  });
  return { generatedPassword };
}

export const apiTokenNameSchema = z.string().trim().min(1, 'Give the token a name.').max(100, 'A token name has at most 100 characters.');

async function requireUserByEmail(knex: Knex, email: string): Promise<UserRow> {
  const user = await findUserByEmail(knex, email);
  if (!user) throw new NotFoundError(`No user with email ${email}. Create one with: feedlog user create --email ${email} --role ...`);
  return user;
}

/** A new API token for the user; returned once, stored as a hash. */
export async function issueApiToken(knex: Knex, userId: number, name: string, by: Actor): Promise<string> {
  const token = generateToken('api', userId);
  await knex.transaction(async (trx) => {
    await insertApiToken(trx, userId, name, hashToken(token), tokenHint(token));
    await recordAudit(trx, { orgId: 0, ...by, action: 'api_token.created', targetType: 'user', targetId: userId, details: { name, hint: tokenHint(token) } });
  });
  return token;
}

/** Revokes one of the user's API tokens; an unknown or already revoked id is a mistake to report. */
export async function revokeApiToken(knex: Knex, userId: number, tokenId: number, by: Actor): Promise<ApiTokenRow> {
  return knex.transaction(async (trx) => {
    const row = await revokeApiTokenRow(trx, userId, tokenId);
    if (!row) throw new NotFoundError(`No live API token ${tokenId}: it does not exist, is not this user's, or was revoked already.`);
    await recordAudit(trx, {
      orgId: 0,
      ...by,
      action: 'api_token.revoked',
      targetType: 'user',
      targetId: userId,
      details: { name: row.name, hint: row.token_hint },
    });
    return row;
  });
}

export async function createApiToken(knex: Knex, email: string, name = 'api'): Promise<string> {
  const user = await requireUserByEmail(knex, email);
  const validName = apiTokenNameSchema.safeParse(name);
  if (!validName.success) throw new InvalidInputError(validName.error.issues[0]!.message);
  return issueApiToken(knex, user.id, validName.data, CLI);
}

export async function apiTokensOf(knex: Knex, email: string): Promise<ApiTokenRow[]> {
  return listApiTokens(knex, (await requireUserByEmail(knex, email)).id);
}

export async function revokeApiTokenOf(knex: Knex, email: string, tokenId: number): Promise<ApiTokenRow> {
  return revokeApiToken(knex, (await requireUserByEmail(knex, email)).id, tokenId, CLI);
}
