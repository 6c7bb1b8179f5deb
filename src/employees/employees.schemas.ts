import { z } from 'zod';
import { cursorSchema, filterText, idParam, pageSchema } from '../http/query.js';
import { EMPLOYEE_STATES } from './employee-summary.js';

/** The query string of `GET /api/v1/employees/{external_id}`; the OpenAPI document is made from it too. */
export const employeeQuerySchema = z.object({ integration: idParam.optional(), ...pageSchema });

/** The query string of `GET /api/v1/employees` (mapped employees, and search with `q`); the OpenAPI document is made from it too. */
export const employeeListSchema = z.object({
  q: filterText(200).optional().describe('Name, email or external ID contains every word of this (partial; capitals and accents ignored).'),
  integration: idParam.optional(),
  state: z.enum(EMPLOYEE_STATES).optional(),
  format: z.enum(['json', 'csv']).optional(),
  ...pageSchema,
});

// Pages read these through parsePageQuery: an empty field ("all", an empty search box) is no
// filter at all there, where the API refuses it.

/** The mapped-employees page: the API's filters with the same names, `format` html or csv. */
export const employeeListPageSchema = z.object({
  q: filterText(200).optional(),
  integration: idParam.optional(),
  state: z.enum(EMPLOYEE_STATES).optional(),
  format: z.enum(['html', 'csv']).optional(),
  ...pageSchema,
});

/** The employee page: one integration or all, and the timeline's page. */
export const employeePageSchema = z.object({ integration: idParam.optional(), ...pageSchema });

/** The search page: the header's search box. */
export const searchPageSchema = z.object({ q: z.string().max(200).optional() });

const cursorId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** The employees list's keyset: organisation, integration, sort key (at most 60 code points), id. */
export const summaryCursor = cursorSchema(
  cursorId,
  cursorId,
  z
    .string()
    .max(200)
    .refine((text) => !text.includes('\0')),
  cursorId,
);
