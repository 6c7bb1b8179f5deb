import { z } from 'zod';
import { idParam, pageSchema, timestampParam } from '../http/query.js';

/** The codes of integration events: a missed run is the only one so far. */
export const EVENT_CODES = ['missed_run'] as const;

/** The query string of `GET /api/v1/events`; the OpenAPI document is made from it too. */
export const eventFiltersSchema = z.object({
  integration: idParam.optional(),
  code: z.enum(EVENT_CODES).optional(),
  open: z.enum(['true', 'false']).optional(),
  from: timestampParam.optional(),
  to: timestampParam.optional(),
  format: z.enum(['json', 'csv']).optional(),
  ...pageSchema,
});

export type EventFilters = Pick<z.infer<typeof eventFiltersSchema>, 'integration' | 'code' | 'open' | 'from' | 'to'>;
