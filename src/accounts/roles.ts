import { HttpError } from '../http/errors.js';
import type { Caller } from './caller.js';

/**
 * Changes are for admins of the organisation concerned. The caller must already
 * see the object (a scoped lookup answered 404 otherwise), so a refusal here may
 * say why: support reads everything and changes nothing, ops reads.
 */
export function requireAdminOf(caller: Caller, orgId: number, action: string): void {
  if (caller.roles.get(orgId) === 'admin') return;
  const why = caller.support && !caller.roles.has(orgId)
    ? 'The support role reads every organisation but changes nothing.'
    : `Only an admin of this organisation can ${action}; your role here is ${caller.roles.get(orgId) ?? 'none'}.`;
  throw new HttpError(403, 'Forbidden', why);
}

/** The organisations in which the caller is an admin (what a page may offer to change). */
export function adminOrgIds(caller: Caller): Set<number> {
  return new Set([...caller.roles].filter(([, role]) => role === 'admin').map(([orgId]) => orgId));
}
