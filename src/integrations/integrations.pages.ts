import { Router, type Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { actorOf, type Caller } from '../auth/caller.js';
import { adminOrgIds, requireAdminOf } from '../auth/roles.js';
import { requireLogin } from '../auth/web-auth.js';
import { HttpError, notFound } from '../http/errors.js';
import { ConflictError } from '../shared/errors.js';
import { pathId } from '../http/query.js';
import { listOrganisationsIn } from '../orgs/orgs.queries.js';
import { listLiveIngestTokens } from './ingest-tokens.queries.js';
import { findIntegrationIn, listIntegrationsOf } from './integrations.queries.js';
import { rotateIngestTokenOf, scheduleOf } from './integrations.service.js';
import { describeSchedule, formatDuration } from './schedule.js';

/** The token the form meant to replace (0: none), so that a form sent twice rotates once. */
const rotateForm = z.object({ replaces: z.coerce.number().int().min(0) });

async function renderIntegrations(knex: Knex, res: Response, caller: Caller, status: number, rotated?: { integrationId: number; token: string }) {
  const [organisations, integrations, tokens] = await Promise.all([
    listOrganisationsIn(knex, caller.orgIds),
    listIntegrationsOf(knex, caller.orgIds),
    listLiveIngestTokens(knex, caller.orgIds),
  ]);
  const admin = adminOrgIds(caller);
  const view = organisations.map((org) => ({
    ...org,
    canChange: admin.has(org.id),
    integrations: integrations
      .filter((i) => i.org_id === org.id)
      .map((i) => {
        const liveTokens = tokens.filter((t) => t.integration_id === i.id);
        return {
          ...i,
          schedule: describeSchedule(scheduleOf(i)),
          grace: formatDuration(i.grace_seconds),
          tokens: liveTokens,
          newestTokenId: Math.max(0, ...liveTokens.map((t) => t.id)),
          newToken: rotated?.integrationId === i.id ? rotated.token : undefined,
        };
      }),
  }));
  res.status(status).render('integrations/index', { title: 'Integrations · feedlog', organisations: view });
}

/** The integrations of the caller's organisations and their ingest tokens; admins rotate a token here. */
export function integrationPages(knex: Knex): Router {
  const router = Router();
  router.get('/integrations', requireLogin, async (req, res) => {
    await renderIntegrations(req.reader, res, req.caller!, 200);
  });
  router.post('/integrations/:id/rotate-token', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const integration = await findIntegrationIn(knex, caller.orgIds, pathId(req.params.id, 'integration'));
    if (!integration) throw notFound(`No integration ${req.params.id}.`);
    requireAdminOf(caller, integration.org_id, 'rotate ingest tokens');
    const form = rotateForm.safeParse(req.body ?? {});
    if (!form.success) throw new HttpError(400, 'Bad Request', 'The form lacks the token it replaces: reload the integrations page and try again.');
    const { token } = await rotateIngestTokenOf(knex, integration, actorOf(caller), form.data.replaces).catch((error: unknown) => {
      if (error instanceof ConflictError) throw new HttpError(409, 'Conflict', `${error.message} Reload the integrations page to see it.`);
      throw error;
    });
    // Rendered at once rather than redirected: the token exists in clear only in this response.
    res.set('Cache-Control', 'no-store');
    await renderIntegrations(knex, res, caller, 201, { integrationId: integration.id, token });
  });
  return router;
}
