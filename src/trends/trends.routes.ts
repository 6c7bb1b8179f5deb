import { createRequire } from 'node:module';
import path from 'node:path';
import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { notFound } from '../http/errors.js';
import { parseQuery } from '../http/query.js';
import type { Clock } from '../shared/clock.js';
import { planOf, readTrends, resolveScope, sendChartCsv } from './trends.read.js';
import { trendsFiltersSchema } from './trends.schemas.js';

/** `GET /api/v1/trends`: the trends page's figures as JSON, or one chart's table as CSV. */
export function trendsRoutes(knex: Knex, clock: Clock): Router {
  const router = Router();
  router.get('/api/v1/trends', requireBearer(knex, 'api'), async (req, res) => {
    const caller = req.caller!;
    const { format, chart, ...query } = parseQuery(trendsFiltersSchema, req);
    const now = clock.now();
    const scope = await resolveScope(req.reader, caller, query);
    if (!scope.org) throw notFound('No organisation: this token belongs to nobody in one.');
    const report = await readTrends(req.reader, scope, planOf(query, caller.timeZone, now), now);
    if (format === 'csv') {
      await sendChartCsv(res, report, chart);
      return;
    }
    res.json(report);
  });
  return router;
}

/** chart.js's browser build, wherever npm put the package: the same file from src/ and dist/. */
export const CHART_JS_FILE = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

/** `/static/vendor/chart.umd.min.js`: chart.js served from our own origin (the CSP allows no other). */
export function vendorRoutes(): Router {
  const router = Router();
  router.get('/static/vendor/chart.umd.min.js', (_req, res, next) => {
    res.sendFile(CHART_JS_FILE, { maxAge: '1h' }, (error) => (error ? next(error) : undefined));
  });
  return router;
}
