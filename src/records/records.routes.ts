import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { sendCsv } from '../http/csv.js';
import { decodeCursor, parseQuery, recordCursor } from '../http/query.js';
import { RECORD_CSV_COLUMNS, recordCsvBatches, recordsPage } from './records.read.js';
import { listRecords, type RecordRow } from './records.read.queries.js';
import { recordFiltersSchema } from './records.schemas.js';

const recordKey = (row: RecordRow): [string, number, number] => [row.started_at.toISOString(), row.sync_run_id, row.index];

export function recordsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/records', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, format, ...filters } = parseQuery(recordFiltersSchema, req);
    const orgIds = req.caller!.orgIds;
    const after = decodeCursor(cursor, recordCursor);
    if (format === 'csv') {
      const batches = recordCsvBatches(
        req.reader,
        (from: [string, number, number] | undefined, size) => listRecords(req.reader, orgIds, filters, size, from),
        recordKey,
        (row, errors) => {
          const employee = (row.employee ?? {}) as Record<string, unknown>;
          return { ...row, first_name: employee.first_name, last_name: employee.last_name, email: employee.email, errors };
        },
        after,
      );
      return sendCsv(res, 'records.csv', RECORD_CSV_COLUMNS, batches);
    }
    res.json(await recordsPage(req.reader, await listRecords(req.reader, orgIds, filters, limit, after), limit));
  });
  return router;
}
