import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { decodeCursor, parseQuery, recordCursor } from '../http/query.js';
import { recordsPage } from './records.read.js';
import { listRecords } from './records.read.queries.js';
import { recordFiltersSchema } from './records.schemas.js';

export function recordsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/records', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, ...filters } = parseQuery(recordFiltersSchema, req);
    const after = decodeCursor(cursor, recordCursor);
    res.json(await recordsPage(knex, await listRecords(knex, req.caller!.orgIds, filters, limit, after), limit));
  });
  return router;
}
