import { z } from 'zod';
import { ERROR_CODES } from '../classify/error-enums.js';
import { RECORD_FIELDS, RECORD_OUTCOMES, RUN_STATUSES, RUN_TRIGGERS } from '../classify/feed-enums.js';
import { filterText, idParam, pageSchema, timestampParam } from '../http/query.js';

/** The query string of `GET /api/v1/sync-runs`; the OpenAPI document is made from it too. */
export const runFiltersSchema = z.object({
  integration: idParam.optional(),
  status: z.enum(RUN_STATUSES).optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  from: timestampParam.optional(),
  to: timestampParam.optional(),
  run_id: filterText(200).optional(),
  format: z.enum(['json', 'csv']).optional(),
  ...pageSchema,
});

/** A date as an `<input type="date">` sends it (a whole day in the reader's time zone), or an RFC 3339 timestamp as the API takes. */
const dayOrTimestamp = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'expected a date (YYYY-MM-DD) or an RFC 3339 timestamp' });

const pageFields = {
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(500).optional(),
  format: z.enum(['html', 'csv']).optional(),
};

// Pages read these through parsePageQuery: an empty field of a filter form means "no filter".

/** The feed logs page (GET /runs): the API's filters by the same names, dates as a date input types them too. */
export const runPageSchema = z.object({
  integration: idParam.optional(),
  status: z.enum(RUN_STATUSES).optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  from: dayOrTimestamp.optional(),
  to: dayOrTimestamp.optional(),
  run_id: filterText(200).optional(),
  ...pageFields,
});

/** A run's page (GET /runs/:id): its records' filters, named as in GET /api/v1/records. */
export const runRecordsPageSchema = z.object({
  outcome: z.enum(RECORD_OUTCOMES).optional(),
  code: z.enum(ERROR_CODES).optional(),
  field: z.enum(RECORD_FIELDS).optional(),
  q: filterText(200).optional(),
  ...pageFields,
});

/** The run page's cursor: the index of the last record shown. */
export const recordIndexCursor = z.tuple([z.number().int().min(0).max(2_147_483_647)]);
