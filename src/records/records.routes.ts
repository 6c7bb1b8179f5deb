import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { requireApiToken } from '../accounts/caller.js';
import { ERROR_CODES, EMPLOYEE_ATTRIBUTES } from '../classify/types.js';
import { decodeCursor, filterText, idParam, page, pageSchema, parseQuery, recordCursor, timestampParam } from '../http/query.js';
import { errorsOfRecords, listRecords, type RecordRow } from './records.read.queries.js';

export const recordFiltersSchema = z.object({
  run: idParam.optional(),
  integration: idParam.optional(),
  external_id: filterText(500).optional(),
  email: filterText(320).optional(),
  q: filterText(200).optional(),
  code: z.enum(ERROR_CODES).optional(),
  severity: z.enum(['error', 'info']).optional(),
  outcome: z.enum(['succeeded', 'failed', 'warning']).optional(),
  field: z.enum(['external_id', ...EMPLOYEE_ATTRIBUTES]).optional(),
  from: timestampParam.optional(),
  to: timestampParam.optional(),
  ...pageSchema,
});

/** Records with their errors, as api.md lists them. */
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
      employee: row.raw.employee ?? {},
      messages: row.raw.messages ?? [],
      errors: byRecord.get(`${row.sync_run_id}:${row.index}`) ?? [],
    }),
  );
}

export function recordsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/records', requireApiToken(knex), async (req, res) => {
    const { limit, cursor, ...filters } = parseQuery(recordFiltersSchema, req);
    const after = decodeCursor(cursor, recordCursor);
    res.json(await recordsPage(knex, await listRecords(knex, req.caller!.orgIds, filters, limit, after), limit));
  });
  return router;
}
