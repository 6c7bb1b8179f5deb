import { Router } from 'express';
import type { Knex } from 'knex';
import { requireBearer } from '../auth/bearer.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { notFound } from '../http/errors.js';
import { decodeCursor, page, parseQuery, recordCursor } from '../http/query.js';
import { recordsPage } from '../records/records.read.js';
import { listRecords } from '../records/records.read.queries.js';
import { employeeStatesOf } from './employee-states.queries.js';
import { listEmployeeSummaries } from './employee-summaries.queries.js';
import { searchWords } from './employee-summary.js';
import { EMPLOYEE_CSV_COLUMNS, employeeItemsOf, summaryKeyOf, toEmployeeItem } from './employees.read.js';
import { employeeListSchema, employeeQuerySchema, summaryCursor } from './employees.schemas.js';

export function employeesRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/v1/employees', requireBearer(knex, 'api'), async (req, res) => {
    const { limit, cursor, format, q, ...filters } = parseQuery(employeeListSchema, req);
    const orgIds = req.caller!.orgIds;
    const after = decodeCursor(cursor, summaryCursor);
    const fetchAfter = (from: typeof after, size: number) =>
      listEmployeeSummaries(req.reader, orgIds, { ...filters, words: q ? searchWords(q) : [] }, size, from);
    if (format === 'csv') {
      await sendCsv(res, 'employees.csv', EMPLOYEE_CSV_COLUMNS, keysetBatches(fetchAfter, summaryKeyOf, after));
      return;
    }
    res.json(page(await fetchAfter(after, limit), limit, summaryKeyOf, toEmployeeItem));
  });
  router.get('/api/v1/employees/:external_id', requireBearer(knex, 'api'), async (req, res) => {
    const { integration, limit, cursor } = parseQuery(employeeQuerySchema, req);
    const externalId = String(req.params.external_id);
    // No stored ID holds a NUL (ingest refuses it), and PostgreSQL would fail the query on one.
    if (externalId.includes('\0')) throw notFound(`No employee with external ID ${JSON.stringify(externalId)}.`);
    const orgIds = req.caller!.orgIds;
    const after = decodeCursor(cursor, recordCursor);
    const [states, summaries, rows] = await Promise.all([
      employeeStatesOf(req.reader, orgIds, externalId, integration),
      employeeItemsOf(req.reader, orgIds, externalId, integration),
      listRecords(req.reader, orgIds, { external_id: externalId, integration }, limit, after),
    ]);
    const records = await recordsPage(req.reader, rows, limit);
    if (states.length === 0 && summaries.length === 0 && records.items.length === 0) throw notFound(`No employee with external ID ${externalId}.`);
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
      summaries,
      records,
    });
  });
  return router;
}
