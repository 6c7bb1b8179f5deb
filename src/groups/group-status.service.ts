import type { Knex } from 'knex';
import { actorOf, type Caller } from '../auth/caller.js';
import { requireAdminOf } from '../auth/roles.js';
import { recordAudit } from '../audit/audit.queries.js';
import { NotFoundError } from '../shared/errors.js';
import type { PersonSetStatus } from './group-enums.js';
import { findErrorGroup, setGroupStatus, type ErrorGroupRow } from './groups.queries.js';

/**
 * An admin reopens, resolves or ignores an error group of their organisation,
 * from a page or the API; the change is audited in the same transaction.
 * Another organisation's group is a 404, as if it did not exist.
 */
export async function changeGroupStatus(knex: Knex, caller: Caller, groupId: number, status: PersonSetStatus, via: 'web' | 'api'): Promise<ErrorGroupRow> {
  return knex.transaction(async (trx) => {
    const group = await findErrorGroup(trx, caller.orgIds, groupId, { forUpdate: true });
    if (!group) throw new NotFoundError(`No error group ${groupId}.`);
    requireAdminOf(caller, group.org_id, 'change the status of error groups');
    if (group.status !== status) {
      await setGroupStatus(trx, group.org_id, group.id, status);
      await recordAudit(trx, {
        orgId: group.org_id,
        ...actorOf(caller),
        action: 'error_group.status_changed',
        targetType: 'error_group',
        targetId: group.id,
        details: { from: group.status, to: status, code: group.code, via },
      });
    }
    return (await findErrorGroup(trx, caller.orgIds, groupId))!;
  });
}
