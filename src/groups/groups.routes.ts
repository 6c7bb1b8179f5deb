import express, { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, page, parseBody, parseQuery, pathId, timeIdCursor } from '../http/query.js';
import { findIntegrationIn, listIntegrationsOf } from '../integrations/integrations.queries.js';
import { changeGroupStatus } from './group-status.service.js';
import { findErrorGroup, listErrorGroups } from './groups.queries.js';
import { groupApiDetail, groupCsvColumns, groupKey, toGroupItem } from './groups.read.js';
import { groupDetailQuerySchema, groupFiltersSchema, groupStatusChangeSchema, memberCursor } from './groups.schemas.js';

export function groupsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/error-groups', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, format, ...filters } = parseQuery(groupFiltersSchema, req);
    const orgIds = req.caller!.orgIds;
    const after = decodeCursor(cursor, timeIdCursor);
    if (format === 'csv') {
      const names = new Map((await listIntegrationsOf(req.reader, orgIds)).map((i) => [i.id, i.name]));
      const fetchAfter = (from: [string, number] | undefined, size: number) => listErrorGroups(req.reader, orgIds, filters, size, from);
      await sendCsv(
        res,
        'error-groups.csv',
        groupCsvColumns((id) => names.get(id) ?? ''),
        keysetBatches(fetchAfter, groupKey, after),
      );
      return;
    }
    const rows = await listErrorGroups(req.reader, orgIds, filters, limit, after);
    res.json(page(rows, limit, groupKey, toGroupItem));
  });
  router.get('/api/v1/error-groups/:id', requireBearer(knex, 'api'), async (req, res) => {
    const id = pathId(req.params.id, 'error group');
    const { members_limit, members_cursor } = parseQuery(groupDetailQuerySchema, req);
    const membersAfter = decodeCursor(members_cursor, memberCursor, 'members_cursor');
    const group = await findErrorGroup(req.reader, req.caller!.orgIds, id);
    if (!group) throw notFound(`No error group ${req.params.id}.`);
    const integration = await findIntegrationIn(req.reader, [group.org_id], group.integration_id);
    res.json(await groupApiDetail(req.reader, group, integration, members_limit, membersAfter));
  });
  router.patch('/api/v1/error-groups/:id', requireBearer(knex, 'api'), express.json({ limit: '4kb' }), async (req, res) => {
    const id = pathId(req.params.id, 'error group');
    const { status } = parseBody(groupStatusChangeSchema, req);
    res.json(toGroupItem(await changeGroupStatus(knex, req.caller!, id, status, 'api')));
  });
  return router;
}
