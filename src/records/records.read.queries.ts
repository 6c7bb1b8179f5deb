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

/** Across runs, `q` reads the matching employees' own records when at most this many employees of an organisation match. */
export const FEW_MATCHING_EMPLOYEES = 200;
/** Up to this many, a walk of an organisation's newest records keeps those of a matching employee by a hashed list of them. */
export const LISTED_MATCHING_EMPLOYEES = 2_000;

/**
 * Feed-log records, newest first (run start, run, position), keyset-paginated.
 * Each organisation's records are read in order, newest first, at most a page
 * of them (feed_records_by_org_start, or the primary key (org_id, started_at,
 * sync_run_id, index) backwards once the table is partitioned), and the pages
 * are merged: a page never sorts every record of an organisation, and
 * support's every organisation is one short index walk each (unnest of the
 * organisations, CROSS JOIN LATERAL (... ORDER BY ... LIMIT n)). An
 * integration or run filter reads its own organisation only. The run's
 * engine id is joined after the limit.
 *
 * `q` across runs first finds the matching employees (employee_summaries and
 * its trigram index, see whereMatches); an organisation with at most
 * FEW_MATCHING_EMPLOYEES of them reads each one's newest records
 * (feed_records_by_employee) and merges those; one with more walks its newest
 * records and keeps those of a matching employee, which then come often:
 * checked against the list of them (a hashed `= ANY`) up to
 * LISTED_MATCHING_EMPLOYEES, else against each record's employee summary.
 */
export async function listRecords(knex: Knex, orgIds: number[], filters: RecordFilters, limit: number, after?: [string, number, number]): Promise<RecordRow[]> {
  const words = filters.q && filters.run === undefined ? searchWords(filters.q) : [];
  if (words.length === 0) {
    if (drivenByRuns(filters)) return recordsByRun(knex, orgsOf(knex, orgIds, filters), filters, limit, after);
    return mergedRecords(knex, orgsOf(knex, orgIds, filters), filters, limit, after);
  }
  const matching = await matchingEmployees(knex, orgIds, filters, words);
  const perOrg = new Map<number, { integration_id: number; external_id: string }[]>();
  for (const row of matching) perOrg.set(Number(row.org_id), [...(perOrg.get(Number(row.org_id)) ?? []), row]);
  const orgsWith = (fits: (count: number) => boolean) => [...perOrg].filter(([, employees]) => fits(employees.length)).map(([orgId]) => orgId);
  const listed = orgsWith((count) => count > FEW_MATCHING_EMPLOYEES && count <= LISTED_MATCHING_EMPLOYEES);
  const checked = orgsWith((count) => count > LISTED_MATCHING_EMPLOYEES);
  const few = matching.filter((row) => !listed.includes(Number(row.org_id)) && !checked.includes(Number(row.org_id)));
  const parts: Knex.QueryBuilder[] = [];
  const walk = { ...filters, q: undefined };
  if (listed.length > 0) {
    const keys = listed.flatMap((orgId) => perOrg.get(orgId)!.map((row) => employeeKey(row.integration_id, row.external_id)));
    parts.push(mergedRecords(knex, orgsOf(knex, listed, filters), walk, limit, after, { employeeKeys: keys }));
  }
  if (checked.length > 0) parts.push(mergedRecords(knex, orgsOf(knex, checked, filters), walk, limit, after, { words }));
  if (few.length > 0) {
    const employees = knex.raw('unnest(?::bigint[], ?::bigint[], ?::text[]) AS o(id, integration_id, external_id)', [
      few.map((row) => row.org_id),
      few.map((row) => row.integration_id),
      few.map((row) => row.external_id),
    ]);
    parts.push(mergedRecords(knex, employees, walk, limit, after, undefined, true));
  }
  if (parts.length === 0) return [];
  if (parts.length === 1) return parts[0]!;
  return knex
    .from(
      knex
        .unionAll(
          parts.map((part) => knex.select('*').from(part.as('part'))),
          true,
        )
        .as('x'),
    )
    .select('*')
    .orderBy([
      { column: 'x.started_at', order: 'desc' },
      { column: 'x.sync_run_id', order: 'desc' },
      { column: 'x.index', order: 'desc' },
    ])
    .limit(limit + 1);
}

/** The caller's organisations as `o(id)`; with an integration or run filter only the one that holds it. */
function orgsOf(knex: Knex, orgIds: number[], filters: RecordFilters): Knex.Raw {
  if (filters.integration !== undefined)
    return knex.raw('(SELECT o.id FROM unnest(?::bigint[]) AS o(id) WHERE EXISTS (SELECT 1 FROM integrations i WHERE i.org_id = o.id AND i.id = ?)) AS o', [
      orgIds,
      filters.integration,
    ]);
  if (filters.run !== undefined)
    return knex.raw('(SELECT o.id FROM unnest(?::bigint[]) AS o(id) WHERE EXISTS (SELECT 1 FROM sync_runs r WHERE r.org_id = o.id AND r.id = ?)) AS o', [
      orgIds,
      filters.run,
    ]);
  return knex.raw('unnest(?::bigint[]) AS o(id)', [orgIds]);
}

/**
 * The newest records of each row of `outer` (an organisation `o(id)`, or with
 * `byEmployee` an employee `o(id, integration_id, external_id)`), at most a
 * page each, merged newest first. `walkFor` keeps the records of the
 * employees matching those words, checked per record (a subquery that
 * PostgreSQL keeps as one, so the walk stays in the index's order).
 */
function mergedRecords(
  knex: Knex,
  outer: Knex.Raw,
  filters: RecordFilters,
  limit: number,
  after: [string, number, number] | undefined,
  walkFor?: { words: string[] } | { employeeKeys: string[] },
  byEmployee = false,
): Knex.QueryBuilder {
  const perOrg = knex('feed_records as f')
    .select(RECORD_COLUMNS.map((column) => `f.${column}`))
    .where('f.org_id', knex.ref('o.id'))
    .orderBy([
      { column: 'f.started_at', order: 'desc' },
      { column: 'f.sync_run_id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .limit(limit + 1);
  if (byEmployee) {
    perOrg
      .where('f.integration_id', knex.ref('o.integration_id'))
      .whereRaw(`left(f.external_id, ${INDEXED_PREFIX}) = left(o.external_id, ${INDEXED_PREFIX})`)
      .where('f.external_id', knex.ref('o.external_id'));
  }
  if (filters.run !== undefined) {
    perOrg.where('f.sync_run_id', filters.run);
    // The run's start: the partition that holds it, and the second column of the
    // primary key (org_id, started_at, sync_run_id, index) once partitioned. Not
    // with an outcome: feed_records_by_run_outcome (org_id, sync_run_id, outcome,
    // index) serves that, and PostgreSQL, which cannot tell that a run's records
    // share its start, would count the two equalities as independent and walk
    // the run instead.
    if (!filters.outcome) perOrg.whereRaw('f.started_at = (SELECT r.started_at FROM sync_runs r WHERE r.org_id = o.id AND r.id = ?)', [filters.run]);
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
  if (filters.q && filters.run !== undefined) whereRunRecordMatches(perOrg, filters.q);
  if (walkFor && 'employeeKeys' in walkFor) {
    // A constant list: PostgreSQL hashes it once, and each record is checked without reading anything more.
    perOrg.whereRaw(`${EMPLOYEE_KEY_SQL} = ANY(?::text[])`, [walkFor.employeeKeys]);
  } else if (walkFor) {
    const matches = knex('employee_summaries as s')
      .select(knex.raw('true'))
      .whereRaw(`s.org_id = f.org_id AND s.integration_id = f.integration_id AND s.external_key = md5(f.external_id) AND s.external_id = f.external_id`)
      .limit(1);
    for (const word of walkFor.words) matches.whereRaw('s.search_key LIKE ?', [`%${escapeLike(word)}%`]);
    // A scalar subquery with a LIMIT stays a per-row check: as EXISTS it could become a join that reads every match's records and sorts them.
    perOrg.whereRaw('(?) IS NOT NULL', [matches]);
  }
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
  // One run's records all share its start: the primary key serves them in
  // order, which PostgreSQL sees only when told the order is by index.
  if (filters.run !== undefined) {
    perOrg.clearOrder().orderBy('f.index', 'desc');
    if (after && after[1] === filters.run) perOrg.where('f.index', '<', after[2]);
  }
  return knex
    .select(...RECORD_COLUMNS.map((column) => `x.${column}`), 'r.run_id')
    .from(outer)
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
 * Records with an error of a code, severity or field, or failed or warned,
 * across runs: rare among an organisation's records, so walking its newest
 * records and looking each up in errors read thousands of index entries per
 * page. Instead each organisation's runs are walked newest first
 * (sync_runs_by_org_start or sync_runs_by_start), and of each run the
 * matching records in the run's order: its errors (errors_by_record, as many
 * as the run has) or its failed or warned records (feed_records_by_run_outcome),
 * each record then fetched by its key. The runs come in the list's order, so
 * only the records within one run are sorted (an incremental sort), and the
 * walk stops at a page. With a code, severity or field, it walks only the
 * runs within the matching error groups' sightings.
 */
const drivenByRuns = (filters: RecordFilters) =>
  filters.run === undefined &&
  !filters.external_id &&
  !filters.email &&
  (filters.code !== undefined ||
    filters.severity !== undefined ||
    filters.field !== undefined ||
    (filters.outcome !== undefined && filters.outcome !== 'succeeded'));

function recordsByRun(knex: Knex, outer: Knex.Raw, filters: RecordFilters, limit: number, after: [string, number, number] | undefined): Knex.QueryBuilder {
  const perOrg = knex('sync_runs as r')
    .select([...RECORD_COLUMNS.map((column) => `f.${column}`), 'r.run_id'])
    .where('r.org_id', knex.ref('o.id'))
    .orderBy([
      { column: 'r.started_at', order: 'desc' },
      { column: 'r.id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .limit(limit + 1);
  if (filters.integration !== undefined) perOrg.where('r.integration_id', filters.integration);
  if (filters.from) perOrg.where('r.started_at', '>=', filters.from);
  if (filters.to) perOrg.where('r.started_at', '<', filters.to);
  if (after) perOrg.whereRaw('(r.started_at, r.id) <= (?::timestamptz, ?)', [after[0], after[1]]);
  const record = knex('feed_records as f')
    .select(RECORD_COLUMNS.map((column) => `f.${column}`))
    // The run's start too: the record's partition once partitioned, and the primary key's second column there.
    .whereRaw('f.org_id = r.org_id AND f.started_at = r.started_at AND f.sync_run_id = r.id')
    // One record by its key; the LIMIT keeps it a lookup per run and index (a join PostgreSQL could turn into a scan of every record).
    .limit(1);
  if (filters.code || filters.severity || filters.field) {
    // Only the runs between the first and last sighting of a matching error group (every error is in one, and
    // groups outlive their errors): none when no group matches, instead of a walk of every run to find nothing.
    const sightings = (column: string, aggregate: 'min' | 'max') => {
      const groups = knex('error_groups as g')
        .select(knex.raw(`${aggregate}(g.${column})`))
        .where('g.org_id', knex.ref('o.id'));
      if (filters.integration !== undefined) groups.where('g.integration_id', filters.integration);
      if (filters.code) groups.where('g.code', filters.code);
      if (filters.severity) groups.where('g.severity', filters.severity);
      if (filters.field) groups.where('g.field', filters.field);
      return groups;
    };
    perOrg.where('r.started_at', '<=', sightings('last_seen_started_at', 'max')).where('r.started_at', '>=', sightings('first_seen_started_at', 'min'));
    const errored = knex('errors as e').distinct('e.record_index').whereRaw('e.org_id = r.org_id AND e.sync_run_id = r.id').whereNotNull('e.record_index');
    if (filters.code) errored.where('e.code', filters.code);
    if (filters.severity) errored.where('e.severity', filters.severity);
    if (filters.field) errored.where('e.field', filters.field);
    perOrg.joinRaw('CROSS JOIN LATERAL ? AS m', [errored] as unknown as Knex.Value[]);
    record.whereRaw('f.index = m.record_index');
  }
  if (filters.outcome) {
    if (filters.code || filters.severity || filters.field) record.where('f.outcome', filters.outcome);
    else {
      // The run's failed or warned records, from feed_records_by_run_outcome.
      const outcome = knex('feed_records as fo')
        .select('fo.index as record_index')
        .whereRaw('fo.org_id = r.org_id AND fo.sync_run_id = r.id')
        .where('fo.outcome', filters.outcome)
        .orderBy('fo.index', 'desc');
      perOrg.joinRaw('CROSS JOIN LATERAL ? AS m', [outcome] as unknown as Knex.Value[]);
      record.whereRaw('f.index = m.record_index');
    }
  }
  perOrg.joinRaw('CROSS JOIN LATERAL ? AS f', [record] as unknown as Knex.Value[]);
  if (after) perOrg.whereRaw('(r.started_at, r.id, f.index) < (?::timestamptz, ?, ?)', after);
  return knex
    .select(...RECORD_COLUMNS.map((column) => `x.${column}`), 'x.run_id')
    .from(outer)
    .joinRaw('CROSS JOIN LATERAL ? AS x', [perOrg] as unknown as Knex.Value[])
    .orderBy([
      { column: 'x.started_at', order: 'desc' },
      { column: 'x.sync_run_id', order: 'desc' },
      { column: 'x.index', order: 'desc' },
    ])
    .limit(limit + 1);
}

/** `q` within one run: the record's own name, email or external ID contains it (case-insensitive), a scan of that run only. */
function whereRunRecordMatches(perOrg: Knex.QueryBuilder, q: string) {
  const pattern = `%${escapeLike(q.trim())}%`;
  perOrg.where((match) =>
    match
      .whereRaw("(coalesce(f.first_name, '') || ' ' || coalesce(f.last_name, '')) ILIKE ?", [pattern])
      .orWhere('f.email', 'ilike', pattern)
      .orWhere('f.external_id', 'ilike', pattern),
  );
}

/** One employee of one integration as one text, in SQL over a record `f` and in JavaScript alike. */
const EMPLOYEE_KEY_SQL = "(f.integration_id::text || ' ' || f.external_id)";
const employeeKey = (integrationId: number, externalId: string) => `${integrationId} ${externalId}`;

/**
 * `q` across runs: the employees whose name, email or external ID as last
 * sent contains every word (accents ignored), through employee_summaries and
 * its trigram index (matching text in every record ever stored was a scan of
 * them all); at most LISTED_MATCHING_EMPLOYEES + 1 per organisation, which is
 * all listRecords needs to choose how to read each.
 */
async function matchingEmployees(
  knex: Knex,
  orgIds: number[],
  filters: RecordFilters,
  words: string[],
): Promise<{ org_id: number; integration_id: number; external_id: string }[]> {
  const perOrg = knex('employee_summaries as s')
    .select('s.org_id', 's.integration_id', 's.external_id')
    .where('s.org_id', knex.ref('o.id'))
    .limit(LISTED_MATCHING_EMPLOYEES + 1);
  for (const word of words) perOrg.whereRaw('s.search_key LIKE ?', [`%${escapeLike(word)}%`]);
  if (filters.integration !== undefined) perOrg.where('s.integration_id', filters.integration);
  return knex
    .select('m.org_id', 'm.integration_id', 'm.external_id')
    .from(orgsOf(knex, orgIds, filters))
    .joinRaw('CROSS JOIN LATERAL ? AS m', [perOrg] as unknown as Knex.Value[]);
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
