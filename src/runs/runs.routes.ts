import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, page, parseQuery, pathId, timeIdCursor } from '../http/query.js';
import { RUN_CSV_COLUMNS, runDetail, runKey, toRunItem } from './runs.read.js';
import { findSyncRun, listSyncRuns } from './runs.read.queries.js';
import { runFiltersSchema } from './runs.schemas.js';

export function runsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/sync-runs', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, format, ...filters } = parseQuery(runFiltersSchema, req);
    const orgIds = req.caller!.orgIds;
    const after = decodeCursor(cursor, timeIdCursor);
    if (format === 'csv') {
      const batches = keysetBatches((from: [string, number] | undefined, size) => listSyncRuns(req.reader, orgIds, filters, size, from), runKey, after);
      return sendCsv(res, 'sync-runs.csv', RUN_CSV_COLUMNS, batches);
    }
    const rows = await listSyncRuns(req.reader, orgIds, filters, limit, after);
    res.json(page(rows, limit, runKey, toRunItem));
  });
  router.get('/api/v1/sync-runs/:id', requireBearer(knex, 'api'), async (req, res) => {
    const run = await findSyncRun(req.reader, req.caller!.orgIds, pathId(req.params.id, 'sync run'));
    if (!run) throw notFound(`No sync run ${req.params.id}.`);
    res.json(await runDetail(req.reader, run));
  });
  return router;
}
