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
import { type OrgPreferences, preferencesOf, requireMember, saveOwnPreferences } from './notifications.service.js';
import type { OwnPreferences } from './notifications.queries.js';

/** One organisation's preferences as the API shows them (ids as strings, times RFC 3339 UTC). */
export function toPreferencesItem(organisation: OrgPreferences['organisation'], own: OwnPreferences | null) {
  return {
    organisation: { id: String(organisation.id), slug: organisation.slug, name: organisation.name },
    receives_email: own !== null && own.unsubscribed_at === null,
    preferences: own
      ? {
          integration_ids: own.integration_ids?.map(String) ?? null,
          frequency: own.frequency,
          local_time: own.local_time,
          weekday: own.weekday,
          min_severity: own.min_severity,
          empty_summary: own.empty_summary,
          alerts: own.alerts,
          alert_after_failures: own.alert_after_failures,
          alert_repeat: own.alert_repeat,
        }
      : null,
    unsubscribed_at: own?.unsubscribed_at?.toISOString() ?? null,
    updated_at: own?.updated_at.toISOString() ?? null,
  };
}

export function preferencesRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/me/email-preferences', requireBearer(knex, 'api'), async (req, res) => {
    const all = await preferencesOf(knex, req.caller!);
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
