import type { Knex } from 'knex';
import { analyzeIfOutgrown } from '../db/statistics.queries.js';
import { groupKeyOf } from '../classify/group-key.js';
import { aggregateErrors, groupKeyFor, type RunError } from './aggregate.js';
import { clearAppliedMembers, resolveGroups, upsertGroups, upsertMembers, type RunScope } from './groups.queries.js';
import { deleteEmptyGroups, rebuildMembers, removeOccurrences } from './group-changes.queries.js';

/**
 * Folds a stored run into the error groups of its integration, inside the
 * ingest transaction (the run's records must be inserted already): counts the
 * occurrences, marks affected employees, clears employees the run applied
 * without their error, and resolves groups nobody is affected by any more.
 * `appliedExternalIds` are the external IDs of the run's applied records.
 * Returns the group id of each error, in order.
 */
export async function recordRunInGroups(
  trx: Knex.Transaction,
  run: RunScope,
  errors: RunError[],
  appliedExternalIds: string[],
  newestStartedAt: Date = run.startedAt,
): Promise<number[]> {
  const groupIds = await addErrorsToGroups(trx, run, errors);
  await clearAppliedMembers(trx, run, appliedExternalIds, newestStartedAt > run.startedAt);
  await resolveGroups(trx, run, newestStartedAt);
  return groupIds;
}

/**
 * Counts errors of one run in their groups (creating new ones) and marks their
 * employees affected as of that run. Returns the group id of each error, in order.
 */
export async function addErrorsToGroups(trx: Knex.Transaction, run: RunScope, errors: RunError[]): Promise<number[]> {
  const keys = errors.map((error) => groupKeyFor(error, groupKeyOf));
  const occurrences = aggregateErrors(errors, keys);
  const ids = await upsertGroups(trx, run, [...occurrences.values()]);
  // Before the members go in: their foreign-key checks must see fresh statistics.
  await analyzeIfOutgrown(trx, 'error_groups', occurrences.size);
  const members = [...occurrences.values()].flatMap((group) =>
    [...group.externalIds].map((externalId) => ({ group_id: ids.get(group.key)!, external_id: externalId })),
  );
  await upsertMembers(trx, run, members);
  await analyzeIfOutgrown(trx, 'error_group_members', members.length);
  return keys.map((key) => ids.get(key)!);
}

/**
 * Takes stored errors of one run away from their groups (the errors themselves
 * are deleted by the caller first): the counts and the members they made.
 * Groups left empty go. The caller refreshes first and last seen once it has
 * added the run's new errors too (refreshSeen).
 */
export async function removeErrorsFromGroups(
  trx: Knex.Transaction,
  run: RunScope,
  removed: Array<{ group_id: number; external_id: string | null }>,
): Promise<void> {
  if (removed.length === 0) return;
  const perGroup = new Map<number, number>();
  for (const error of removed) perGroup.set(error.group_id, (perGroup.get(error.group_id) ?? 0) + 1);
  await removeOccurrences(trx, run.orgId, perGroup);
  const pairs = new Map<string, { group_id: number; external_id: string }>();
  for (const { group_id, external_id } of removed) {
    if (external_id) pairs.set(JSON.stringify([group_id, external_id]), { group_id, external_id });
  }
  await rebuildMembers(trx, run, [...pairs.values()]);
  await deleteEmptyGroups(trx, run.orgId, [...perGroup.keys()]);
}
