import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { decodeCursor, page, parseQuery } from '../http/query.js';
import { listIntegrationsOf } from '../integrations/integrations.queries.js';
import { listDrift } from './drift.queries.js';
import { driftCsvColumns, driftKey, toDriftItem } from './drift.read.js';
import { driftCursor, driftFiltersSchema } from './drift.schemas.js';

/** `GET /api/v1/drift`: the drift page's list, ranked by employees blocked, as JSON or CSV. */
export function driftRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/drift', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, format, ...filters } = parseQuery(driftFiltersSchema, req);
    const orgIds = req.caller!.orgIds;
    const after = decodeCursor(cursor, driftCursor);
    const integrations = new Map((await listIntegrationsOf(req.reader, orgIds)).map((i) => [i.id, i]));
    if (format === 'csv') {
      const fetchAfter = (from: [number, string, number] | undefined, size: number) => listDrift(req.reader, orgIds, filters, size, from);
      await sendCsv(
        res,
        'catalog-drift.csv',
        driftCsvColumns((id) => integrations.get(id)),
        keysetBatches(fetchAfter, driftKey, after),
      );
      return;
    }
    const rows = await listDrift(req.reader, orgIds, filters, limit, after);
    res.json(page(rows, limit, driftKey, (d) => toDriftItem(d, integrations.get(d.integration_id))));
  });
  return router;
}
