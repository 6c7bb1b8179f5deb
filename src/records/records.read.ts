import type { Knex } from 'knex';
import { type ApiGuidance, apiGuidanceFor, type GuidanceContext } from '../classify/guidance.js';
import type { ClassifiedError } from '../classify/types.js';
import { type CsvColumn, keysetBatches } from '../http/csv.js';
import { page } from '../http/query.js';
import { errorsOfRecords, type RecordRow, type StoredError, systemsOfIntegrations } from './records.read.queries.js';

/** An error as the API shows it: the classified error, its group, and what to do about it. */
export interface ApiError extends ClassifiedError {
  /** The error group's id, as a string; null for an error stored before groups existed. */
  group: string | null;
  guidance: ApiGuidance;
}

type Systems = { source_system: string | null; target_system: string | null };

/** Guidance names the integration's systems; before a run has named them, it says so in general words. */
export function guidanceContextOf(integration: Systems | undefined): GuidanceContext {
  return { sourceSystem: integration?.source_system ?? 'the source system', targetSystem: integration?.target_system ?? 'the target system' };
}

type StoredClassified = Omit<StoredError, 'sync_run_id' | 'record_index'>;

export function toApiError({ group_id, code, severity, field, value, expected, variant }: StoredClassified, context: GuidanceContext): ApiError {
  const error = { code, severity, field, value, expected, variant } as ClassifiedError;
  return { ...error, group: group_id === null ? null : String(group_id), guidance: apiGuidanceFor(error, context) };
}

/** The guidance contexts of the integrations of these rows, by integration id, in one query. */
export async function contextsOf(knex: Knex, rows: { org_id: number; integration_id: number }[]): Promise<Map<number, GuidanceContext>> {
  const unique = [...new Map(rows.map((r) => [r.integration_id, r])).values()];
  const systems = await systemsOfIntegrations(knex, unique);
  return new Map(systems.map((s) => [Number(s.id), guidanceContextOf(s)]));
}

const recordKey = (syncRunId: number, index: number) => `${syncRunId}:${index}`;

/** The API errors of these records, by `<run id>:<index>`, in two queries. */
export async function apiErrorsOf(
  knex: Knex,
  rows: Pick<RecordRow, 'org_id' | 'started_at' | 'sync_run_id' | 'index' | 'integration_id'>[],
): Promise<(row: Pick<RecordRow, 'sync_run_id' | 'index'>) => ApiError[]> {
  const [errors, contexts] = await Promise.all([errorsOfRecords(knex, rows), contextsOf(knex, rows)]);
  const integrationOf = new Map(rows.map((r) => [recordKey(r.sync_run_id, r.index), r.integration_id]));
  const byRecord = new Map<string, ApiError[]>();
  for (const { sync_run_id, record_index, ...error } of errors) {
    const key = recordKey(sync_run_id, record_index);
    const context = contexts.get(Number(integrationOf.get(key))) ?? guidanceContextOf(undefined);
    byRecord.set(key, [...(byRecord.get(key) ?? []), toApiError(error, context)]);
  }
  return (row) => byRecord.get(recordKey(row.sync_run_id, row.index)) ?? [];
}

/** Records with their errors, as api.md lists them (the records list and an employee's history). */
export async function recordsPage(knex: Knex, rows: RecordRow[], limit: number) {
  const errorsOf = await apiErrorsOf(knex, rows.slice(0, limit));
  return page(
    rows,
    limit,
    (row) => [row.started_at.toISOString(), row.sync_run_id, row.index],
    (row) => ({
      id: `${row.sync_run_id}:${row.index}`,
      run: { id: String(row.sync_run_id), run_id: row.run_id, started_at: row.started_at.toISOString() },
      integration: String(row.integration_id),
      index: row.index,
      external_id: row.external_id,
      action: row.action,
      outcome: row.outcome,
      employee: row.employee ?? {},
      messages: row.messages ?? [],
      errors: errorsOf(row),
    }),
  );
}

/** A record of a CSV export, with its errors. */
export interface CsvRecord {
  sync_run_id: number;
  run_id: string;
  index: number;
  external_id: string | null;
  first_name: unknown;
  last_name: unknown;
  email: unknown;
  action: string;
  outcome: string;
  errors: ApiError[];
}

/** One row per record: the run, the person, what the engine did, and our errors (codes and the values concerned). */
export const RECORD_CSV_COLUMNS: CsvColumn<CsvRecord>[] = [
  { header: 'run id', cell: (r) => r.sync_run_id },
  { header: 'run_id', cell: (r) => r.run_id },
  { header: 'index', cell: (r) => r.index },
  { header: 'external_id', cell: (r) => r.external_id },
  { header: 'first_name', cell: (r) => r.first_name },
  { header: 'last_name', cell: (r) => r.last_name },
  { header: 'email', cell: (r) => r.email },
  { header: 'action', cell: (r) => r.action },
  { header: 'outcome', cell: (r) => r.outcome },
  { header: 'error codes', cell: (r) => r.errors.map((e) => e.code).join('; ') },
  { header: 'error values', cell: (r) => r.errors.map((e) => (e.field ? `${e.field}: ${e.value ?? ''}` : (e.value ?? ''))).join('; ') },
];

/**
 * A list of records read a batch at a time through its keyset query, each batch
 * with its errors (two more queries per batch): what RECORD_CSV_COLUMNS write.
 */
export async function* recordCsvBatches<Row extends Pick<RecordRow, 'org_id' | 'started_at' | 'sync_run_id' | 'index' | 'integration_id'>, Key>(
  knex: Knex,
  fetchAfter: (after: Key | undefined, limit: number) => Promise<Row[]>,
  keyOf: (row: Row) => Key,
  toCsv: (row: Row, errors: ApiError[]) => CsvRecord,
  start?: Key,
): AsyncGenerator<CsvRecord[]> {
  for await (const batch of keysetBatches(fetchAfter, keyOf, start)) {
    const errorsOf = await apiErrorsOf(knex, batch);
    yield batch.map((row) => toCsv(row, errorsOf(row)));
  }
}
