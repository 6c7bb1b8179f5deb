/**
 * The caller's own email preferences as JSON. An API token reads what its user may
 * read, so it reads and writes its user's preferences, in the organisations that user
 * belongs to, and nobody else's: there is no user in the path. Support belongs to no
 * organisation and has none.
 */
import express, { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { parseBody, pathId } from '../http/query.js';
import { preferencesBodySchema } from './notifications.schemas.js';
import { preferencesOf, requireMember, saveOwnPreferences } from './notifications.service.js';
import { toPreferencesItem } from './preferences.read.js';

export function preferencesRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/me/email-preferences', requireBearer(knex, 'api'), async (req, res) => {
    const all = await preferencesOf(req.reader, req.caller!);
    res.json({ items: all.map((o) => toPreferencesItem(o.organisation, o.own)) });
  });
  router.put('/api/v1/me/email-preferences/:org', requireBearer(knex, 'api'), express.json({ limit: '16kb' }), async (req, res) => {
    const caller = req.caller!;
    const orgId = pathId(req.params.org, 'organisation');
    requireMember(caller, orgId);
    const fields = parseBody(preferencesBodySchema, req);
    const own = await saveOwnPreferences(knex, caller, orgId, fields);
    const organisation = (await preferencesOf(knex, caller)).find((o) => o.organisation.id === orgId)!.organisation;
    res.json(toPreferencesItem(organisation, own));
  });
  return router;
}
