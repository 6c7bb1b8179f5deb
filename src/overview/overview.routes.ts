import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { parseQuery } from '../http/query.js';
import type { Clock } from '../shared/clock.js';
import { overviewOf, toApiOverview } from './overview.read.js';
import { overviewFilterSchema } from './overview.schemas.js';

/** `GET /api/v1/overview`: the overview page's figures as JSON (times UTC, reasons worded in UTC). */
export function overviewRoutes(knex: Knex, clock: Clock): Router {
  const router = Router();
  router.get('/api/v1/overview', requireBearer(knex, 'api'), async (req, res) => {
    const { health } = parseQuery(overviewFilterSchema, req);
    const now = clock.now();
    const organisations = (await overviewOf(req.reader, req.caller!.orgIds, now, 'UTC')).map((org) => ({
      ...org,
      integrations: health ? org.integrations.filter((i) => i.health.state === health) : org.integrations,
    }));
    res.json(toApiOverview(organisations, now));
  });
  return router;
}
