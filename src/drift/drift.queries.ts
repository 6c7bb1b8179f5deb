import type { Knex } from 'knex';
import { OPEN_GROUP_STATUSES } from '../groups/group-enums.js';
import { DRIFT_CODES, type DriftFilters } from './drift.schemas.js';

export interface DriftRow {
  org_id: number;
  id: number;
  integration_id: number;
  code: string;
  field: string | null;
  value: string | null;
  expected: string | null;
  variant: string | null;
  occurrences: number;
  first_seen_started_at: Date;
  last_seen_started_at: Date;
  status: string;
  employees_blocked: number;
}

/**
 * The values the source sends that the target's catalog lacks: the open and
 * regressed groups of the catalog codes (the classifier files an engine's "does
 * not exist" under them too, variant `unknown`), each with the employees it
 * blocks now. They are read by code (error_groups_by_code, or _by_integration
 * when one integration is asked for) and ranked by employees blocked, which no
 * index can hold: a count that every run changes. What is ranked is small, one
 * row per distinct wrong value.
 */
export async function listDrift(knex: Knex, orgIds: number[], filters: DriftFilters, limit: number, after?: [number, string, number]): Promise<DriftRow[]> {
  if (orgIds.length === 0) return [];
  const codes = filters.field ? [DRIFT_CODES[filters.field]] : Object.values(DRIFT_CODES);
  const groups = knex('error_groups as g')
    .select(
      'g.org_id',
      'g.id',
      'g.integration_id',
      'g.code',
      'g.field',
      'g.value',
      'g.expected',
      'g.variant',
      'g.occurrences',
      'g.first_seen_started_at',
      'g.last_seen_started_at',
      'g.status',
      knex.raw('(SELECT count(*) FROM error_group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id AND m.open)::int AS employees_blocked'),
    )
    .whereIn('g.org_id', orgIds)
    .whereRaw('g.code = ANY(?::text[])', [codes])
    .whereRaw('g.status = ANY(?::text[])', [[...OPEN_GROUP_STATUSES]]);
  if (filters.integration !== undefined) groups.where('g.integration_id', filters.integration);
  const query = knex
    .select('d.*')
    .from(groups.as('d'))
    .orderBy([
      { column: 'd.employees_blocked', order: 'desc' },
      { column: 'd.last_seen_started_at', order: 'desc' },
      { column: 'd.id', order: 'desc' },
    ])
    .limit(limit + 1);
  if (after) query.whereRaw('(d.employees_blocked, d.last_seen_started_at, d.id) < (?::int, ?::timestamptz, ?)', after);
  return query;
}
