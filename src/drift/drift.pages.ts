import { Router } from 'express';
import { requireLogin } from '../auth/web-auth.js';
import { keysetBatches, sendCsv } from '../http/csv.js';
import { pageLink } from '../http/links.js';
import { decodeCursor, encodeCursor, parsePageQuery } from '../http/query.js';
import { listIntegrationsOf } from '../integrations/integrations.queries.js';
import { listDrift } from './drift.queries.js';
import { driftCsvColumns, driftKey, toDriftRow } from './drift.read.js';
import { DRIFT_FIELDS, driftCursor, driftPageSchema } from './drift.schemas.js';

const link = (query: Record<string, string | number | undefined>) => pageLink('/drift', query);

/**
 * Catalog drift: every value the source sends that the target's catalog lacks,
 * with the near match, the employees it blocks and the one-line fix, ranked so
 * that an admin fixes the most people first.
 */
export function driftPages(): Router {
  const router = Router();
  router.get('/drift', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { limit, cursor, format, ...filters } = parsePageQuery(driftPageSchema, req);
    const after = decodeCursor(cursor, driftCursor);
    const integrations = await listIntegrationsOf(req.reader, caller.orgIds);
    const integrationById = new Map(integrations.map((i) => [i.id, i]));
    if (format === 'csv') {
      const fetchAfter = (from: [number, string, number] | undefined, size: number) => listDrift(req.reader, caller.orgIds, filters, size, from);
      await sendCsv(
        res,
        'catalog-drift.csv',
        driftCsvColumns((id) => integrationById.get(id)),
        keysetBatches(fetchAfter, driftKey, after),
      );
      return;
    }
    const rows = await listDrift(req.reader, caller.orgIds, filters, limit, after);
    const last = rows[limit - 1];
    const base = { ...filters, limit: limit === 50 ? undefined : limit };
    const selected = filters.integration === undefined ? undefined : integrationById.get(filters.integration);
    res.render('drift/index', {
      title: 'Catalog drift · feedlog',
      rows: rows.slice(0, limit).map((d) => toDriftRow(d, integrationById.get(d.integration_id))),
      integrations,
      selected,
      filters,
      fields: DRIFT_FIELDS,
      filtered: Object.values(filters).some((value) => value !== undefined),
      nextPage: rows.length > limit && last ? link({ ...base, cursor: encodeCursor(driftKey(last)) }) : null,
      firstPage: cursor ? link(base) : null,
      csvHref: link({ ...filters, format: 'csv' }),
    });
  });
  return router;
}
