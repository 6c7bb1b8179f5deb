import type { Knex } from 'knex';
import { INDEXED_PREFIX } from '../db/long-values.js';
import { searchWords } from '../shared/search-text.js';

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

const RECORD_COLUMNS = ['org_id', 'sync_run_id', 'index', 'integration_id', 'started_at', 'external_id', 'action', 'outcome', 'employee', 'messages'];

/**
 * Feed-log records, newest first (run start, run, position), keyset-paginated.
 * Each organisation's records are read in order from feed_records_by_org_start
 * (or, for one run, its primary key), at most a page of them, and the pages are
 * merged: a page never sorts every record of an organisation, and support's
 * every organisation is one short index walk each. The run's engine id is
 * joined after the limit.
 */
export async function listRecords(knex: Knex, orgIds: number[], filters: RecordFilters, limit: number, after?: [string, number, number]): Promise<RecordRow[]> {
  const perOrg = knex('feed_records as f')
    .select(RECORD_COLUMNS.map((column) => `f.${column}`))
    .where('f.org_id', knex.ref('o.id'))
    .orderBy([
      { column: 'f.started_at', order: 'desc' },
      { column: 'f.sync_run_id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .limit(limit + 1);
  // One run's records are in its start's partition, at its start in the primary key:
  // the start is looked up first, so that PostgreSQL plans for that one partition.
  if (filters.run !== undefined) {
    const run = await knex('sync_runs').select('started_at').whereIn('org_id', orgIds).where('id', filters.run).first();
    if (!run) return [];
    perOrg.where('f.sync_run_id', filters.run).where('f.started_at', run.started_at);
  }
  if (filters.integration !== undefined) perOrg.where('f.integration_id', filters.integration);
  if (filters.external_id) {
    perOrg.whereRaw(`left(f.external_id, ${INDEXED_PREFIX}) = left(?, ${INDEXED_PREFIX})`, [filters.external_id]).where('f.external_id', filters.external_id);
    // feed_records_by_employee starts (org_id, integration_id): naming every
    // integration of the organisation lets a server without skip scan (before
    // PostgreSQL 18) seek the ID in each, instead of reading all the org's entries.
    if (filters.integration === undefined) perOrg.whereRaw('f.integration_id = ANY(ARRAY(SELECT i.id FROM integrations i WHERE i.org_id = o.id))');
  }
  if (filters.email) {
    // As the classifier compares emails: " Ana@Example.com" is ana@example.com (feed_records_by_email).
    perOrg.whereRaw(
      `left(feedlog_email_key(f.email), ${INDEXED_PREFIX}) = left(feedlog_email_key(?), ${INDEXED_PREFIX}) AND feedlog_email_key(f.email) = feedlog_email_key(?)`,
      [filters.email, filters.email],
    );
  }
  if (filters.outcome) perOrg.where('f.outcome', filters.outcome);
  if (filters.from) perOrg.where('f.started_at', '>=', filters.from);
  if (filters.to) perOrg.where('f.started_at', '<', filters.to);
  if (filters.q) whereMatches(knex, perOrg, filters.q, filters.run !== undefined);
  if (filters.code || filters.severity || filters.field) {
    perOrg.whereExists((sub) => {
      sub
        .select(knex.raw('1'))
        .from('errors as e')
        .whereRaw('e.org_id = f.org_id AND e.started_at = f.started_at AND e.sync_run_id = f.sync_run_id AND e.record_index = f.index');
      if (filters.code) sub.where('e.code', filters.code);
      if (filters.severity) sub.where('e.severity', filters.severity);
      if (filters.field) sub.where('e.field', filters.field);
    });
  }
  if (after) perOrg.whereRaw('(f.started_at, f.sync_run_id, f.index) < (?::timestamptz, ?, ?)', after);
  // One run's records all share its start: the primary key (org_id, started_at,
  // sync_run_id, index) serves them in order, which PostgreSQL sees only when told the order is by index.
  if (filters.run !== undefined) {
    perOrg.clearOrder().orderBy('f.index', 'desc');
    if (after && after[1] === filters.run) perOrg.where('f.index', '<', after[2]);
  }
  return knex
    .select(...RECORD_COLUMNS.map((column) => `x.${column}`), 'r.run_id')
    .from(knex.raw('unnest(?::bigint[]) AS o(id)', [orgIds]))
    .joinRaw('CROSS JOIN LATERAL ? AS x', [perOrg] as unknown as Knex.Value[])
    .join('sync_runs as r', (join) => join.on('r.org_id', 'x.org_id').andOn('r.id', 'x.sync_run_id'))
    .orderBy([
      { column: 'x.started_at', order: 'desc' },
      { column: 'x.sync_run_id', order: 'desc' },
      { column: 'x.index', order: 'desc' },
    ])
    .limit(limit + 1);
}

/**
 * `q`: within one run, the record's own name, email or external ID contains it
 * (case-insensitive), a scan of that run only. Across runs, the records of the
 * employees the header search finds (every word in their name, email or
 * external ID as last sent, accents ignored), through employee_summaries and its
 * trigram index: matching text in every record ever stored was a scan of them all.
 */
function whereMatches(knex: Knex, perOrg: Knex.QueryBuilder, q: string, withinOneRun: boolean) {
  if (withinOneRun) {
    const pattern = `%${escapeLike(q.trim())}%`;
    perOrg.where((match) =>
      match
        .whereRaw("(coalesce(f.first_name, '') || ' ' || coalesce(f.last_name, '')) ILIKE ?", [pattern])
        .orWhere('f.email', 'ilike', pattern)
        .orWhere('f.external_id', 'ilike', pattern),
    );
    return;
  }
  const words = searchWords(q);
  if (words.length === 0) return;
  perOrg.whereExists((sub) => {
    sub
      .select(knex.raw('1'))
      .from('employee_summaries as s')
      // Both indexed forms of the ID, so PostgreSQL can go either way: from the
      // matching employees to their records (feed_records_by_employee), or from
      // the newest records to their employee (the primary key), when many match.
      .whereRaw(
        `s.org_id = f.org_id AND s.integration_id = f.integration_id AND left(s.external_id, ${INDEXED_PREFIX}) = left(f.external_id, ${INDEXED_PREFIX})
         AND s.external_key = md5(f.external_id) AND s.external_id = f.external_id`,
      );
    for (const word of words) sub.whereRaw('s.search_key LIKE ?', [`%${escapeLike(word)}%`]);
  });
}

export interface StoredError {
  sync_run_id: number;
  record_index: number;
  group_id: number | null;
  code: string;
  severity: string;
  field: string | null;
  value: string | null;
  expected: string | null;
  variant: string | null;
}

/** The errors of the given records, in one query. */
export async function errorsOfRecords(knex: Knex, records: Pick<RecordRow, 'org_id' | 'started_at' | 'sync_run_id' | 'index'>[]): Promise<StoredError[]> {
  if (records.length === 0) return [];
  return knex('errors')
    .select('sync_run_id', 'record_index', 'group_id', 'code', 'severity', 'field', 'value', 'expected', 'variant')
    .whereIn(
      ['org_id', 'started_at', 'sync_run_id', 'record_index'],
      records.map((r) => [r.org_id, r.started_at, r.sync_run_id, r.index]),
    )
    .orderBy('id');
}

/** A run as its records are found: in the partition of its start, by (org_id, started_at, id). */
export interface RunKey {
  org_id: number;
  id: number;
  started_at: Date;
}

/** The filters of a run's records (the run page, GET /runs/:id), named as in GET /api/v1/records. */
export interface RunRecordFilters {
  outcome?: string;
  code?: string;
  field?: string;
  q?: string;
}

/** A record as the run page lists it: the columns, never the raw payload. */
export interface RunRecordRow {
  org_id: number;
  started_at: Date;
  sync_run_id: number;
  index: number;
  integration_id: number;
  external_id: string | null;
  action: string;
  outcome: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  error_count: number;
}

const RUN_RECORD_COLUMNS = [
  'f.org_id',
  'f.started_at',
  'f.sync_run_id',
  'f.index',
  'f.integration_id',
  'f.external_id',
  'f.action',
  'f.outcome',
  'f.first_name',
  'f.last_name',
  'f.email',
  'f.error_count',
];

function whereRecordMatches(query: Knex.QueryBuilder, filters: RunRecordFilters) {
  if (filters.outcome) query.where('f.outcome', filters.outcome);
  if (filters.q) {
    const pattern = `%${escapeLike(filters.q.trim())}%`;
    query.where((q) =>
      q
        .whereRaw("(coalesce(f.first_name, '') || ' ' || coalesce(f.last_name, '')) ILIKE ?", [pattern])
        .orWhere('f.email', 'ilike', pattern)
        .orWhere('f.external_id', 'ilike', pattern),
    );
  }
  return query;
}

/**
 * A run's records matching the filters, after `afterIndex`, and the column
 * that orders them. With a code or field filter the run's errors drive:
 * errors_by_record holds them in record order, as few as there are errors,
 * and each record is then looked up by its primary key (a LATERAL lookup, so
 * that no estimate can turn it into a scan of the whole run per error).
 * Otherwise the primary key (org_id, sync_run_id, index) is read in order, or
 * feed_records_by_run_outcome for an outcome other than succeeded.
 */
function runRecordsQuery(
  knex: Knex,
  run: RunKey,
  filters: RunRecordFilters,
  columns: (string | Knex.Raw)[],
  afterIndex?: number,
): { query: Knex.QueryBuilder; order: string } {
  if (filters.code || filters.field) {
    const matching = knex('errors as e')
      .distinct('e.record_index')
      .where({ 'e.org_id': run.org_id, 'e.started_at': run.started_at, 'e.sync_run_id': run.id })
      .whereNotNull('e.record_index')
      .orderBy('e.record_index');
    if (filters.code) matching.where('e.code', filters.code);
    if (filters.field) matching.where('e.field', filters.field);
    if (afterIndex !== undefined) matching.where('e.record_index', '>', afterIndex);
    const record = whereRecordMatches(
      knex('feed_records as f')
        .select(columns)
        .where({ 'f.org_id': run.org_id, 'f.started_at': run.started_at, 'f.sync_run_id': run.id })
        .where('f.index', knex.ref('m.record_index'))
        .limit(1),
      filters,
    );
    return {
      query: knex
        .from(matching.as('m'))
        .joinRaw('CROSS JOIN LATERAL ? AS f', [record] as unknown as Knex.Value[])
        .select('f.*'),
      order: 'm.record_index',
    };
  }
  const query = whereRecordMatches(
    knex('feed_records as f').select(columns).where({ 'f.org_id': run.org_id, 'f.started_at': run.started_at, 'f.sync_run_id': run.id }),
    filters,
  );
  if (afterIndex !== undefined) query.where('f.index', '>', afterIndex);
  return { query, order: 'f.index' };
}

/** A run's records in the run's order (index), keyset-paginated after `afterIndex`. */
export async function listRunRecords(knex: Knex, run: RunKey, filters: RunRecordFilters, limit: number, afterIndex?: number): Promise<RunRecordRow[]> {
  const { query, order } = runRecordsQuery(knex, run, filters, RUN_RECORD_COLUMNS, afterIndex);
  return query.orderBy(order).limit(limit + 1);
}

/** How many of a run's records match; `cap` bounds the rows counted (a count above it says "more than"). */
export async function countRunRecords(knex: Knex, run: RunKey, filters: RunRecordFilters, cap: number): Promise<number> {
  const { query } = runRecordsQuery(knex, run, filters, [knex.raw('1 AS one')]);
  const [row] = await knex.from(query.limit(cap + 1).as('matching')).count<{ count: string }[]>('* as count');
  return Number(row!.count);
}

/** One record of a run, whole (the record page). */
export interface FullRecordRow extends RunRecordRow {
  started_at: Date;
  employee: Record<string, unknown> | null;
  messages: unknown[] | null;
  raw: unknown;
}

export async function findRunRecord(knex: Knex, run: RunKey, index: number): Promise<FullRecordRow | undefined> {
  return knex('feed_records as f')
    .select(...RUN_RECORD_COLUMNS, 'f.employee', 'f.messages', 'f.raw')
    .where({ 'f.org_id': run.org_id, 'f.started_at': run.started_at, 'f.sync_run_id': run.id, 'f.index': index })
    .first();
}

/** The errors of one record, oldest first. */
export async function errorsOfRecord(knex: Knex, record: Pick<RecordRow, 'org_id' | 'started_at' | 'sync_run_id' | 'index'>): Promise<StoredError[]> {
  return errorsOfRecords(knex, [record]);
}

/**
 * The same employee's record just before this one in time (by external ID in
 * the same integration: the run start, then run and position, as the lists
 * order them), through feed_records_by_employee.
 */
export async function previousRecordOf(
  knex: Knex,
  record: Pick<FullRecordRow, 'org_id' | 'integration_id' | 'external_id' | 'started_at' | 'sync_run_id' | 'index'>,
): Promise<{ sync_run_id: number; index: number; started_at: Date; run_id: string; employee: Record<string, unknown> | null } | undefined> {
  if (record.external_id === null) return undefined;
  return knex('feed_records as f')
    .join('sync_runs as r', (join) => join.on('r.org_id', 'f.org_id').andOn('r.id', 'f.sync_run_id'))
    .select('f.sync_run_id', 'f.index', 'f.started_at', 'r.run_id', 'f.employee')
    .where({ 'f.org_id': record.org_id, 'f.integration_id': record.integration_id })
    .whereRaw(`left(f.external_id, ${INDEXED_PREFIX}) = left(?, ${INDEXED_PREFIX})`, [record.external_id])
    .where('f.external_id', record.external_id)
    .where('f.started_at', '<=', record.started_at)
    .whereRaw('(f.started_at, f.sync_run_id, f.index) < (?::timestamptz, ?, ?)', [record.started_at.toISOString(), record.sync_run_id, record.index])
    .orderBy([
      { column: 'f.started_at', order: 'desc' },
      { column: 'f.sync_run_id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .first();
}

/** The source and target systems of integrations (guidance names them). */
export async function systemsOfIntegrations(
  knex: Knex,
  integrations: { org_id: number; integration_id: number }[],
): Promise<{ id: number; source_system: string | null; target_system: string | null }[]> {
  if (integrations.length === 0) return [];
  return knex('integrations')
    .select('id', 'source_system', 'target_system')
    .whereIn(
      ['org_id', 'id'],
      integrations.map((i) => [i.org_id, i.integration_id]),
    );
}
