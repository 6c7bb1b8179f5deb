import { ForbiddenError } from '../shared/errors.js';
import type { Caller } from './caller.js';

/** The roles a person holds in an organisation. */
export const ORG_ROLES = ['admin', 'ops'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** Every role: the organisation roles, and support, which reads every organisation and belongs to none. */
export const ROLES = [...ORG_ROLES, 'support'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Changes are for admins of the organisation concerned. The caller must already
 * see the object (a scoped lookup answered 404 otherwise), so a refusal here may
 * say why: support reads everything and changes nothing, ops reads.
 */
export function requireAdminOf(caller: Caller, orgId: number, action: string): void {
  if (caller.roles.get(orgId) === 'admin') return;
  const why =
    caller.support && !caller.roles.has(orgId)
      ? 'The support role reads every organisation but changes nothing.'
      : `Only an admin of this organisation can ${action}; your role here is ${caller.roles.get(orgId) ?? 'none'}.`;
  throw new ForbiddenError(why);
}

/** The organisations in which the caller is an admin (what a page may offer to change). */
export function adminOrgIds(caller: Caller): Set<number> {
  return new Set([...caller.roles].filter(([, role]) => role === 'admin').map(([orgId]) => orgId));
}
