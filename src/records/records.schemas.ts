import { z } from 'zod';
import { ERROR_CODES, SEVERITIES } from '../classify/error-enums.js';
import { RECORD_FIELDS, RECORD_OUTCOMES } from '../classify/feed-enums.js';
import { filterText, idParam, pageSchema, timestampParam } from '../http/query.js';

/** The query string of `GET /api/v1/records`; the OpenAPI document is made from it too. */
export const recordFiltersSchema = z.object({
  run: idParam.optional(),
  integration: idParam.optional(),
  // As long as a request line can carry: ingest stores longer values than any
  // sane ID or email (issue 9), and a stored value must be found by it.
  external_id: filterText(8_000).optional(),
  email: filterText(8_000).optional(),
  q: filterText(200).optional(),
  code: z.enum(ERROR_CODES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  outcome: z.enum(RECORD_OUTCOMES).optional(),
  field: z.enum(RECORD_FIELDS).optional(),
  from: timestampParam.optional(),
  to: timestampParam.optional(),
  format: z.enum(['json', 'csv']).optional(),
  ...pageSchema,
});
