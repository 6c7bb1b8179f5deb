/** What the employee page reads of an employee's records and errors, beside the records list it shares with the API. */
import type { Knex } from 'knex';
import { INDEXED_PREFIX } from '../db/long-values.js';
import type { ClassifiedError } from '../classify/types.js';

export interface RecordKey {
  org_id: number;
  sync_run_id: number;
  index: number;
}

/** The employee as each of these records sent it, keyed `<sync_run_id>:<index>` (primary-key look-ups). */
export async function employeesOfRecords(knex: Knex, keys: RecordKey[]): Promise<Map<string, Record<string, unknown>>> {
  if (keys.length === 0) return new Map();
  const rows: (RecordKey & { employee: Record<string, unknown> | null })[] = await knex('feed_records')
    .select('org_id', 'sync_run_id', 'index', 'employee')
    .whereIn(
      ['org_id', 'sync_run_id', 'index'],
      keys.map((key) => [key.org_id, key.sync_run_id, key.index]),
    );
  return new Map(rows.map((row) => [`${row.sync_run_id}:${row.index}`, row.employee ?? {}]));
}

export interface EmployeeRecordRef extends RecordKey {
  integration_id: number;
  external_id: string;
  started_at: Date;
}

/**
 * The record of the same employee and integration just before `record` (by
 * run start, run, position), with its employee as sent: what the timeline's
 * field diff compares with. Read through feed_records_by_employee.
 */
export async function previousRecordOf(
  knex: Knex,
  record: EmployeeRecordRef,
): Promise<{ sync_run_id: number; index: number; employee: Record<string, unknown> | null } | undefined> {
  return knex('feed_records as f')
    .select('f.sync_run_id', 'f.index', 'f.employee')
    .where({ 'f.org_id': record.org_id, 'f.integration_id': record.integration_id })
    .whereRaw(`left(f.external_id, ${INDEXED_PREFIX}) = left(?, ${INDEXED_PREFIX})`, [record.external_id])
    .where('f.external_id', record.external_id)
    .where('f.started_at', '<=', record.started_at)
    .whereRaw('(f.started_at, f.sync_run_id, f.index) < (?::timestamptz, ?, ?)', [record.started_at, record.sync_run_id, record.index])
    .orderBy([
      { column: 'f.started_at', order: 'desc' },
      { column: 'f.sync_run_id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .first();
}

export interface RecordError extends ClassifiedError {
  sync_run_id: number;
  record_index: number;
  group_id: number | null;
}

/** The errors of these records with their group, in one query (errors_by_record). */
export async function errorsWithGroupsOf(knex: Knex, records: RecordKey[]): Promise<RecordError[]> {
  if (records.length === 0) return [];
  return knex('errors')
    .select('sync_run_id', 'record_index', 'group_id', 'code', 'severity', 'field', 'value', 'expected', 'variant')
    .whereIn(
      ['org_id', 'sync_run_id', 'record_index'],
      records.map((r) => [r.org_id, r.sync_run_id, r.index]),
    )
    .orderBy('id');
}

export interface OpenError extends RecordError {
  started_at: Date;
  run_id: string;
}

/**
 * The employee's open errors (open group members of severity error), each as
 * their newest record that carries it: the actual values they were sent with.
 */
export async function openErrorsOfEmployee(knex: Knex, orgId: number, integrationId: number, externalId: string): Promise<OpenError[]> {
  const groups: { group_id: number }[] = await knex('error_group_members as m')
    .join('error_groups as g', (join) => join.on('g.org_id', 'm.org_id').andOn('g.id', 'm.group_id'))
    .select('m.group_id')
    .where({ 'm.org_id': orgId, 'm.integration_id': integrationId, 'm.open': true, 'g.severity': 'error' })
    .whereRaw('m.external_key = md5(?)', [externalId])
    .where('m.external_id', externalId);
  if (groups.length === 0) return [];
  return knex
    .select('*')
    .from(
      knex('feed_records as f')
        .join('errors as e', (join) => join.on('e.org_id', 'f.org_id').andOn('e.sync_run_id', 'f.sync_run_id').andOn('e.record_index', 'f.index'))
        .join('sync_runs as r', (join) => join.on('r.org_id', 'f.org_id').andOn('r.id', 'f.sync_run_id'))
        .distinctOn('e.group_id')
        .select(
          'e.group_id',
          'e.code',
          'e.severity',
          'e.field',
          'e.value',
          'e.expected',
          'e.variant',
          'f.sync_run_id',
          'f.index as record_index',
          'f.started_at',
          'r.run_id',
        )
        .where({ 'f.org_id': orgId, 'f.integration_id': integrationId })
        .whereRaw(`left(f.external_id, ${INDEXED_PREFIX}) = left(?, ${INDEXED_PREFIX})`, [externalId])
        .where('f.external_id', externalId)
        .where('f.error_count', '>', 0)
        .whereRaw('e.group_id = ANY(?::bigint[])', [groups.map((g) => g.group_id)])
        .orderBy([
          { column: 'e.group_id' },
          { column: 'f.started_at', order: 'desc' },
          { column: 'f.sync_run_id', order: 'desc' },
          { column: 'f.index', order: 'desc' },
        ])
        .as('latest'),
    )
    .orderBy([{ column: 'started_at', order: 'desc' }, { column: 'group_id' }]);
}
