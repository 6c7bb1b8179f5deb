import { z } from 'zod';
import { ERROR_CODES } from '../classify/error-enums.js';
import { cursorParts, cursorSchema, filterText, idParam, pageSchema } from '../http/query.js';
import { GROUP_STATUSES, PERSON_SET_STATUSES } from './group-enums.js';

/** The filters of the groups list, with the same names on the page and in the API. */
const groupFilters = {
  integration: idParam.optional(),
  code: z.enum(ERROR_CODES).optional(),
  status: z.enum(GROUP_STATUSES).optional(),
  q: filterText(200).optional().describe('Only groups whose value, expected value or field contains this text (case-insensitive).'),
  ...pageSchema,
};

/** The query string of `GET /api/v1/error-groups`; the OpenAPI document is made from it too. */
export const groupFiltersSchema = z.object({
  ...groupFilters,
  format: z.enum(['json', 'csv']).optional().describe('`csv` streams every matching group (not just one page) as a CSV file.'),
});

/** The query string of the error groups page: the API's filters, and `format=csv` for the same list as a file. */
export const groupPageSchema = z.object({ ...groupFilters, format: z.enum(['html', 'csv']).optional() });

export type GroupFilters = Pick<z.infer<typeof groupFiltersSchema>, 'integration' | 'code' | 'status' | 'q'>;

/** Members of a group: still affected first, then most recently seen, then by the key of their external ID. */
export const memberCursor = cursorSchema(z.boolean(), cursorParts.time, z.string().regex(/^[0-9a-f]{32}$/));
/** Occurrences of a group: newest (highest error id) first. */
export const occurrenceCursor = cursorSchema(cursorParts.id);

/** The query string of `GET /api/v1/error-groups/{id}`: its members come a page at a time. */
export const groupDetailQuerySchema = z.object({
  members_limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Members (employees affected) per page.'),
  members_cursor: z.string().max(500).optional().describe('The `members_next_cursor` of the previous answer, unchanged.'),
});

/** The group page's query string: a page of members and one of occurrences, and what a change just did. */
export const groupPageQuerySchema = z.object({
  members_cursor: z.string().max(500).optional(),
  occurrences_cursor: z.string().max(500).optional(),
});

/** What a person may set; `regressed` is only ever set by a run. */
export const groupStatusChangeSchema = z.strictObject({
  status: z
    .enum(PERSON_SET_STATUSES)
    .describe('`resolved` (fixed; regresses if a newer run shows it again), `ignored` (stays ignored when it occurs again), or `open` (reopen).'),
});
