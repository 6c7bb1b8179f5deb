import type { Knex } from 'knex';
import { INDEXED_PREFIX } from '../db/long-values.js';

export interface GroupMemberRow {
  external_id: string;
  external_key: string;
  open: boolean;
  last_seen_started_at: Date;
  cleared_started_at: Date | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

/**
 * The employees a group affects, those still affected first, then the most
 * recently seen; keyset-paginated on (open, last_seen_started_at, external_key)
 * through error_group_members_by_group. The page is cut first (a subquery), so
 * that the lookups that follow are made for its rows only, whatever the
 * planner thinks of the joins: name and email from the employee's latest
 * record (feed_records_by_employee, one row), or else their state.
 */
export async function listGroupMembers(
  knex: Knex,
  orgId: number,
  groupId: number,
  limit: number,
  after?: [boolean, string, string],
): Promise<GroupMemberRow[]> {
  const members = knex('error_group_members as m')
    .select('m.org_id', 'm.integration_id', 'm.external_id', 'm.external_key', 'm.open', 'm.last_seen_started_at', 'm.cleared_started_at')
    .where({ 'm.org_id': orgId, 'm.group_id': groupId })
    .orderBy([
      { column: 'm.open', order: 'desc' },
      { column: 'm.last_seen_started_at', order: 'desc' },
      { column: 'm.external_key', order: 'desc' },
    ])
    .limit(limit + 1);
  if (after) members.whereRaw('(m.open, m.last_seen_started_at, m.external_key) < (?::boolean, ?::timestamptz, ?)', after);
  return knex
    .from(members.as('m'))
    .select(
      'm.external_id',
      'm.external_key',
      'm.open',
      'm.last_seen_started_at',
      'm.cleared_started_at',
      knex.raw('coalesce(p.first_name, s.first_name) AS first_name'),
      knex.raw('coalesce(p.last_name, s.last_name) AS last_name'),
      knex.raw('coalesce(p.email, s.email) AS email'),
    )
    .joinRaw(
      `LEFT JOIN LATERAL (
         SELECT r.first_name, r.last_name, r.email FROM feed_records r
         WHERE r.org_id = m.org_id AND r.integration_id = m.integration_id
           AND left(r.external_id, ${INDEXED_PREFIX}) = left(m.external_id, ${INDEXED_PREFIX}) AND r.external_id = m.external_id
         ORDER BY r.started_at DESC LIMIT 1
       ) AS p ON true`,
    )
    .leftJoin('employee_states as s', (join) =>
      join.on('s.org_id', 'm.org_id').andOn('s.integration_id', 'm.integration_id').andOn('s.external_key', 'm.external_key'),
    )
    .orderBy([
      { column: 'm.open', order: 'desc' },
      { column: 'm.last_seen_started_at', order: 'desc' },
      { column: 'm.external_key', order: 'desc' },
    ]);
}

export interface GroupOccurrenceRow {
  id: number;
  sync_run_id: number;
  record_index: number | null;
  value: string | null;
  expected: string | null;
  variant: string | null;
  run_id: string;
  started_at: Date;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  outcome: string | null;
}

/**
 * The errors of a group, newest first (by id, the order they were stored in),
 * keyset-paginated on id through errors_by_group; the page is cut first, then
 * each error gets its run's engine id and, for a record's error, the record's
 * employee (both by primary key; the run's start is the error's own).
 */
export async function listGroupOccurrences(knex: Knex, orgId: number, groupId: number, limit: number, after?: [number]): Promise<GroupOccurrenceRow[]> {
  const errors = knex('errors as e')
    .select('e.org_id', 'e.id', 'e.started_at', 'e.sync_run_id', 'e.record_index', 'e.value', 'e.expected', 'e.variant')
    .where({ 'e.org_id': orgId, 'e.group_id': groupId })
    .orderBy('e.id', 'desc')
    .limit(limit + 1);
  if (after) errors.where('e.id', '<', after[0]);
  return knex
    .from(errors.as('e'))
    .leftJoin('feed_records as f', (join) =>
      join.on('f.org_id', 'e.org_id').andOn('f.started_at', 'e.started_at').andOn('f.sync_run_id', 'e.sync_run_id').andOn('f.index', 'e.record_index'),
    )
    .select(
      'e.id',
      'e.sync_run_id',
      'e.record_index',
      'e.value',
      'e.expected',
      'e.variant',
      // The run's engine id by primary key, per error of the page (a join may hash every run).
      knex.raw('(SELECT r.run_id FROM sync_runs r WHERE r.org_id = e.org_id AND r.started_at = e.started_at AND r.id = e.sync_run_id) AS run_id'),
      'e.started_at',
      'f.external_id',
      'f.first_name',
      'f.last_name',
      'f.outcome',
    )
    .orderBy('e.id', 'desc');
}
