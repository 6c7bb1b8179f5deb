import { Router } from 'express';
import { requireLogin } from '../auth/web-auth.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { notFound } from '../http/errors.js';
import { pageLink } from '../http/links.js';
import { decodeCursor, page, parsePageQuery, recordCursor } from '../http/query.js';
import { listIntegrationsOf } from '../integrations/integrations.queries.js';
import { shorten } from '../shared/shorten.js';
import { exactTime } from '../shared/time-format.js';
import { countStates, listEmployeeSummaries, type SummaryFilters } from './employee-summaries.queries.js';
import { EMPLOYEE_STATES, searchWords } from './employee-summary.js';
import { EMPLOYEE_CSV_COLUMNS, employeeHref, employeeView, FIELD_LABELS, fullName, summaryKeyOf, toEmployeeItem } from './employees.read.js';
import { employeeListPageSchema, employeePageSchema, summaryCursor } from './employees.schemas.js';
import { explanationText } from './explanation.js';

/** A value of the field diff as the timeline shows it: quoted, cut when long. */
function valueText(value: unknown): string {
  if (value === undefined) return '(not sent)';
  if (value === null || value === '') return '(empty)';
  return typeof value === 'string' ? `'${shorten(value, 100)}'` : shorten(JSON.stringify(value), 100);
}

/**
 * The mapped-employees list (the Planday FAQ's columns, filters as the API's,
 * CSV with `format=csv`) and the employee page (state per integration, open
 * errors with guidance, the timeline, the explanation to paste).
 */
export function employeePages(): Router {
  const router = Router();

  router.get('/employees', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { limit, cursor, format, q, ...rest } = parsePageQuery(employeeListPageSchema, req);
    const filters: SummaryFilters = { ...rest, words: q ? searchWords(q) : [] };
    const after = decodeCursor(cursor, summaryCursor);
    if (format === 'csv') {
      const batches = keysetBatches((from, size) => listEmployeeSummaries(req.reader, caller.orgIds, filters, size, from), summaryKeyOf, after);
      await sendCsv(res, 'employees.csv', EMPLOYEE_CSV_COLUMNS, batches);
      return;
    }
    const [rows, integrations] = await Promise.all([
      listEmployeeSummaries(req.reader, caller.orgIds, filters, limit, after),
      listIntegrationsOf(req.reader, caller.orgIds),
    ]);
    const integration = filters.integration === undefined ? undefined : integrations.find((i) => i.id === filters.integration);
    // Counted for one integration only, on its first page, through the state index: a count over every organisation, or on every page, would not be cheap.
    const counts = integration && !cursor ? await countStates(req.reader, caller.orgIds, integration.id) : undefined;
    const { items, next_cursor } = page(rows, limit, summaryKeyOf, (row) => ({
      ...toEmployeeItem(row),
      href: employeeHref(row.external_id, row.integration_id),
    }));
    const query = (changes: Record<string, string | undefined>) => pageLink('/employees', { integration: rest.integration, state: rest.state, q }, changes);
    res.render('employees/index', {
      title: 'Employees · feedlog',
      employees: items,
      integrations,
      integration,
      counts,
      filters: { ...rest, q },
      states: EMPLOYEE_STATES,
      showIntegration: integration === undefined && integrations.length > 1,
      csvHref: query({ format: 'csv' }),
      stateHref: (state: string) => query({ state }),
      nextPage: next_cursor ? query({ cursor: next_cursor, limit: String(limit) }) : null,
      firstPage: cursor ? query({}) : null,
      anythingSent: items.length > 0 || cursor !== undefined || filters.state !== undefined || (filters.words?.length ?? 0) > 0,
    });
  });

  router.get('/employees/:external_id', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { integration, limit, cursor } = parsePageQuery(employeePageSchema, req);
    const externalId = String(req.params.external_id);
    const missing = () => notFound(`No employee with external ID ${JSON.stringify(externalId)}.`);
    // No stored ID holds a NUL (ingest refuses it), and PostgreSQL would fail the query on one.
    if (externalId.includes('\0')) throw missing();
    const view = await employeeView(req.reader, caller.orgIds, externalId, { integration, limit, after: decodeCursor(cursor, recordCursor) });
    if (!view) throw missing();
    const here = employeeHref(externalId, integration);
    const nextQuery = new URLSearchParams({ ...(integration === undefined ? {} : { integration: String(integration) }), limit: String(limit) });
    if (view.nextCursor) nextQuery.set('cursor', view.nextCursor);
    res.render('employees/show', {
      title: `${view.name} · Employees · feedlog`,
      view,
      integration,
      here,
      allHref: employeeHref(externalId),
      hrefIn: (integrationId: number) => employeeHref(externalId, integrationId),
      fieldLabels: FIELD_LABELS,
      fullName,
      valueText,
      explanation: explanationText(view, (at) => exactTime(at, caller.timeZone)),
      nextPage: view.nextCursor ? `/employees/${encodeURIComponent(externalId)}?${nextQuery}` : null,
      firstPage: cursor ? here : null,
    });
  });

  return router;
}
