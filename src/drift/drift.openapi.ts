/** Catalog drift in the OpenAPI document, its query described by the very schema that validates it. */
import { API_TOKEN, queryParameters, readErrors, ref } from '../http/openapi-parts.js';
import type { ApiPart } from '../http/openapi-types.js';
import { driftFiltersSchema } from './drift.schemas.js';

export const driftApi: ApiPart = {
  tag: { name: 'Catalog drift', description: "Values the source sends that the target's catalog lacks." },
  paths: () => ({
    '/api/v1/drift': {
      get: {
        operationId: 'listDrift',
        summary: "List values the target's catalog lacks",
        description:
          'Every job title, department and branch the source sends that the target does not have letter for letter (the open and regressed groups of `job_title_mismatch`, `department_mismatch` and `branch_mismatch`), with the near match, the employees it blocks and a one-line fix; most employees blocked first. With `format=csv`, every value as one streamed CSV file.',
        tags: ['Catalog drift'],
        security: API_TOKEN,
        parameters: queryParameters(driftFiltersSchema),
        responses: {
          '200': {
            description: 'A page of drifted values, or with `format=csv` all of them as CSV.',
            content: { 'application/json': { schema: ref('DriftPage') }, 'text/csv': { schema: { type: 'string' } } },
          },
          ...readErrors,
        },
      },
    },
  }),
};
