import { Router } from 'express';
import type { Knex } from 'knex';
import { requireLogin } from '../auth/web-auth.js';
import { overviewOf, type OverviewRow } from './overview.queries.js';

export interface OrganisationOverview {
  id: number;
  slug: string;
  name: string;
  role: string;
  integrations: OverviewRow[];
}

/** Rows of (organisation, integration) folded into one entry per organisation, in order. */
function byOrganisation(rows: OverviewRow[], roleOf: (orgId: number) => string): OrganisationOverview[] {
  const organisations = new Map<number, OrganisationOverview>();
  for (const row of rows) {
    let entry = organisations.get(row.org_id);
    if (!entry) {
      entry = { id: row.org_id, slug: row.org_slug, name: row.org_name, role: roleOf(row.org_id), integrations: [] };
      organisations.set(row.org_id, entry);
    }
    if (row.integration_id !== null) entry.integrations.push(row);
  }
  return [...organisations.values()];
}

export function homePages(knex: Knex): Router {
  const router = Router();
  router.get('/', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const rows = await overviewOf(knex, caller.orgIds);
    const organisations = byOrganisation(rows, (orgId) => caller.roles.get(orgId) ?? (caller.support ? 'support' : 'none'));
    res.render('home/index', { title: 'Overview · feedlog', organisations });
  });
  return router;
}
