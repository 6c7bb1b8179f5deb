import type { Knex } from 'knex';
import { EMPLOYEE_ATTRIBUTES } from '../classify/feed-enums.js';
import type { ClassifiedError } from '../classify/types.js';
import { copyField, copyRows } from '../db/copy.js';

export interface NewFeedRecord {
  index: number;
  external_id: string | null;
  action: string;
  outcome: string;
  error_count: number;
  /** The record as sent: stored whole (raw), its employee and messages also apart. */
  raw: { employee: Record<string, unknown>; messages?: unknown };
}

const FEED_RECORD_COLUMNS = [
  'org_id',
  'sync_run_id',
  'integration_id',
  'started_at',
  'index',
  'external_id',
  'action',
  'outcome',
  ...EMPLOYEE_ATTRIBUTES,
  'error_count',
  'raw',
  'employee',
  'messages',
];

/** The record's JSON with its employee and messages taken from their own JSON: each is serialised once. */
function rawJson(record: Record<string, unknown>, employee: string, messages: string): string {
  let json = '{';
  for (const key of Object.keys(record)) {
    const value = key === 'employee' ? employee : key === 'messages' ? messages : JSON.stringify(record[key]);
    if (value === undefined) continue;
    json += `${json.length === 1 ? '' : ','}${JSON.stringify(key)}:${value}`;
  }
  return `${json}}`;
}

/** The lines COPY reads: one per record, built as COPY takes them. */
function* feedRecordLines(run: RunScope, records: Iterable<NewFeedRecord>): Generator<string> {
  const prefix = `${run.orgId}\t${run.syncRunId}\t${run.integrationId}\t${run.startedAt.toISOString()}\t`;
  for (const record of records) {
    const { employee, messages } = record.raw;
    const employeeJson = JSON.stringify(employee);
    const messagesJson = messages === undefined ? undefined : JSON.stringify(messages);
    let line = `${prefix}${record.index}\t${copyField(record.external_id)}\t${copyField(record.action)}\t${copyField(record.outcome)}`;
    for (const name of EMPLOYEE_ATTRIBUTES) {
      const value = employee[name];
      line += `\t${copyField(typeof value === 'string' ? value : null)}`;
    }
    line += `\t${record.error_count}\t${copyField(rawJson(record.raw, employeeJson, messagesJson as string))}\t${copyField(employeeJson)}\t${copyField(messagesJson ?? null)}\n`;
    yield line;
  }
}

type RunScope = { orgId: number; syncRunId: number; integrationId: number; startedAt: Date };

/**
 * Writes the records with COPY inside the ingest transaction, taking them from
 * `records` as it goes: a lazy iterable keeps one chunk of rows in memory
 * rather than the whole run.
 */
export async function insertFeedRecords(trx: Knex.Transaction, run: RunScope, records: Iterable<NewFeedRecord>): Promise<void> {
  await copyRows(trx, 'feed_records', FEED_RECORD_COLUMNS, feedRecordLines(run, records));
}

export interface NewError extends ClassifiedError {
  record_index: number | null;
  group_id: number;
}

const ERROR_COLUMNS = ['org_id', 'sync_run_id', 'integration_id', 'record_index', 'group_id', 'code', 'severity', 'field', 'value', 'expected', 'variant'];

/** Writes a run's errors with COPY, each with the run's started_at (its partition's key). */
export async function insertErrors(trx: Knex.Transaction, run: RunScope, errors: NewError[]): Promise<void> {
  if (errors.length === 0) return;
  const prefix = `${run.orgId}\t${run.syncRunId}\t${run.integrationId}\t`;
  const suffix = `\t${run.startedAt.toISOString()}\n`;
  const lines = function* () {
    for (const error of errors) {
      yield `${prefix}${copyField(error.record_index)}\t${error.group_id}\t${copyField(error.code)}\t${copyField(error.severity)}\t${copyField(error.field)}\t${copyField(
        error.value,
      )}\t${copyField(error.expected)}\t${copyField(error.variant)}${suffix}`;
    }
  };
  await copyRows(trx, 'errors', [...ERROR_COLUMNS, 'started_at'], lines());
}

/** The error count of records whose errors a re-check changed. */
export async function setRecordErrorCounts(
  trx: Knex.Transaction,
  run: { orgId: number; syncRunId: number; startedAt: Date },
  counts: Map<number, number>,
): Promise<void> {
  if (counts.size === 0) return;
  await trx.raw(
    `UPDATE feed_records r SET error_count = x.error_count
     FROM unnest(?::int[], ?::int[]) AS x(index, error_count)
     WHERE r.org_id = ? AND r.started_at = ? AND r.sync_run_id = ? AND r.index = x.index`,
    [[...counts.keys()], [...counts.values()], run.orgId, run.startedAt, run.syncRunId],
  );
}
