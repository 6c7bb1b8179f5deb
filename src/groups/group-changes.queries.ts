import type { Knex } from 'knex';
import { APPLIED_OUTCOMES } from '../classify/feed-enums.js';
import { INDEXED_PREFIX } from '../db/long-values.js';
import { OPEN_GROUP_STATUSES } from './group-enums.js';

/**
 * What re-checking a run that a late run affected changes in the groups: errors taken
 * away (the additions go through upsertGroups and upsertMembers like a new run's), and
 * the statuses settled again. Each reads only the groups and employees it is given.
 */

interface Scope {
  orgId: number;
  integrationId: number;
}

/** Takes errors away from their groups' counts. */
export async function removeOccurrences(trx: Knex.Transaction, orgId: number, removedPerGroup: Map<number, number>): Promise<void> {
  if (removedPerGroup.size === 0) return;
  await trx.raw(
    `UPDATE error_groups g SET occurrences = g.occurrences - x.removed
     FROM unnest(?::bigint[], ?::bigint[]) AS x(group_id, removed)
     WHERE g.org_id = ? AND g.id = x.group_id`,
    [[...removedPerGroup.keys()], [...removedPerGroup.values()], orgId],
  );
}

/**
 * Rebuilds these members from the errors still stored: last seen in the newest run that
 * gave the employee the group's error (the member goes when there is none), and open
 * unless a later record of theirs was applied. Reads the employee's records through
 * feed_records_by_employee and each one's errors through errors_by_record (the record's
 * errors, their group compared after): as a join, or with the group in the subquery,
 * PostgreSQL without statistics read the group's errors (errors_by_group) again for
 * every record of the employee.
 */
export async function rebuildMembers(trx: Knex.Transaction, scope: Scope, pairs: Array<{ group_id: number; external_id: string }>): Promise<void> {
  if (pairs.length === 0) return;
  const bindings = { ...scope, pairs: JSON.stringify(pairs), applied: APPLIED_OUTCOMES };
  const seen = `
    SELECT p.group_id, p.external_id, (
      SELECT max(r.started_at) FROM feed_records r
      WHERE r.org_id = :orgId AND r.integration_id = :integrationId
        AND left(r.external_id, ${INDEXED_PREFIX}) = left(p.external_id, ${INDEXED_PREFIX}) AND r.external_id = p.external_id
        AND p.group_id IN (SELECT e.group_id FROM errors e WHERE e.org_id = r.org_id AND e.started_at = r.started_at AND e.sync_run_id = r.sync_run_id AND e.record_index = r.index)
    ) AS last_seen
    FROM jsonb_to_recordset(:pairs::jsonb) AS p(group_id bigint, external_id text)`;
  await trx.raw(
    `WITH seen AS (${seen})
     DELETE FROM error_group_members m USING seen s
     WHERE m.org_id = :orgId AND m.group_id = s.group_id AND m.external_key = md5(s.external_id) AND m.external_id = s.external_id
       AND s.last_seen IS NULL`,
    bindings,
  );
  // The members to update are found by their primary key (LATERAL, OFFSET 0) and updated by
  // row address (a Tid Scan): joined to the pairs, PostgreSQL hashed every member of the
  // organisation (or, analysed, of the table) to update a few.
  await trx.raw(
    `WITH seen AS (${seen}),
     found AS MATERIALIZED (
       SELECT m.address, s.last_seen, a.applied_started_at
       FROM seen s
       CROSS JOIN LATERAL (
         SELECT m.ctid AS address FROM error_group_members m
         WHERE m.org_id = :orgId AND m.group_id = s.group_id AND m.external_key = md5(s.external_id) AND m.external_id = s.external_id
         OFFSET 0
       ) AS m
       CROSS JOIN LATERAL (
         SELECT min(r.started_at) AS applied_started_at FROM feed_records r
         WHERE r.org_id = :orgId AND r.integration_id = :integrationId
           AND left(r.external_id, ${INDEXED_PREFIX}) = left(s.external_id, ${INDEXED_PREFIX}) AND r.external_id = s.external_id
           AND r.outcome = ANY(:applied::text[]) AND r.started_at > s.last_seen
       ) AS a
       WHERE s.last_seen IS NOT NULL)
     UPDATE error_group_members m SET last_seen_started_at = f.last_seen, open = f.applied_started_at IS NULL, cleared_started_at = f.applied_started_at
     FROM found f
     WHERE m.ctid = ANY(ARRAY(SELECT address FROM found)) AND m.ctid = f.address`,
    bindings,
  );
}

// The start of an error's run, looked up per error: joined instead, PostgreSQL walked
// the organisation's runs in order (sync_runs_by_org_start) and matched each against
// the group's errors, every run until the group's first (or last) one.
const RUN_START = '(SELECT r.started_at FROM sync_runs r WHERE r.org_id = e.org_id AND r.id = e.sync_run_id)';

/**
 * Groups whose errors of the run that started at `startedAt` changed, and that were first
 * or last seen then: their first and last seen, and the sample value (the first error in
 * run order), are read again from their errors. This reads each such group's errors
 * (errors_by_group) and their runs by primary key.
 */
export async function refreshSeen(trx: Knex.Transaction, orgId: number, groupIds: number[], startedAt: Date): Promise<void> {
  if (groupIds.length === 0) return;
  await trx.raw(
    `UPDATE error_groups g SET
       first_seen_started_at = f.started_at, first_seen_sync_run_id = f.sync_run_id,
       value = f.value, expected = f.expected, variant = f.variant,
       last_seen_started_at = l.started_at, last_seen_sync_run_id = l.sync_run_id
     FROM error_groups g2
     CROSS JOIN LATERAL (
       SELECT ${RUN_START} AS started_at, e.sync_run_id, e.value, e.expected, e.variant FROM errors e
       WHERE e.org_id = g2.org_id AND e.group_id = g2.id
       ORDER BY 1, 2, e.record_index NULLS FIRST
       LIMIT 1) AS f
     CROSS JOIN LATERAL (
       SELECT ${RUN_START} AS started_at, e.sync_run_id FROM errors e
       WHERE e.org_id = g2.org_id AND e.group_id = g2.id
       ORDER BY 1 DESC, 2 DESC
       LIMIT 1) AS l
     WHERE g2.org_id = :orgId AND g2.id = ANY(:groupIds::bigint[])
       AND (g2.first_seen_started_at = :startedAt OR g2.last_seen_started_at = :startedAt)
       AND g.org_id = g2.org_id AND g.id = g2.id`,
    { orgId, groupIds, startedAt },
  );
}

/** Groups left with no error at all never happened in run order: they go (an ignored one stays, with what the person decided). */
export async function deleteEmptyGroups(trx: Knex.Transaction, orgId: number, groupIds: number[]): Promise<void> {
  if (groupIds.length === 0) return;
  await trx('error_groups')
    .where('org_id', orgId)
    .whereRaw('id = ANY(?::bigint[])', [groupIds])
    .where('occurrences', '<=', 0)
    .whereNot('status', 'ignored')
    .delete();
}

/**
 * The status of these groups as run order gives it: open while an employee is affected or
 * the newest run showed it, else resolved. A group a run resolved that is affected again
 * (an employee or occurrence that resolution never saw, from a late run or a re-check) is
 * regressed. One a person resolved stays resolved until a newer run shows it
 * (upsertGroups); ignored groups are left alone.
 * Each group is looked up by its primary key, and its open members by its own, in a
 * LATERAL subquery kept apart by OFFSET 0 (the integration checked after, so that no
 * index on it competes): with `id = ANY(...)`, PostgreSQL read every group of the
 * integration off error_groups_by_integration and filtered them.
 */
export async function settleStatuses(trx: Knex.Transaction, scope: Scope, groupIds: number[], newestStartedAt: Date): Promise<void> {
  if (groupIds.length === 0) return;
  await trx.raw(
    `WITH judged AS (
       SELECT g.* FROM unnest(:groupIds::bigint[]) AS x(id)
       CROSS JOIN LATERAL (
         SELECT g.org_id, g.id, g.integration_id, g.status, g.resolved_by_person,
           (g.last_seen_started_at >= :newest OR EXISTS (
              SELECT 1 FROM error_group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id AND m.open)) AS affected
         FROM error_groups g
         WHERE g.org_id = :orgId AND g.id = x.id AND g.status <> 'ignored'
         OFFSET 0
       ) AS g
       WHERE g.integration_id = :integrationId)
     UPDATE error_groups g SET
       status = CASE WHEN j.affected THEN 'regressed' ELSE 'resolved' END,
       status_changed_at = now(),
       resolved_started_at = CASE WHEN j.affected THEN g.resolved_started_at ELSE :newest END,
       resolved_by_person = false
     FROM judged j
     WHERE g.org_id = j.org_id AND g.id = j.id
       AND ((j.affected AND j.status = 'resolved' AND NOT j.resolved_by_person) OR (NOT j.affected AND j.status = ANY(:openStatuses::text[])))`,
    { ...scope, groupIds, newest: newestStartedAt, openStatuses: OPEN_GROUP_STATUSES },
  );
}
