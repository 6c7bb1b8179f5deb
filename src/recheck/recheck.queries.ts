import type { Knex } from 'knex';
import { APPLIED_OUTCOMES } from '../classify/feed-enums.js';
import type { Catalog, ClassifiedError, FeedRecord, FormField } from '../classify/types.js';
import { INDEXED_PREFIX, indexedPrefixes } from '../db/long-values.js';
import type { RunPosition } from '../employees/employee-versions.queries.js';
import type { LaterAppliedRecord } from './replay.js';

interface Scope {
  orgId: number;
  integrationId: number;
}

/**
 * The records of each of these IDs (or email prefixes), one index seek each: a LATERAL
 * subquery per value, kept apart by OFFSET 0. With `= ANY(...)` instead, PostgreSQL
 * without statistics (which takes an integration's rows for a handful) read every
 * record of the integration from the place on and filtered them by ID.
 */
const perId = (columns: string, where: string) => `
  SELECT ${columns} FROM unnest(:externalIds::text[]) AS x(external_id)
  CROSS JOIN LATERAL (
    SELECT ${columns} FROM feed_records r
    WHERE r.org_id = :orgId AND r.integration_id = :integrationId
      AND left(r.external_id, ${INDEXED_PREFIX}) = left(x.external_id, ${INDEXED_PREFIX}) AND r.external_id = x.external_id AND ${where}
    OFFSET 0
  ) AS r`;

/**
 * The applied records of these IDs after a place in run order, in run order per ID:
 * through feed_records_by_employee, so the cost is those employees' later records.
 */
export async function appliedRecordsAfter(knex: Knex, scope: Scope, after: RunPosition, externalIds: string[]): Promise<LaterAppliedRecord[]> {
  if (externalIds.length === 0) return [];
  const { rows } = await knex.raw<{ rows: Array<Omit<LaterAppliedRecord, 'startedAt' | 'syncRunId'> & { started_at: Date; sync_run_id: string }> }>(
    `${perId(
      'r.external_id, r.index, r.action, r.first_name, r.last_name, r.email, r.started_at, r.sync_run_id',
      'r.started_at >= :startedAt AND (r.started_at, r.sync_run_id) > (:startedAt, :syncRunId) AND r.outcome = ANY(:applied::text[])',
    )}
     ORDER BY r.external_id, r.started_at, r.sync_run_id, r.index`,
    { ...scope, startedAt: after.startedAt, syncRunId: after.syncRunId, externalIds, applied: APPLIED_OUTCOMES },
  );
  return rows.map(({ started_at, sync_run_id, ...record }) => ({ ...record, startedAt: started_at, syncRunId: Number(sync_run_id) }));
}

/** A stored record as the classifier reads it, with where it is. */
export interface StoredRecord extends FeedRecord {
  syncRunId: number;
  startedAt: Date;
  index: number;
}

type StoredRecordRow = {
  sync_run_id: string;
  started_at: Date;
  index: number;
  external_id: string | null;
  action: FeedRecord['action'];
  outcome: FeedRecord['outcome'];
  employee: FeedRecord['employee'] | null;
  messages: FeedRecord['messages'] | null;
};

const RECORD_COLUMNS = 'r.sync_run_id, r.started_at, r.index, r.external_id, r.action, r.outcome, r.employee, r.messages';

function toStoredRecord(row: StoredRecordRow): StoredRecord {
  return {
    syncRunId: Number(row.sync_run_id),
    startedAt: row.started_at,
    index: row.index,
    external_id: row.external_id,
    action: row.action,
    outcome: row.outcome,
    employee: row.employee ?? {},
    messages: Array.isArray(row.messages) ? row.messages : [],
  };
}

/**
 * The records, after a place in run order (or of one run), whose external_id is one of
 * these or whose email key is (feedlog_email_key, which trims and lower-cases as emailKey
 * does). Through the two indexes, so the cost is those employees' and emails' records.
 */
export async function recordsOfEmployees(
  knex: Knex,
  scope: Scope,
  where: { after: RunPosition } | { run: RunPosition },
  externalIds: string[],
  emailKeys: string[],
): Promise<StoredRecord[]> {
  if (externalIds.length === 0 && emailKeys.length === 0) return [];
  const position = 'after' in where ? where.after : where.run;
  const inRange =
    'after' in where
      ? 'r.started_at >= :startedAt AND (r.started_at, r.sync_run_id) > (:startedAt, :syncRunId)'
      : 'r.started_at = :startedAt AND r.sync_run_id = :syncRunId';
  // Each email prefix seeks feed_records_by_email (org_id, left(feedlog_email_key(email), 200), integration_id, started_at).
  const { rows } = await knex.raw<{ rows: StoredRecordRow[] }>(
    `${perId(RECORD_COLUMNS, inRange)}
     UNION
     SELECT ${RECORD_COLUMNS} FROM unnest(:emailPrefixes::text[]) AS x(prefix)
     CROSS JOIN LATERAL (
       SELECT ${RECORD_COLUMNS} FROM feed_records r
       WHERE r.org_id = :orgId AND left(feedlog_email_key(r.email), ${INDEXED_PREFIX}) = x.prefix AND r.integration_id = :integrationId AND ${inRange}
       OFFSET 0
     ) AS r
     ORDER BY started_at, sync_run_id, index`,
    {
      ...scope,
      startedAt: position.startedAt,
      syncRunId: position.syncRunId,
      externalIds,
      emailPrefixes: indexedPrefixes(emailKeys),
    },
  );
  return rows.map(toStoredRecord);
}

/**
 * The failed and warning records of one run (the ones data checks read), in order,
 * through feed_records_by_run_outcome. Sorted here: asked for in index order,
 * PostgreSQL without statistics read the whole run off the primary key instead.
 */
export async function checkedRecordsOfRun(knex: Knex, orgId: number, run: RunPosition): Promise<StoredRecord[]> {
  const { rows } = await knex.raw<{ rows: StoredRecordRow[] }>(
    // Not told the run's start: with it, PostgreSQL may prefer the primary key
    // (org_id, started_at, sync_run_id, index) and filter every record of the run;
    // without it, one seek of the partial index per month's partition.
    `SELECT ${RECORD_COLUMNS} FROM feed_records r
     WHERE r.org_id = ? AND r.sync_run_id = ? AND r.outcome <> 'succeeded'`,
    [orgId, run.syncRunId],
  );
  return rows.map(toStoredRecord).sort((a, b) => a.index - b.index);
}

/** What a later run's classification needs of its header. */
export interface LaterRun extends RunPosition {
  runId: string;
  status: string;
  runError: string | null;
  catalog: Catalog | null;
  formFields: FormField[] | null;
}

const RUN_COLUMNS = `id, started_at, run_id, status, run_error,
  CASE WHEN jsonb_typeof(header->'catalog') = 'object' THEN header->'catalog' END AS catalog,
  CASE WHEN jsonb_typeof(header->'form_fields') = 'array' THEN header->'form_fields' END AS form_fields`;

type RunRow = {
  id: string;
  started_at: Date;
  run_id: string;
  status: string;
  run_error: string | null;
  catalog: Catalog | null;
  form_fields: FormField[] | null;
};

const toLaterRun = (row: RunRow): LaterRun => ({
  syncRunId: Number(row.id),
  startedAt: row.started_at,
  runId: row.run_id,
  status: row.status,
  runError: row.run_error,
  catalog: row.catalog,
  formFields: row.form_fields,
});

/** These runs of the integration, in run order. */
export async function runsByIds(knex: Knex, scope: Scope, syncRunIds: number[]): Promise<LaterRun[]> {
  if (syncRunIds.length === 0) return [];
  const { rows } = await knex.raw<{ rows: RunRow[] }>(
    `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE org_id = ? AND integration_id = ? AND id = ANY(?::bigint[]) ORDER BY started_at, id`,
    [scope.orgId, scope.integrationId, syncRunIds],
  );
  return rows.map(toLaterRun);
}

/**
 * The runs after a place in run order that took their catalog (or form fields) from the
 * runs before them: up to the first that sent its own (found in its partial index,
 * migration 2026-11-30-0111), whose start bounds the read of sync_runs_by_start.
 */
export async function runsRelyingOnKnowledgeAfter(knex: Knex, scope: Scope, after: RunPosition, key: 'catalog' | 'form_fields'): Promise<LaterRun[]> {
  const type = key === 'catalog' ? 'object' : 'array';
  const { rows } = await knex.raw<{ rows: RunRow[] }>(
    `WITH next_own AS (
       SELECT s.started_at, s.id FROM sync_runs s
       WHERE s.org_id = :orgId AND s.integration_id = :integrationId
         AND s.started_at >= :startedAt AND (s.started_at, s.id) > (:startedAt, :syncRunId)
         AND jsonb_typeof(s.header->'${key}') = '${type}'
       ORDER BY s.started_at, s.id
       LIMIT 1)
     SELECT ${RUN_COLUMNS} FROM sync_runs
     WHERE org_id = :orgId AND integration_id = :integrationId
       AND started_at >= :startedAt AND (started_at, id) > (:startedAt, :syncRunId)
       AND started_at <= coalesce((SELECT n.started_at FROM next_own n), 'infinity')
       AND (NOT EXISTS (SELECT 1 FROM next_own) OR (started_at, id) < (SELECT n.started_at, n.id FROM next_own n))
     ORDER BY started_at, id`,
    { ...scope, startedAt: after.startedAt, syncRunId: after.syncRunId },
  );
  return rows.map(toLaterRun);
}

/**
 * The catalog and form fields that were in force for a run that did not send its own:
 * those of the newest run before it that did, one seek of sync_runs_sent_catalog (or
 * sync_runs_sent_form_fields), which hold only the runs that sent one.
 */
export async function knowledgeBefore(knex: Knex, scope: Scope, before: RunPosition, key: 'catalog' | 'form_fields'): Promise<Catalog | FormField[] | null> {
  const type = key === 'catalog' ? 'object' : 'array';
  const row = await knex('sync_runs')
    .select(knex.raw(`header->'${key}' AS knowledge`))
    .where({ org_id: scope.orgId, integration_id: scope.integrationId })
    .whereRaw('(started_at, id) < (?, ?)', [before.startedAt, before.syncRunId])
    .whereRaw(`jsonb_typeof(header->'${key}') = '${type}'`)
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first();
  return (row?.knowledge as Catalog | FormField[] | undefined) ?? null;
}

/** A stored error of a run, with its group. */
export interface StoredError extends ClassifiedError {
  id: number;
  record_index: number | null;
  group_id: number;
}

const ERROR_COLUMNS = 'e.id, e.record_index, e.group_id, e.code, e.severity, e.field, e.value, e.expected, e.variant';

/**
 * The stored errors of these records of one run, and its run-level errors when asked:
 * one seek of errors_by_record per record (a LATERAL subquery kept apart by OFFSET 0),
 * and one for record_index IS NULL. As `record_index = ANY(...) OR record_index IS NULL`,
 * PostgreSQL read every error of the run and filtered them.
 */
export async function errorsOfRecords(knex: Knex, orgId: number, run: RunPosition, indexes: number[], runLevel: boolean): Promise<StoredError[]> {
  const { rows } = await knex.raw<{ rows: Array<Omit<StoredError, 'id' | 'group_id'> & { id: string; group_id: string }> }>(
    `SELECT ${ERROR_COLUMNS} FROM unnest(:indexes::int[]) AS x(record_index)
     CROSS JOIN LATERAL (
       SELECT ${ERROR_COLUMNS} FROM errors e WHERE e.org_id = :orgId AND e.started_at = :startedAt AND e.sync_run_id = :syncRunId AND e.record_index = x.record_index
       OFFSET 0
     ) AS e
     ${runLevel ? `UNION ALL SELECT ${ERROR_COLUMNS} FROM errors e WHERE e.org_id = :orgId AND e.started_at = :startedAt AND e.sync_run_id = :syncRunId AND e.record_index IS NULL` : ''}`,
    { orgId, syncRunId: run.syncRunId, startedAt: run.startedAt, indexes },
  );
  return rows.map((row) => ({ ...row, id: Number(row.id), group_id: Number(row.group_id) }));
}

/** Errors of one run by id, through the primary key (org_id, started_at, id). */
export async function deleteErrors(trx: Knex.Transaction, run: { orgId: number; startedAt: Date }, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await trx('errors').where({ org_id: run.orgId, started_at: run.startedAt }).whereRaw('id = ANY(?::bigint[])', [ids]).delete();
}
