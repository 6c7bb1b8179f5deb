import type { Knex } from 'knex';
import { page } from '../http/query.js';
import { errorsOfRecords, type RecordRow } from './records.read.queries.js';

/** Records with their errors, as api.md lists them (the records list and an employee's history). */
export async function recordsPage(knex: Knex, rows: RecordRow[], limit: number) {
  const errors = await errorsOfRecords(knex, rows.slice(0, limit));
  const byRecord = new Map<string, object[]>();
  for (const { sync_run_id, record_index, ...error } of errors) {
    const key = `${sync_run_id}:${record_index}`;
    byRecord.set(key, [...(byRecord.get(key) ?? []), error]);
  }
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
      errors: byRecord.get(`${row.sync_run_id}:${row.index}`) ?? [],
    }),
  );
}
