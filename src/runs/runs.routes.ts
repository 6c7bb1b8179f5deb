import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, page, parseQuery, pathId, timeIdCursor } from '../http/query.js';
import { toRunSummary } from './run-summary.js';
import { findSyncRun, listSyncRuns, runLevelErrors, type RunWithIntegration } from './runs.read.queries.js';
import { runFiltersSchema } from './runs.schemas.js';

const toItem = (row: RunWithIntegration) => toRunSummary(row, { id: row.integration_id, name: row.integration_name });

export function runsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/sync-runs', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, ...filters } = parseQuery(runFiltersSchema, req);
    const after = decodeCursor(cursor, timeIdCursor);
    const rows = await listSyncRuns(knex, req.caller!.orgIds, filters, limit, after);
    res.json(page(rows, limit, (row) => [row.started_at.toISOString(), row.id], toItem));
  });
  router.get('/api/v1/sync-runs/:id', requireBearer(knex, 'api'), async (req, res) => {
    const run = await findSyncRun(knex, req.caller!.orgIds, pathId(req.params.id, 'sync run'));
    if (!run) throw notFound(`No sync run ${req.params.id}.`);
    res.json({ ...toItem(run), run_error: run.run_error, errors: await runLevelErrors(knex, run.org_id, run.id) });
  });
  return router;
}
