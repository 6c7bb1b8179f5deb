import express, { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, page, parseBody, parseQuery, pathId, timeIdCursor } from '../http/query.js';
import { changeGroupStatus } from './group-status.service.js';
import { findErrorGroup, listErrorGroups } from './groups.queries.js';
import { toGroupItem } from './groups.read.js';
import { groupFiltersSchema, groupStatusChangeSchema } from './groups.schemas.js';

export function groupsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/error-groups', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, ...filters } = parseQuery(groupFiltersSchema, req);
    const after = decodeCursor(cursor, timeIdCursor);
    const rows = await listErrorGroups(knex, req.caller!.orgIds, filters, limit, after);
    res.json(page(rows, limit, (g) => [g.last_seen_started_at.toISOString(), g.id], toGroupItem));
  });
  router.get('/api/v1/error-groups/:id', requireBearer(knex, 'api'), async (req, res) => {
    const group = await findErrorGroup(knex, req.caller!.orgIds, pathId(req.params.id, 'error group'));
    if (!group) throw notFound(`No error group ${req.params.id}.`);
    res.json(toGroupItem(group));
  });
  router.patch('/api/v1/error-groups/:id', requireBearer(knex, 'api'), express.json({ limit: '4kb' }), async (req, res) => {
    const id = pathId(req.params.id, 'error group');
    const { status } = parseBody(groupStatusChangeSchema, req);
    res.json(toGroupItem(await changeGroupStatus(knex, req.caller!, id, status, 'api')));
  });
  return router;
}
