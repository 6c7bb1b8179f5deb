import express, { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { requireApiToken } from '../accounts/caller.js';
import { ERROR_CODES } from '../classify/types.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, idParam, page, pageSchema, parseBody, parseQuery, pathId, timeIdCursor } from '../http/query.js';
import { changeGroupStatus, PERSON_SET_STATUSES } from './group-status.service.js';
import { findErrorGroup, listErrorGroups, type ErrorGroupRow } from './groups.queries.js';

export const groupFiltersSchema = z.object({
  integration: idParam.optional(),
  code: z.enum(ERROR_CODES).optional(),
  status: z.enum(['open', 'resolved', 'ignored', 'regressed']).optional(),
  ...pageSchema,
});

/** What a person may set; `regressed` is only ever set by a run. */
export const groupStatusChangeSchema = z.strictObject({
  status: z.enum(PERSON_SET_STATUSES).describe('`resolved` (fixed; regresses if a newer run shows it again), `ignored` (stays ignored when it occurs again), or `open` (reopen).'),
});

export const toGroupItem = (g: ErrorGroupRow) => ({
  id: String(g.id),
  integration: String(g.integration_id),
  code: g.code,
  severity: g.severity,
  field: g.field,
  value: g.value,
  expected: g.expected,
  variant: g.variant,
  key: g.group_key,
  run_level: g.run_level,
  first_seen: g.first_seen_started_at.toISOString(),
  last_seen: g.last_seen_started_at.toISOString(),
  occurrences: g.occurrences,
  employees_affected: g.employees_affected,
  status: g.status,
  status_changed_at: g.status_changed_at.toISOString(),
});

export function groupsRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/error-groups', requireApiToken(knex), async (req, res) => {
    const { limit, cursor, ...filters } = parseQuery(groupFiltersSchema, req);
    const after = decodeCursor(cursor, timeIdCursor);
    const rows = await listErrorGroups(knex, req.caller!.orgIds, filters, limit, after);
    res.json(page(rows, limit, (g) => [g.last_seen_started_at.toISOString(), g.id], toGroupItem));
  });
  router.get('/api/v1/error-groups/:id', requireApiToken(knex), async (req, res) => {
    const group = await findErrorGroup(knex, req.caller!.orgIds, pathId(req.params.id, 'error group'));
    if (!group) throw notFound(`No error group ${req.params.id}.`);
    res.json(toGroupItem(group));
  });
  router.patch('/api/v1/error-groups/:id', requireApiToken(knex), express.json({ limit: '4kb' }), async (req, res) => {
    const id = pathId(req.params.id, 'error group');
    const { status } = parseBody(groupStatusChangeSchema, req);
    res.json(toGroupItem(await changeGroupStatus(knex, req.caller!, id, status, 'api')));
  });
  return router;
}
