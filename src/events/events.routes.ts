import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { decodeCursor, page, parseQuery, timeIdCursor } from '../http/query.js';
import { listEvents } from './events.queries.js';
import { EVENT_CSV_COLUMNS, eventKey, toEventItem } from './events.read.js';
import { eventFiltersSchema } from './events.schemas.js';

/** `GET /api/v1/events`: integration events (missed runs), newest expected time first, as JSON or CSV. */
export function eventsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/events', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, format, ...filters } = parseQuery(eventFiltersSchema, req);
    const orgIds = req.caller!.orgIds;
    const after = decodeCursor(cursor, timeIdCursor);
    if (format === 'csv') {
      const batches = keysetBatches((from: [string, number] | undefined, size) => listEvents(req.reader, orgIds, filters, size, from), eventKey, after);
      return sendCsv(res, 'integration-events.csv', EVENT_CSV_COLUMNS, batches);
    }
    const rows = await listEvents(req.reader, orgIds, filters, limit, after);
    res.json(page(rows, limit, eventKey, toEventItem));
  });
  return router;
}
