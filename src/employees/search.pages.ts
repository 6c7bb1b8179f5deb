import { Router } from 'express';
import { requireLogin } from '../auth/web-auth.js';
import { parsePageQuery } from '../http/query.js';
import { searchEmployeeSummaries } from './employee-summaries.queries.js';
import { searchWords } from './employee-summary.js';
import { employeeHref, fullName, toEmployeeItem } from './employees.read.js';
import { searchPageSchema } from './employees.schemas.js';

/** Results shown at most; beyond, the page asks for a narrower search. */
export const SEARCH_LIMIT = 50;

/**
 * The header's search: employees the caller may see (every organisation for
 * support) whose name, email or external ID contain every word of `q`, with
 * capitals and accents ignored. Exactly one match opens that employee.
 */
export function searchPages(): Router {
  const router = Router();
  router.get('/search', requireLogin, async (req, res) => {
    const { q } = parsePageQuery(searchPageSchema, req);
    const words = searchWords(q ?? '');
    const rows = await searchEmployeeSummaries(req.reader, req.caller!.orgIds, words, SEARCH_LIMIT);
    if (rows.length === 1) {
      res.redirect(303, employeeHref(rows[0]!.external_id, rows[0]!.integration_id));
      return;
    }
    res.locals.searchText = q ?? '';
    res.render('employees/search', {
      title: q ? `${q} · Search · feedlog` : 'Search · feedlog',
      q: q ?? '',
      searched: words.length > 0,
      results: rows
        .slice(0, SEARCH_LIMIT)
        .map((row) => ({ ...toEmployeeItem(row), name: fullName(row), href: employeeHref(row.external_id, row.integration_id) })),
      more: rows.length > SEARCH_LIMIT,
      limit: SEARCH_LIMIT,
      showOrganisation: new Set(rows.map((row) => row.org_id)).size > 1 || req.caller!.support,
    });
  });
  return router;
}
