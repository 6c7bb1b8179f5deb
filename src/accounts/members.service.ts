import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit.queries.js';
import { findOrganisationById } from '../orgs/orgs.queries.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../shared/errors.js';
import { findUserByEmail } from '../auth/auth.queries.js';
import { ORG_ROLES, requireAdminOf, type OrgRole } from '../auth/roles.js';
import { deleteMembership, findMembership, lockAdmins, upsertMembership } from './accounts.queries.js';
import { createUser } from './accounts.service.js';
import { actorOf, type Caller } from '../auth/caller.js';

export const MEMBER_ROLES = ORG_ROLES;

/** The organisation, if the caller can see it (404 otherwise) and is its admin (403 otherwise). */
async function organisationToManage(knex: Knex, caller: Caller, orgId: number) {
  const organisation = caller.orgIds.includes(orgId) ? await findOrganisationById(knex, orgId) : undefined;
  if (!organisation) throw new NotFoundError(`No organisation ${orgId}.`);
  requireAdminOf(caller, orgId, 'manage its people');
  return organisation;
}

const lastAdmin = () => new ConflictError('An organisation keeps at least one admin: make someone else admin first.');

/**
 * An admin adds a person to their organisation. Someone without an account gets
 * one, with a password generated and returned once (to hand over safely); a
 * person who is a member already keeps their role (change it instead).
 */
export async function addMember(knex: Knex, caller: Caller, orgId: number, email: string, role: OrgRole) {
  const organisation = await organisationToManage(knex, caller, orgId);
  const existing = await findUserByEmail(knex, email);
  if (existing && (await findMembership(knex, orgId, existing.id))) {
    throw new InvalidInputError(`${existing.email} is a member of ${organisation.name} already: change their role in the list instead.`);
  }
  return createUser(knex, { email, role, orgSlug: organisation.slug }, actorOf(caller));
}

/** Returns the member's email. */
export async function changeMemberRole(knex: Knex, caller: Caller, orgId: number, userId: number, role: OrgRole): Promise<string> {
  await organisationToManage(knex, caller, orgId);
  return knex.transaction(async (trx) => {
    const admins = await lockAdmins(trx, orgId);
    const membership = await findMembership(trx, orgId, userId);
    if (!membership) throw new NotFoundError(`No member ${userId} in this organisation.`);
    if (membership.role === role) return membership.email;
    if (membership.role === 'admin' && admins.length === 1) throw lastAdmin();
    await upsertMembership(trx, orgId, userId, role);
    await recordAudit(trx, {
      orgId,
      ...actorOf(caller),
      action: 'member.role_changed',
      targetType: 'user',
      targetId: userId,
      details: { email: membership.email, from: membership.role, to: role },
    });
    return membership.email;
  });
}

/** Returns the former member's email. */
export async function removeMember(knex: Knex, caller: Caller, orgId: number, userId: number): Promise<string> {
  await organisationToManage(knex, caller, orgId);
  return knex.transaction(async (trx) => {
    const admins = await lockAdmins(trx, orgId);
    const membership = await findMembership(trx, orgId, userId);
    if (!membership) throw new NotFoundError(`No member ${userId} in this organisation.`);
    if (membership.role === 'admin' && admins.length === 1) throw lastAdmin();
    await deleteMembership(trx, orgId, userId);
    await recordAudit(trx, {
      orgId,
      ...actorOf(caller),
      action: 'member.removed',
      targetType: 'user',
      targetId: userId,
      details: { email: membership.email, role: membership.role },
    });
    return membership.email;
  });
}
