import type { Knex } from 'knex';
import { analyzeIfOutgrown } from '../db/statistics.queries.js';
import { groupKeyOf } from '../classify/group-key.js';
import { aggregateErrors, groupKeyFor, type RunError } from './aggregate.js';
import { clearAppliedMembers, resolveGroups, upsertGroups, upsertMembers, type RunScope } from './groups.queries.js';

/**
 * Folds a stored run into the error groups of its integration, inside the
 * ingest transaction (the run's records must be inserted already): counts the
 * occurrences, marks affected employees, clears employees the run applied
 * without their error, and resolves groups nobody is affected by any more.
 * `appliedExternalIds` are the external IDs of the run's applied records.
 * Returns the group id of each error, in order.
 */
export async function recordRunInGroups(trx: Knex.Transaction, run: RunScope, errors: RunError[], appliedExternalIds: string[]): Promise<number[]> {
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
  await clearAppliedMembers(trx, run, appliedExternalIds);
  await resolveGroups(trx, run);
  return keys.map((key) => ids.get(key)!);
}
