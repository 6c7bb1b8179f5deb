import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { requireApiToken } from '../accounts/caller.js';
import { ERROR_CODES } from '../classify/types.js';
import { decodeCursor, idParam, page, pageSchema, parseQuery } from '../http/query.js';
import { listErrorGroups, type ErrorGroupRow } from './groups.queries.js';

export const groupFiltersSchema = z.object({
  integration: idParam.optional(),
  code: z.enum(ERROR_CODES).optional(),
  status: z.enum(['open', 'resolved', 'ignored', 'regressed']).optional(),
  ...pageSchema,
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
    const after = decodeCursor(cursor, 2) as [string, number] | undefined;
    const rows = await listErrorGroups(knex, req.caller!.orgIds, filters, limit, after);
    res.json(page(rows, limit, (g) => [g.last_seen_started_at.toISOString(), g.id], toGroupItem));
  });
  return router;
}
