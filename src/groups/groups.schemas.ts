import { z } from 'zod';
import { ERROR_CODES } from '../classify/error-enums.js';
import { idParam, pageSchema } from '../http/query.js';
import { GROUP_STATUSES, PERSON_SET_STATUSES } from './group-enums.js';

/** The query string of `GET /api/v1/error-groups`, and of the page's filters (same names); the OpenAPI document is made from it too. */
export const groupFiltersSchema = z.object({
  integration: idParam.optional(),
  code: z.enum(ERROR_CODES).optional(),
  status: z.enum(GROUP_STATUSES).optional(),
  ...pageSchema,
});

/** What a person may set; `regressed` is only ever set by a run. */
export const groupStatusChangeSchema = z.strictObject({
  status: z
    .enum(PERSON_SET_STATUSES)
    .describe('`resolved` (fixed; regresses if a newer run shows it again), `ignored` (stays ignored when it occurs again), or `open` (reopen).'),
});
