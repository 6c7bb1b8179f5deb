import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { pageLink } from '../http/links.js';
import { adminOrgIds } from '../auth/roles.js';
import { requireLogin, safeNext } from '../auth/web-auth.js';
import { ERROR_CODES } from '../classify/error-enums.js';
import { guidanceFor } from '../classify/guidance.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { HttpError, notFound } from '../http/errors.js';
import { decodeCursor, encodeCursor, parsePageQuery, parseQuery, pathId, timeIdCursor } from '../http/query.js';
import { findIntegrationIn, listIntegrationsOf } from '../integrations/integrations.queries.js';
import { shorten } from '../shared/shorten.js';
import { GROUP_STATUS_FILTER_OPTIONS, PERSON_SET_STATUS_ACTIONS, PERSON_SET_STATUSES } from './group-enums.js';
import { changeGroupStatus } from './group-status.service.js';
import { findErrorGroup, listErrorGroups } from './groups.queries.js';
import {
  confirmationOf,
  contextOf,
  errorOf,
  GROUP_PAGE_ROWS,
  groupCsvColumns,
  groupKey,
  groupPageData,
  memberKey,
  shownValue,
  toGroupRow,
} from './groups.read.js';
import { groupPageQuerySchema, groupPageSchema, memberCursor, occurrenceCursor } from './groups.schemas.js';

const statusForm = z.object({ status: z.enum(PERSON_SET_STATUSES), back: z.string().optional() });
const doneQuery = z.object({ done: z.enum(PERSON_SET_STATUSES) });

/** Long values on the group page: enough to read, never a 100,000-character wall. */
const DETAIL_CHARACTERS = 500;

/**
 * The error groups table (the API's filters with the same names, and `q`), its
 * CSV, and each group's page: guidance with the actual values, the employees
 * it affects, its occurrences, its status history, and for admins the buttons
 * that resolve, ignore or reopen it.
 */
export function groupPages(knex: Knex): Router {
  const router = Router();

  router.get('/error-groups', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { limit, cursor, format, ...filters } = parsePageQuery(groupPageSchema, req);
    const after = decodeCursor(cursor, timeIdCursor);
    const integrations = await listIntegrationsOf(req.reader, caller.orgIds);
    const integrationById = new Map(integrations.map((i) => [i.id, i]));
    if (format === 'csv') {
      const fetchAfter = (from: [string, number] | undefined, size: number) => listErrorGroups(req.reader, caller.orgIds, filters, size, from);
      const columns = groupCsvColumns((id) => integrationById.get(id)?.name ?? '');
      await sendCsv(res, 'error-groups.csv', columns, keysetBatches(fetchAfter, groupKey, after));
      return;
    }
    const rows = await listErrorGroups(req.reader, caller.orgIds, filters, limit, after);
    const groups = rows.slice(0, limit).map((g) => toGroupRow(g, integrationById.get(g.integration_id)));
    const last = rows[limit - 1];
    const base = { ...filters, limit: limit === 50 ? undefined : limit };
    res.render('groups/index', {
      title: 'Error groups · feedlog',
      groups,
      integrations,
      filters,
      codes: ERROR_CODES,
      statuses: GROUP_STATUS_FILTER_OPTIONS,
      filtered: Object.values(filters).some((value) => value !== undefined),
      nextPage: rows.length > limit && last ? pageLink('/error-groups', base, { cursor: encodeCursor(groupKey(last)) }) : null,
      firstPage: cursor ? pageLink('/error-groups', base, {}) : null,
      csvHref: pageLink('/error-groups', filters, { format: 'csv' }),
    });
  });

  router.get('/error-groups/:id', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const id = pathId(req.params.id, 'error group');
    const query = parseQuery(groupPageQuerySchema, req);
    const membersAfter = decodeCursor(query.members_cursor, memberCursor, 'members_cursor');
    const occurrencesAfter = decodeCursor(query.occurrences_cursor, occurrenceCursor, 'occurrences_cursor');
    const group = await findErrorGroup(req.reader, caller.orgIds, id);
    if (!group) throw notFound(`No error group ${req.params.id}.`);
    const [integration, data] = await Promise.all([
      findIntegrationIn(req.reader, [group.org_id], group.integration_id),
      groupPageData(req.reader, group, membersAfter, occurrencesAfter),
    ]);
    const guidance = guidanceFor(errorOf(group, DETAIL_CHARACTERS), contextOf(integration));
    const done = doneQuery.safeParse(req.query);
    const here = `/error-groups/${group.id}`;
    const { members_cursor: _m, occurrences_cursor: _o, ...kept } = query;
    const lastMember = data.members[GROUP_PAGE_ROWS - 1];
    const lastOccurrence = data.occurrences[GROUP_PAGE_ROWS - 1];
    res.render('groups/show', {
      title: `${guidance.title} · Error groups · feedlog`,
      group,
      guidance,
      integration,
      value: shownValue(group.value, DETAIL_CHARACTERS),
      expected: shownValue(group.expected, DETAIL_CHARACTERS),
      members: data.members.slice(0, GROUP_PAGE_ROWS).map((m) => ({
        ...m,
        shownId: shorten(m.external_id),
        href: `/employees/${encodeURIComponent(m.external_id)}?integration=${group.integration_id}`,
        name: shorten([m.first_name, m.last_name].filter(Boolean).join(' ')),
        email: shorten(m.email),
      })),
      occurrences: data.occurrences.slice(0, GROUP_PAGE_ROWS).map((o) => ({
        ...o,
        href: o.record_index === null ? `/runs/${o.sync_run_id}` : `/runs/${o.sync_run_id}/records/${o.record_index}`,
        runId: shorten(o.run_id),
        who: shorten([o.first_name, o.last_name].filter(Boolean).join(' ')),
        shownId: shorten(o.external_id),
        value: shownValue(o.value),
      })),
      moreMembers:
        data.members.length > GROUP_PAGE_ROWS && lastMember
          ? pageLink(here, { ...kept, occurrences_cursor: query.occurrences_cursor }, { members_cursor: encodeCursor(memberKey(lastMember)) })
          : null,
      moreOccurrences:
        data.occurrences.length > GROUP_PAGE_ROWS && lastOccurrence
          ? pageLink(here, { ...kept, members_cursor: query.members_cursor }, { occurrences_cursor: encodeCursor([lastOccurrence.id]) })
          : null,
      pagedBack: query.members_cursor || query.occurrences_cursor ? here : null,
      history: data.history,
      historyCut: data.historyCut,
      confirmation: done.success ? confirmationOf(done.data.done, guidance.title) : null,
      actions: adminOrgIds(caller).has(group.org_id) ? Object.entries(PERSON_SET_STATUS_ACTIONS).filter(([status]) => status !== group.status) : [],
      here,
    });
  });

  // Back to the group's page (or a `back` of this site), saying what changed.
  router.post('/error-groups/:id/status', requireLogin, async (req, res) => {
    const id = pathId(req.params.id, 'error group');
    const form = statusForm.safeParse(req.body ?? {});
    if (!form.success) throw new HttpError(400, 'Bad Request', 'Choose a status: open, resolved or ignored.');
    await changeGroupStatus(knex, req.caller!, id, form.data.status, 'web');
    const here = `/error-groups/${id}`;
    const back = new URL(safeNext(form.data.back, here), 'http://feedlog.invalid');
    if (back.pathname === here) back.searchParams.set('done', form.data.status);
    res.redirect(303, `${back.pathname}${back.search}`);
  });

  return router;
}
