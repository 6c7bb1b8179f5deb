import type { Knex } from 'knex';
import { INDEXED_PREFIX } from '../db/long-values.js';

export interface RecordFilters {
  run?: number;
  integration?: number;
  external_id?: string;
  email?: string;
  q?: string;
  code?: string;
  severity?: string;
  outcome?: string;
  field?: string;
  from?: Date;
  to?: Date;
}

export interface RecordRow {
  org_id: number;
  sync_run_id: number;
  index: number;
  integration_id: number;
  started_at: Date;
  external_id: string | null;
  action: string;
  outcome: string;
  employee: object | null;
  messages: unknown[] | null;
  run_id: string;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Feed-log records, newest first (run start, run, position), keyset-paginated. */
export async function listRecords(knex: Knex, orgIds: number[], filters: RecordFilters, limit: number, after?: [string, number, number]): Promise<RecordRow[]> {
  const query = knex('feed_records as f')
    .join('sync_runs as r', (join) => join.on('r.org_id', 'f.org_id').andOn('r.id', 'f.sync_run_id'))
    .select(
      'f.org_id',
      'f.sync_run_id',
      'f.index',
      'f.integration_id',
      'f.started_at',
      'f.external_id',
      'f.action',
      'f.outcome',
      'f.employee',
      'f.messages',
      'r.run_id',
    )
    .whereIn('f.org_id', orgIds)
    .orderBy([
      { column: 'f.started_at', order: 'desc' },
      { column: 'f.sync_run_id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .limit(limit + 1);
  if (filters.run !== undefined) query.where('f.sync_run_id', filters.run);
  if (filters.integration !== undefined) query.where('f.integration_id', filters.integration);
  if (filters.external_id) {
    query.whereRaw(`left(f.external_id, ${INDEXED_PREFIX}) = left(?, ${INDEXED_PREFIX})`, [filters.external_id]).where('f.external_id', filters.external_id);
  }
  if (filters.email) {
    const email = filters.email.trim();
    query.whereRaw(`left(lower(f.email), ${INDEXED_PREFIX}) = left(lower(?), ${INDEXED_PREFIX}) AND lower(f.email) = lower(?)`, [email, email]);
  }
  if (filters.outcome) query.where('f.outcome', filters.outcome);
  if (filters.from) query.where('f.started_at', '>=', filters.from);
  if (filters.to) query.where('f.started_at', '<', filters.to);
  if (filters.q) {
    const pattern = `%${escapeLike(filters.q.trim())}%`;
    query.where((q) =>
      q
        .whereRaw("(coalesce(f.first_name, '') || ' ' || coalesce(f.last_name, '')) ILIKE ?", [pattern])
        .orWhere('f.email', 'ilike', pattern)
        .orWhere('f.external_id', 'ilike', pattern),
    );
  }
  if (filters.code || filters.severity || filters.field) {
    query.whereExists((sub) => {
      sub.select(knex.raw('1')).from('errors as e').whereRaw('e.org_id = f.org_id AND e.sync_run_id = f.sync_run_id AND e.record_index = f.index');
      if (filters.code) sub.where('e.code', filters.code);
      if (filters.severity) sub.where('e.severity', filters.severity);
      if (filters.field) sub.where('e.field', filters.field);
    });
  }
  if (after) query.whereRaw('(f.started_at, f.sync_run_id, f.index) < (?::timestamptz, ?, ?)', after);
  return query;
}

export interface StoredError {
  sync_run_id: number;
  record_index: number;
  code: string;
  severity: string;
  field: string | null;
  value: string | null;
  expected: string | null;
  variant: string | null;
}

/** The errors of the given records, in one query. */
export async function errorsOfRecords(knex: Knex, records: Pick<RecordRow, 'org_id' | 'sync_run_id' | 'index'>[]): Promise<StoredError[]> {
  if (records.length === 0) return [];
  return knex('errors')
    .select('sync_run_id', 'record_index', 'code', 'severity', 'field', 'value', 'expected', 'variant')
    .whereIn(
      ['org_id', 'sync_run_id', 'record_index'],
      records.map((r) => [r.org_id, r.sync_run_id, r.index]),
    )
    .orderBy('id');
}
