import type { Knex } from 'knex';
import { EMPLOYEE_ATTRIBUTES } from '../classify/feed-enums.js';
import type { ClassifiedError } from '../classify/types.js';

export interface NewFeedRecord {
  index: number;
  external_id: string | null;
  action: string;
  outcome: string;
  attributes: Record<(typeof EMPLOYEE_ATTRIBUTES)[number], string | null>;
  error_count: number;
  raw: { employee: unknown; messages?: unknown };
}

// Rows go to Postgres as one JSON document per chunk and are expanded there by
// jsonb_to_recordset: one round trip per 5,000 records instead of one per record.
const CHUNK = 5_000;

const ATTRIBUTE_COLUMNS = EMPLOYEE_ATTRIBUTES.map((name) => `${name} text`).join(', ');

/**
 * Inserts the records 5,000 at a time, taking them from `records` as it goes:
 * a lazy iterable keeps one chunk of rows in memory rather than the whole run.
 */
export async function insertFeedRecords(
  trx: Knex.Transaction,
  run: { orgId: number; syncRunId: number; integrationId: number; startedAt: Date },
  records: Iterable<NewFeedRecord>,
): Promise<void> {
  let rows: unknown[] = [];
  const flush = async () => {
    await trx.raw(
      `INSERT INTO feed_records (org_id, sync_run_id, integration_id, started_at, index, external_id, action, outcome,
         ${EMPLOYEE_ATTRIBUTES.join(', ')}, error_count, raw, employee, messages)
       SELECT ?, ?, ?, ?, x.index, x.external_id, x.action, x.outcome, ${EMPLOYEE_ATTRIBUTES.map((n) => `x.${n}`).join(', ')}, x.error_count, x.raw,
         x.employee, x.messages
       FROM jsonb_to_recordset(?::jsonb) AS x(index integer, external_id text, action text, outcome text, ${ATTRIBUTE_COLUMNS}, error_count integer,
         raw jsonb, employee jsonb, messages jsonb)`,
      [run.orgId, run.syncRunId, run.integrationId, run.startedAt, JSON.stringify(rows)],
    );
    rows = [];
  };
  for (const record of records) {
    rows.push({
      index: record.index,
      external_id: record.external_id,
      action: record.action,
      outcome: record.outcome,
      ...record.attributes,
      error_count: record.error_count,
      raw: record.raw,
      employee: record.raw.employee,
      messages: record.raw.messages ?? null,
    });
    if (rows.length === CHUNK) await flush();
  }
  if (rows.length > 0) await flush();
}

export interface NewError extends ClassifiedError {
  record_index: number | null;
  group_id: number;
}

const toErrorRow = ({ record_index, group_id, code, severity, field, value, expected, variant }: NewError) => ({
  record_index,
  group_id,
  code,
  severity,
  field,
  value,
  expected,
  variant,
});

export async function insertErrors(
  trx: Knex.Transaction,
  run: { orgId: number; syncRunId: number; integrationId: number; startedAt: Date },
  errors: NewError[],
): Promise<void> {
  for (let start = 0; start < errors.length; start += CHUNK) {
    await trx.raw(
      `INSERT INTO errors (org_id, sync_run_id, integration_id, started_at, record_index, group_id, code, severity, field, value, expected, variant)
       SELECT ?, ?, ?, ?, x.record_index, x.group_id, x.code, x.severity, x.field, x.value, x.expected, x.variant
       FROM jsonb_to_recordset(?::jsonb) AS x(record_index integer, group_id bigint, code text, severity text, field text, value text, expected text, variant text)`,
      [run.orgId, run.syncRunId, run.integrationId, run.startedAt, JSON.stringify(errors.slice(start, start + CHUNK).map(toErrorRow))],
    );
  }
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
