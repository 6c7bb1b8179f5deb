import { Router } from 'express';
import type { Knex } from 'knex';
import { pingDatabase } from './health.queries.js';

export function healthRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await pingDatabase(knex, 2_000);
      res.json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).set('Retry-After', '10').json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  return router;
}
