/** What the employee page reads of an employee's records and errors, beside the records list it shares with the API. */
import type { Knex } from 'knex';
import { INDEXED_PREFIX } from '../db/long-values.js';
import type { ClassifiedError } from '../classify/types.js';

export interface RecordKey {
  org_id: number;
  /** The run's start: the partition key, and the primary key's second column. */
  started_at: Date;
  sync_run_id: number;
  index: number;
}

/** The employee as each of these records sent it, keyed `<sync_run_id>:<index>` (primary-key look-ups). */
export async function employeesOfRecords(knex: Knex, keys: RecordKey[]): Promise<Map<string, Record<string, unknown>>> {
  if (keys.length === 0) return new Map();
  const rows: (RecordKey & { employee: Record<string, unknown> | null })[] = await knex('feed_records')
    .select('org_id', 'sync_run_id', 'index', 'employee')
    .whereIn(
      ['org_id', 'started_at', 'sync_run_id', 'index'],
      keys.map((key) => [key.org_id, key.started_at, key.sync_run_id, key.index]),
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

/**
 * The errors of these records with their group, in one query: the records'
 * keys drive a join, one errors_by_record look-up each (as a list of row
 * values, PostgreSQL 15 matched only the run and filtered every error of it
 * by position).
 */
export async function errorsWithGroupsOf(knex: Knex, records: RecordKey[]): Promise<RecordError[]> {
  if (records.length === 0) return [];
  return knex
    .from(
      knex.raw('unnest(?::bigint[], ?::timestamptz[], ?::bigint[], ?::int[]) AS k(org_id, started_at, sync_run_id, record_index)', [
        records.map((r) => r.org_id),
        records.map((r) => r.started_at),
        records.map((r) => r.sync_run_id),
        records.map((r) => r.index),
      ]),
    )
    .join('errors as e', (join) =>
      join.on('e.org_id', 'k.org_id').andOn('e.started_at', 'k.started_at').andOn('e.sync_run_id', 'k.sync_run_id').andOn('e.record_index', 'k.record_index'),
    )
    .select('e.sync_run_id', 'e.record_index', 'e.group_id', 'e.code', 'e.severity', 'e.field', 'e.value', 'e.expected', 'e.variant')
    .orderBy('e.id');
}

export interface OpenError extends RecordError {
  started_at: Date;
  run_id: string;
}

/** The groups whose error is open on the employee (open members of severity error), through error_group_members_open. */
export async function openGroupsOfEmployee(knex: Knex, orgId: number, integrationId: number, externalId: string): Promise<number[]> {
  const rows: { group_id: number }[] = await knex('error_group_members as m')
    .join('error_groups as g', (join) => join.on('g.org_id', 'm.org_id').andOn('g.id', 'm.group_id'))
    .select('m.group_id')
    .where({ 'm.org_id': orgId, 'm.integration_id': integrationId, 'm.open': true, 'g.severity': 'error' })
    .whereRaw('m.external_key = md5(?)', [externalId])
    .where('m.external_id', externalId);
  return rows.map((row) => Number(row.group_id));
}

export interface ErroredRecord extends RecordKey {
  started_at: Date;
  run_id: string;
}

/** A page of the employee's records that carry errors, newest first (feed_records_by_employee), after `before` if given. */
export async function erroredRecordsOf(
  knex: Knex,
  orgId: number,
  integrationId: number,
  externalId: string,
  limit: number,
  before?: ErroredRecord,
): Promise<ErroredRecord[]> {
  const query = knex('feed_records as f')
    .join('sync_runs as r', (join) => join.on('r.org_id', 'f.org_id').andOn('r.id', 'f.sync_run_id'))
    .select('f.org_id', 'f.sync_run_id', 'f.index', 'f.started_at', 'r.run_id')
    .where({ 'f.org_id': orgId, 'f.integration_id': integrationId })
    .whereRaw(`left(f.external_id, ${INDEXED_PREFIX}) = left(?, ${INDEXED_PREFIX})`, [externalId])
    .where('f.external_id', externalId)
    .where('f.error_count', '>', 0)
    .orderBy([
      { column: 'f.started_at', order: 'desc' },
      { column: 'f.sync_run_id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .limit(limit);
  if (before) {
    query
      .where('f.started_at', '<=', before.started_at)
      .whereRaw('(f.started_at, f.sync_run_id, f.index) < (?::timestamptz, ?, ?)', [before.started_at, before.sync_run_id, before.index]);
  }
  return query;
}
