import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, parseQuery, recordCursor } from '../http/query.js';
import { recordsPage } from '../records/records.read.js';
import { listRecords } from '../records/records.read.queries.js';
import { employeeStatesOf } from './employee-states.queries.js';
import { employeeQuerySchema } from './employees.schemas.js';

export function employeesRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/employees/:external_id', requireBearer(knex, 'api'), async (req, res) => {
    const { integration, limit, cursor } = parseQuery(employeeQuerySchema, req);
    const externalId = String(req.params.external_id);
    // No stored ID holds a NUL (ingest refuses it), and PostgreSQL would fail the query on one.
    if (externalId.includes('\0')) throw notFound(`No employee with external ID ${JSON.stringify(externalId)}.`);
    const orgIds = req.caller!.orgIds;
    const after = decodeCursor(cursor, recordCursor);
    const states = await employeeStatesOf(knex, orgIds, externalId, integration);
    const records = await recordsPage(knex, await listRecords(knex, orgIds, { external_id: externalId, integration }, limit, after), limit);
    if (states.length === 0 && records.items.length === 0) throw notFound(`No employee with external ID ${externalId}.`);
    res.json({
      external_id: externalId,
      states: states.map((s) => ({
        integration: { id: String(s.integration_id), name: s.integration_name },
        active: s.active,
        first_name: s.first_name,
        last_name: s.last_name,
        email: s.email,
        as_of: s.state_started_at.toISOString(),
        run: String(s.sync_run_id),
      })),
      records,
    });
  });
  return router;
}
