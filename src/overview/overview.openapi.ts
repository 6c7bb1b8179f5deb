/** The overview in the OpenAPI document: its query from the schema that validates it, its answer from a zod schema kept next to the code. */
import { z } from 'zod';
import { API_TOKEN, json, queryParameters, readErrors, tidy } from '../http/openapi-parts.js';
import type { ApiPart, JsonSchema } from '../http/openapi-types.js';
import { HEALTH_STATES } from './health.js';
import { overviewFilterSchema } from './overview.schemas.js';

const share = z.number().min(0).max(1).nullable();
const time = z.iso.datetime();

export const overviewSchema = z.object({
  generated_at: time.describe('The moment the figures are for.'),
  organisations: z.array(
    z.object({
      id: z.int(),
      slug: z.string(),
      name: z.string(),
      totals: z.object({
        integrations_by_health: z.object(Object.fromEntries(HEALTH_STATES.map((state) => [state, z.int().min(0)]))),
        runs_24h: z.int().min(0),
        failed_runs_24h: z.int().min(0),
        success_rate_24h: share.describe('Runs that did not fail, of all runs of the last 24 hours; null without runs.'),
        open_groups: z.int().min(0),
        employees_blocked: z.int().min(0),
      }),
      integrations: z
        .array(
          z.object({
            id: z.int(),
            name: z.string(),
            source_system: z.string().nullable(),
            target_system: z.string().nullable(),
            health: z
              .enum(HEALTH_STATES)
              .describe(
                'missed (a slot passed its grace with no run, or an open missed_run gap), failing (the last run failed, or its failed-record share rose above its normal), late (a slot passed, within grace), silent (no run ever), healthy; the first that applies wins.',
              ),
            reason: z.string().describe('One line saying why, times in UTC.'),
            expected: z.string().describe('The schedule, e.g. "every 15m (grace 10m)".'),
            last_run: z.object({ id: z.int(), run_id: z.string(), status: z.string(), started_at: time }).nullable(),
            next_expected_at: time.nullable().describe('The slot a run is awaited for (in the past while late); null for an interval schedule without a run.'),
            runs_24h: z.int().min(0),
            failed_runs_24h: z.int().min(0),
            success_rate_24h: share,
            errors_7d: z.int().min(0).describe('Errors of all codes in the 7 days up to the end of the current hour.'),
            open_groups: z.record(z.string(), z.int().min(1)).describe('Open or regressed error groups per code.'),
            open_groups_total: z.int().min(0),
            employees_blocked: z.int().min(0).describe('Employees whose latest record failed or who have an open error.'),
          }),
        )
        .describe('Worst health first.'),
    }),
  ),
});

export const overviewApi: ApiPart = {
  tag: { name: 'Overview', description: "Each integration's health and figures at a glance." },
  schemas: () => ({ Overview: tidy(z.toJSONSchema(overviewSchema, { io: 'output' })) as JsonSchema }),
  paths: () => ({
    '/api/v1/overview': {
      get: {
        operationId: 'getOverview',
        summary: "Every integration's health and figures",
        description:
          "Per organisation the caller sees: each integration's health with its reason, last run, next expected run, success rate over 24 hours (run_stats_hourly), errors over 7 days (error_counts_hourly), open error groups per code and employees blocked now; and the organisation's totals. Read from rollups only.",
        tags: ['Overview'],
        security: API_TOKEN,
        parameters: queryParameters(overviewFilterSchema),
        responses: { '200': json('Overview', "The caller's organisations."), ...readErrors },
      },
    },
  }),
};
