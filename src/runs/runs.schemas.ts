import { z } from 'zod';
import { RUN_STATUSES, RUN_TRIGGERS } from '../classify/feed-enums.js';
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
