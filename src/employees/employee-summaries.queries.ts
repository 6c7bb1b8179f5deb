import type { Knex } from 'knex';
import { copyLine, stageRows } from '../db/copy.js';
import { INDEXED_PREFIX, md5Keys } from '../db/long-values.js';
import { type EmployeeState, type RunEmployee, SENT_FIELDS } from './employee-summary.js';

// What a run says of each employee, staged by COPY for the upsert to read.
const STAGED_COLUMNS = `external_id text, first_name text, last_name text, email text, job_title text, department text,
  branch text, last_index integer, last_action text, last_outcome text, applied_index integer, active boolean, any_applied boolean,
  errored boolean, search_key text, sort_key text`;

// The incoming run is newer than the row's newest record: (started_at, run) orders records across runs.
const NEWER = '(EXCLUDED.last_started_at, EXCLUDED.last_sync_run_id) > (s.last_started_at, s.last_sync_run_id)';
// Its newest applied record is newer than the row's.
const APPLIED_NEWER =
  'EXCLUDED.applied_started_at IS NOT NULL AND (s.applied_started_at IS NULL OR (EXCLUDED.applied_started_at, EXCLUDED.applied_sync_run_id) > (s.applied_started_at, s.applied_sync_run_id))';
const SETTER_NEWER =
  'EXCLUDED.active_started_at IS NOT NULL AND (s.active_started_at IS NULL OR (EXCLUDED.active_started_at, EXCLUDED.active_sync_run_id) > (s.active_started_at, s.active_sync_run_id))';

const LATEST_COLUMNS = [...SENT_FIELDS, 'search_key', 'sort_key', 'last_started_at', 'last_sync_run_id', 'last_index', 'last_action', 'last_outcome'];
const latest = (column: string) => `${column} = CASE WHEN ${NEWER} THEN EXCLUDED.${column} ELSE s.${column} END`;
const when = (condition: string, column: string) => `${column} = CASE WHEN ${condition} THEN EXCLUDED.${column} ELSE s.${column} END`;

// Open errors of severity error on one employee (an employee is a member of a group at most once).
const openErrorsOf = (id: string) => `(
  SELECT count(*)::int FROM error_group_members m JOIN error_groups g ON g.org_id = m.org_id AND g.id = m.group_id
  WHERE m.org_id = :orgId AND m.integration_id = :integrationId AND m.open AND m.external_key = md5(${id}) AND m.external_id = ${id}
    AND g.severity = 'error')`;

/**
 * The failure streak's start (the first record after the newest applied one):
 * - a newer run whose last record for them failed continues a streak the row
 *   had, unless it applied one of theirs first; one whose last record was
 *   applied ends it;
 * - a late run (older than the row's newest record) that applied a record
 *   newer than the row's newest applied one moves the streak's start after it:
 *   to itself if it failed them afterwards, else to the first later record
 *   stored (read from feed_records: late runs are rare, and only the records
 *   after it are read); one whose records fall inside the streak can only make
 *   it start earlier.
 */
const FAILING_SINCE = `failing_since = CASE
  WHEN ${NEWER} THEN CASE
    WHEN EXCLUDED.last_outcome <> 'failed' THEN NULL
    WHEN EXCLUDED.applied_started_at IS NULL THEN coalesce(s.failing_since, EXCLUDED.failing_since)
    ELSE EXCLUDED.failing_since END
  WHEN ${APPLIED_NEWER} THEN CASE
    WHEN EXCLUDED.last_outcome = 'failed' THEN EXCLUDED.failing_since
    ELSE (SELECT min(r.started_at) FROM feed_records r
          WHERE r.org_id = :orgId AND r.integration_id = :integrationId
            AND left(r.external_id, ${INDEXED_PREFIX}) = left(EXCLUDED.external_id, ${INDEXED_PREFIX}) AND r.external_id = EXCLUDED.external_id
            AND r.started_at >= EXCLUDED.last_started_at
            AND (r.started_at, r.sync_run_id) > (EXCLUDED.last_started_at, EXCLUDED.last_sync_run_id)) END
  WHEN s.applied_started_at IS NULL OR (EXCLUDED.last_started_at, EXCLUDED.last_sync_run_id) > (s.applied_started_at, s.applied_sync_run_id)
    THEN least(s.failing_since, EXCLUDED.last_started_at)
  ELSE s.failing_since END`;

/**
 * Folds a stored run into the employee summaries, inside the ingest
 * transaction, after its records and error groups are written (the open
 * errors are counted from the groups' members as the run left them). A row
 * whose newest record is newer than the run keeps its values: a late run adds
 * only what it knows (first seen, a newer applied record, a longer failure
 * streak). Open errors are counted again for the employees the run gave an
 * error, and for those that had some (the run may have cleared them); they
 * change in no other way. Returns how many employees were new.
 */
export async function saveEmployeeSummaries(
  trx: Knex.Transaction,
  run: { orgId: number; integrationId: number; syncRunId: number; startedAt: Date },
  employees: RunEmployee[],
): Promise<number> {
  if (employees.length === 0) return 0;
  const lines = function* () {
    for (const e of employees) {
      yield copyLine([
        e.external_id,
        e.first_name,
        e.last_name,
        e.email,
        e.job_title,
        e.department,
        e.branch,
        e.last_index,
        e.last_action,
        e.last_outcome,
        e.applied_index,
        e.active,
        e.any_applied,
        e.errored,
        e.search_key,
        e.sort_key,
      ]);
    }
  };
  await stageRows(trx, 'ingest_employee_summaries', STAGED_COLUMNS, lines());
  const result = await trx.raw<{ rows: { inserted: number }[] }>(
    `WITH upserted AS (INSERT INTO employee_summaries AS s (org_id, integration_id, external_id, first_name, last_name, email, job_title, department, branch,
       last_started_at, last_sync_run_id, last_index, last_action, last_outcome, first_seen_started_at, first_seen_sync_run_id,
       applied_started_at, applied_sync_run_id, applied_index, active, active_started_at, active_sync_run_id, failing_since, open_errors,
       search_key, sort_key)
     SELECT :orgId, :integrationId, x.external_id, x.first_name, x.last_name, x.email, x.job_title, x.department, x.branch,
       :startedAt, :syncRunId, x.last_index, x.last_action, x.last_outcome, :startedAt, :syncRunId,
       CASE WHEN x.applied_index IS NOT NULL THEN :startedAt::timestamptz END, CASE WHEN x.applied_index IS NOT NULL THEN :syncRunId::bigint END, x.applied_index,
       CASE WHEN x.active IS NOT NULL THEN x.active WHEN x.any_applied THEN true END,
       CASE WHEN x.active IS NOT NULL THEN :startedAt::timestamptz END, CASE WHEN x.active IS NOT NULL THEN :syncRunId::bigint END,
       CASE WHEN x.last_outcome = 'failed' THEN :startedAt::timestamptz END,
       CASE WHEN x.errored THEN ${openErrorsOf('x.external_id')} ELSE 0 END,
       x.search_key, x.sort_key
     FROM ingest_employee_summaries AS x
     ON CONFLICT (org_id, integration_id, external_key) DO UPDATE SET
       ${LATEST_COLUMNS.map(latest).join(',\n         ')},
       ${FAILING_SINCE},
       first_seen_started_at = least(s.first_seen_started_at, EXCLUDED.first_seen_started_at),
       ${when(
         '(EXCLUDED.first_seen_started_at, EXCLUDED.first_seen_sync_run_id) < (s.first_seen_started_at, s.first_seen_sync_run_id)',
         'first_seen_sync_run_id',
       )},
       ${['applied_started_at', 'applied_sync_run_id', 'applied_index'].map((column) => when(APPLIED_NEWER, column)).join(', ')},
       active = CASE WHEN ${SETTER_NEWER} THEN EXCLUDED.active ELSE coalesce(s.active, EXCLUDED.active) END,
       ${['active_started_at', 'active_sync_run_id'].map((column) => when(SETTER_NEWER, column)).join(', ')},
       open_errors = CASE WHEN s.open_errors > 0 AND EXCLUDED.open_errors = 0 THEN ${openErrorsOf('EXCLUDED.external_id')} ELSE EXCLUDED.open_errors END
     WHERE s.external_id = EXCLUDED.external_id
     RETURNING xmax = 0 AS inserted)
     SELECT count(*) FILTER (WHERE inserted)::int AS inserted FROM upserted`,
    run,
  );
  return result.rows[0]?.inserted ?? 0;
}

export interface EmployeeSummaryRow {
  org_id: number;
  org_slug: string;
  org_name: string;
  integration_id: number;
  integration_name: string;
  source_system: string | null;
  target_system: string | null;
  external_id: string;
  external_key: string;
  id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  job_title: string | null;
  department: string | null;
  branch: string | null;
  last_started_at: Date;
  last_sync_run_id: number;
  last_index: number;
  last_action: string;
  last_outcome: string;
  first_seen_started_at: Date;
  applied_started_at: Date | null;
  applied_sync_run_id: number | null;
  applied_index: number | null;
  active: boolean | null;
  failing_since: Date | null;
  open_errors: number;
  state: EmployeeState;
  sort_key: string;
  /** The engine's ids of the runs of the newest and newest applied records (the employee page reads them). */
  last_run_id?: string;
  applied_run_id?: string | null;
}

const SUMMARY_COLUMNS = [
  's.org_id',
  'o.slug as org_slug',
  'o.name as org_name',
  's.integration_id',
  'i.name as integration_name',
  'i.source_system',
  'i.target_system',
  's.external_id',
  's.external_key',
  's.id',
  's.first_name',
  's.last_name',
  's.email',
  's.job_title',
  's.department',
  's.branch',
  's.last_started_at',
  's.last_sync_run_id',
  's.last_index',
  's.last_action',
  's.last_outcome',
  's.first_seen_started_at',
  's.applied_started_at',
  's.applied_sync_run_id',
  's.applied_index',
  's.active',
  's.failing_since',
  's.open_errors',
  's.state',
  's.sort_key',
];

function summariesOf(knex: Knex, orgIds: number[], from: string | Knex.QueryBuilder = 'employee_summaries as s') {
  const base = typeof from === 'string' ? knex(from) : from;
  return base
    .join('integrations as i', (join) => join.on('i.org_id', 's.org_id').andOn('i.id', 's.integration_id'))
    .join('organisations as o', 'o.id', 's.org_id')
    .select(SUMMARY_COLUMNS)
    .whereRaw('s.org_id = ANY(?::bigint[])', [orgIds]);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Each word (normalised: searchWords) is contained in the search key: served by the trigram index where the server has pg_trgm. */
function containsEvery(query: Knex.QueryBuilder, words: string[]) {
  for (const word of words) query.whereRaw('s.search_key LIKE ?', [`%${escapeLike(word)}%`]);
}

/** The employees whose name, email or external ID contain every word, most recently seen first; `limit` + 1 rows. */
export async function searchEmployeeSummaries(knex: Knex, orgIds: number[], words: string[], limit: number): Promise<EmployeeSummaryRow[]> {
  if (words.length === 0) return [];
  const query = summariesOf(knex, orgIds)
    .orderBy([{ column: 's.last_started_at', order: 'desc' }, { column: 's.org_id' }, { column: 's.integration_id' }, { column: 's.id' }])
    .limit(limit + 1);
  containsEvery(query, words);
  return query;
}

export interface SummaryFilters {
  integration?: number;
  state?: EmployeeState;
  words?: string[];
}

/** The list's keyset: (organisation, integration, sort key, id). */
export type SummaryKey = [number, number, string, number];

/**
 * Mapped employees, by organisation, integration and name, keyset-paginated:
 * read from employee_summaries_list, or employee_summaries_by_state when a
 * state is asked for, in the index's order.
 */
/** Words the trigram index can serve: three characters or more (a shorter one has no trigram). */
const TRIGRAM_WORD = 3;

export async function listEmployeeSummaries(
  knex: Knex,
  orgIds: number[],
  filters: SummaryFilters,
  limit: number,
  after?: SummaryKey,
): Promise<EmployeeSummaryRow[]> {
  const words = filters.words ?? [];
  // With a word of three characters or more, the matches come from the
  // trigram index first (a materialized CTE), then are sorted: left to itself,
  // PostgreSQL walked the list index in order and filtered every row on the
  // pattern, which read 28,000 employees for 51 matches of "hadda" on the
  // dashboard benchmark's million records. A query of only shorter words
  // matches nearly everyone: the ordered walk is then the fast plan.
  const selective = words.some((word) => [...word].length >= TRIGRAM_WORD);
  let from: string | Knex.QueryBuilder = 'employee_summaries as s';
  if (selective) {
    from = knex
      .withMaterialized('matches', (matches) => {
        matches.select('*').from('employee_summaries as s').whereRaw('s.org_id = ANY(?::bigint[])', [orgIds]);
        if (filters.integration !== undefined) matches.where('s.integration_id', filters.integration);
        containsEvery(matches, words);
      })
      .from('matches as s');
  }
  const query = summariesOf(knex, orgIds, from)
    .orderBy([{ column: 's.org_id' }, { column: 's.integration_id' }, { column: 's.sort_key' }, { column: 's.id' }])
    .limit(limit + 1);
  if (filters.integration !== undefined) query.where('s.integration_id', filters.integration);
  if (filters.state) query.where('s.state', filters.state);
  if (!selective) containsEvery(query, words);
  if (after) query.whereRaw('(s.org_id, s.integration_id, s.sort_key, s.id) > (?, ?, ?, ?)', after);
  return query;
}

/** How many employees of one integration are in each state (an index-only count over employee_summaries_by_state). */
export async function countStates(knex: Knex, orgIds: number[], integrationId: number): Promise<Partial<Record<EmployeeState, number>>> {
  const rows: { state: EmployeeState; count: number }[] = await knex('employee_summaries')
    .select('state', knex.raw('count(*)::int AS count'))
    .whereRaw('org_id = ANY(?::bigint[])', [orgIds])
    .where('integration_id', integrationId)
    .groupBy('state');
  return Object.fromEntries(rows.map((row) => [row.state, row.count]));
}

/**
 * One external ID's summaries in the given integrations (those the caller may
 * read), one primary-key look-up per integration: a lateral subquery with a
 * LIMIT, which PostgreSQL cannot flatten into the join. Flattened (or with the
 * organisations and integrations as two arrays), PostgreSQL 15 without
 * statistics looked the key up by organisation alone, or through
 * employee_summaries_by_state, and read every employee of the organisation.
 */
export async function summariesOfEmployee(
  knex: Knex,
  orgIds: number[],
  integrations: { org_id: number; id: number }[],
  externalId: string,
): Promise<EmployeeSummaryRow[]> {
  if (integrations.length === 0) return [];
  return knex
    .from(knex.raw('unnest(?::bigint[], ?::bigint[]) AS k(org_id, integration_id)', [integrations.map((i) => i.org_id), integrations.map((i) => i.id)]))
    .joinRaw(
      `CROSS JOIN LATERAL (SELECT * FROM employee_summaries e
         WHERE e.org_id = k.org_id AND e.integration_id = k.integration_id AND e.external_key = md5(?) AND e.external_id = ? LIMIT 1) AS s`,
      [externalId, externalId],
    )
    .join('integrations as i', (join) => join.on('i.org_id', 's.org_id').andOn('i.id', 's.integration_id'))
    .join('organisations as o', 'o.id', 's.org_id')
    .leftJoin('sync_runs as lr', (join) => join.on('lr.org_id', 's.org_id').andOn('lr.id', 's.last_sync_run_id'))
    .leftJoin('sync_runs as ar', (join) => join.on('ar.org_id', 's.org_id').andOn('ar.id', 's.applied_sync_run_id'))
    .select([...SUMMARY_COLUMNS, 'lr.run_id as last_run_id', 'ar.run_id as applied_run_id'])
    .whereRaw('s.org_id = ANY(?::bigint[])', [orgIds])
    .orderBy([{ column: 's.last_started_at', order: 'desc' }, { column: 's.integration_id' }]);
}

/**
 * Counts the open errors of these employees again, from the groups' members: after a
 * late run's re-check changed the errors of their later records. The rows are found by
 * their primary key (LATERAL, OFFSET 0) and updated by row address: with `= ANY(...)`,
 * PostgreSQL without statistics read every employee of the integration to update a few.
 */
export async function recountOpenErrors(trx: Knex.Transaction, run: { orgId: number; integrationId: number }, externalIds: string[]): Promise<void> {
  if (externalIds.length === 0) return;
  await trx.raw(
    `UPDATE employee_summaries s SET open_errors = ${openErrorsOf('s.external_id')}
     WHERE s.ctid = ANY(ARRAY(
       SELECT e.address FROM unnest(:externalKeys::text[], :externalIds::text[]) AS w(external_key, external_id)
       CROSS JOIN LATERAL (
         SELECT x.ctid AS address FROM employee_summaries x
         WHERE x.org_id = :orgId AND x.integration_id = :integrationId AND x.external_key = w.external_key AND x.external_id = w.external_id
         OFFSET 0
       ) AS e))`,
    { ...run, externalKeys: md5Keys(externalIds), externalIds },
  );
}
