import type { Knex } from 'knex';
import type { EventFilters } from './events.schemas.js';

export interface EventRow {
  org_id: number;
  id: number;
  integration_id: number;
  integration_name: string;
  code: string;
  severity: string;
  due_at: Date;
  last_due_at: Date | null;
  missed_slots: number | null;
  occurred_at: Date;
  resolved_at: Date | null;
  resolved_by_sync_run_id: number | null;
  details: { expected?: string };
}

const COLUMNS = [
  'org_id',
  'id',
  'integration_id',
  'code',
  'severity',
  'due_at',
  'last_due_at',
  'missed_slots',
  'occurred_at',
  'resolved_at',
  'resolved_by_sync_run_id',
  'details',
];

/**
 * Integration events newest first (due_at, then id), keyset-paginated after
 * `after`. Each organisation's are read in order off integration_events_by_due
 * (or _by_integration_due for one integration), a page at most, and the pages
 * merged; the integration is joined after the limit.
 */
export async function listEvents(knex: Knex, orgIds: number[], filters: EventFilters, limit: number, after?: [string, number]): Promise<EventRow[]> {
  const perOrg = knex('integration_events as e')
    .select(COLUMNS.map((column) => `e.${column}`))
    .where('e.org_id', knex.ref('o.id'))
    .whereNotNull('e.due_at')
    .orderBy([
      { column: 'e.due_at', order: 'desc' },
      { column: 'e.id', order: 'desc' },
    ])
    .limit(limit + 1);
  if (filters.integration !== undefined) perOrg.where('e.integration_id', filters.integration);
  if (filters.code) perOrg.where('e.code', filters.code);
  if (filters.open === 'true') perOrg.whereNull('e.resolved_at');
  if (filters.open === 'false') perOrg.whereNotNull('e.resolved_at');
  if (filters.from) perOrg.where('e.due_at', '>=', filters.from);
  if (filters.to) perOrg.where('e.due_at', '<', filters.to);
  if (after) perOrg.whereRaw('(e.due_at, e.id) < (?::timestamptz, ?)', after);
  const rows = await knex
    .select(...COLUMNS.map((column) => `r.${column}`), 'i.name as integration_name')
    .from(knex.raw('unnest(?::bigint[]) AS o(id)', [orgIds]))
    .joinRaw('CROSS JOIN LATERAL ? AS r', [perOrg] as unknown as Knex.Value[])
    .join('integrations as i', (join) => join.on('i.org_id', 'r.org_id').andOn('i.id', 'r.integration_id'))
    .orderBy([
      { column: 'r.due_at', order: 'desc' },
      { column: 'r.id', order: 'desc' },
    ])
    .limit(limit + 1);
  return rows.map((row) => ({
    ...row,
    org_id: Number(row.org_id),
    id: Number(row.id),
    integration_id: Number(row.integration_id),
    resolved_by_sync_run_id: row.resolved_by_sync_run_id === null ? null : Number(row.resolved_by_sync_run_id),
  }));
}
