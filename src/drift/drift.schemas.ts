import { z } from 'zod';
import { cursorParts, cursorSchema, idParam, pageSchema } from '../http/query.js';

/** The catalog codes: values the target's catalog must hold letter for letter, by the field they are about. */
export const DRIFT_CODES = {
  job_title: 'job_title_mismatch',
  department: 'department_mismatch',
  branch: 'branch_mismatch',
} as const;
export const DRIFT_FIELDS = Object.keys(DRIFT_CODES) as (keyof typeof DRIFT_CODES)[];

const driftFilters = {
  integration: idParam.optional().describe("Only this integration (its numeric id); all the caller's integrations otherwise."),
  field: z.enum(DRIFT_FIELDS).optional().describe('Only values of this field.'),
  ...pageSchema,
};

/** The query string of `GET /api/v1/drift`; the OpenAPI document is made from it too. */
export const driftFiltersSchema = z.object({
  ...driftFilters,
  format: z.enum(['json', 'csv']).optional().describe('`csv` streams every value (not just one page) as a CSV file.'),
});

/** The drift page's query string: the API's filters, and `format=csv` for the same list as a file. */
export const driftPageSchema = z.object({ ...driftFilters, format: z.enum(['html', 'csv']).optional() });

export type DriftFilters = Pick<z.infer<typeof driftFiltersSchema>, 'integration' | 'field'>;

/** Drift is ranked by employees blocked, then most recently seen: (employees blocked, last seen, group id). */
export const driftCursor = cursorSchema(z.number().int().min(0).max(2_147_483_647), cursorParts.time, cursorParts.id);
