/** Trends in the OpenAPI document, its query described by the very schema that validates it. */
import { z } from 'zod';
import { API_TOKEN, problem, queryParameters, readErrors, ref, tidy } from '../http/openapi-parts.js';
import type { ApiPart, JsonSchema } from '../http/openapi-types.js';
import { trendsFiltersSchema, trendsReportSchema } from './trends.schemas.js';

export const trendsApi: ApiPart = {
  tag: { name: 'Trends', description: "An organisation's or an integration's runs and errors over time, read from the hourly rollups." },
  paths: () => ({
    '/api/v1/trends': {
      get: {
        operationId: 'getTrends',
        summary: 'Trends of runs and errors over a range',
        description:
          "The figures of the trends page: for each bucket of the range (hourly for 24h, 6-hourly for 7d, daily for 30d, sized to the range for custom; days in the caller's time zone), the runs, failed runs, success rate, records per run (average and minimum), duration (average and maximum), runs the schedule expected, missed runs, and errors per code; and the open catalog values blocking most employees. With `format=csv`, one chart's table (`chart`) as a CSV file.",
        tags: ['Trends'],
        security: API_TOKEN,
        parameters: queryParameters(trendsFiltersSchema),
        responses: {
          '200': {
            description: "The trends, or with `format=csv` one chart's table as CSV.",
            content: { 'application/json': { schema: ref('TrendsReport') }, 'text/csv': { schema: { type: 'string' } } },
          },
          '404': problem('NotFound'),
          ...readErrors,
        },
      },
    },
  }),
  schemas: () => ({ TrendsReport: tidy(z.toJSONSchema(trendsReportSchema, { io: 'output' })) as JsonSchema }),
};
