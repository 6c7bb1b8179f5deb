import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { adminOrgIds } from '../auth/roles.js';
import { requireLogin, safeNext } from '../auth/web-auth.js';
import { guidanceFor } from '../classify/guidance.js';
import { shorten } from '../shared/shorten.js';
import { ERROR_CODES } from '../classify/error-enums.js';
import type { ClassifiedError } from '../classify/types.js';
import { HttpError } from '../http/errors.js';
import { decodeCursor, page, parseQuery, pathId, timeIdCursor } from '../http/query.js';
import { listIntegrationsOf } from '../integrations/integrations.queries.js';
import { GROUP_STATUS_FILTER_OPTIONS, PERSON_SET_STATUS_ACTIONS, PERSON_SET_STATUSES } from './group-enums.js';
import { changeGroupStatus } from './group-status.service.js';
import { listErrorGroups } from './groups.queries.js';
import { toGroupItem } from './groups.read.js';
import { groupFiltersSchema } from './groups.schemas.js';

const statusForm = z.object({ status: z.enum(PERSON_SET_STATUSES), back: z.string().optional() });

/**
 * The error groups page: the API's filters with the same names, each group
 * with its fix-it guidance, and for admins the buttons to resolve, ignore or
 * reopen it.
 */
export function groupPages(knex: Knex): Router {
  const router = Router();

  router.get('/error-groups', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { limit, cursor, ...filters } = parseQuery(groupFiltersSchema, req);
    const after = decodeCursor(cursor, timeIdCursor);
    const [rows, integrations] = await Promise.all([listErrorGroups(knex, caller.orgIds, filters, limit, after), listIntegrationsOf(knex, caller.orgIds)]);
    const integrationById = new Map(integrations.map((i) => [i.id, i]));
    const admin = adminOrgIds(caller);
    const { items, next_cursor } = page(
      rows,
      limit,
      (g) => [g.last_seen_started_at.toISOString(), g.id],
      (g) => {
        const integration = integrationById.get(g.integration_id);
        const context = { sourceSystem: integration?.source_system ?? 'the source system', targetSystem: integration?.target_system ?? 'the target system' };
        return {
          ...toGroupItem(g),
          integrationName: integration?.name ?? '',
          // The guidance quotes the values: a long one is shown cut, with its length.
          guidance: guidanceFor({ ...g, value: shorten(g.value), expected: shorten(g.expected) } as ClassifiedError, context),
          canChange: admin.has(g.org_id),
        };
      },
    );
    const nextQuery = new URLSearchParams({ limit: String(limit), cursor: next_cursor ?? '' });
    for (const [name, value] of Object.entries(filters)) if (value !== undefined) nextQuery.set(name, String(value));
    const nextPage = next_cursor ? `/error-groups?${nextQuery}` : null;
    res.render('groups/index', {
      title: 'Error groups · feedlog',
      groups: items,
      integrations,
      filters,
      codes: ERROR_CODES,
      statuses: GROUP_STATUS_FILTER_OPTIONS,
      statusActions: Object.entries(PERSON_SET_STATUS_ACTIONS),
      nextPage,
      here: req.originalUrl,
    });
  });

  router.post('/error-groups/:id/status', requireLogin, async (req, res) => {
    const id = pathId(req.params.id, 'error group');
    const form = statusForm.safeParse(req.body ?? {});
    if (!form.success) throw new HttpError(400, 'Bad Request', 'Choose a status: open, resolved or ignored.');
    await changeGroupStatus(knex, req.caller!, id, form.data.status, 'web');
    res.redirect(303, safeNext(form.data.back, '/error-groups'));
  });

  return router;
}
