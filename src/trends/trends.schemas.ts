import { z } from 'zod';
import { idParam } from '../http/query.js';
import { RANGES } from './buckets.js';

/** The charts of the trends page, each with its table and CSV export. */
export const CHARTS = ['errors', 'success', 'records', 'duration', 'cadence', 'values'] as const;
export type ChartName = (typeof CHARTS)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A custom range's end: a day (YYYY-MM-DD, in the reader's zone) or an RFC 3339 time. */
const rangeEnd = (what: string) =>
  z
    .string()
    .max(40)
    .refine((text) => (DATE.test(text) ? !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) : z.iso.datetime({ offset: true }).safeParse(text).success), {
      message: 'expected a day (YYYY-MM-DD) or an RFC 3339 timestamp',
    })
    .describe(what);

const trendsFilters = {
  org: idParam
    .optional()
    .describe("The organisation (its numeric id): the trends of all its integrations. Without `org` or `integration`, the caller's first organisation."),
  integration: idParam.optional().describe('Only this integration (its numeric id).'),
  range: z
    .enum(RANGES)
    .optional()
    .describe(
      '`24h` (hourly buckets), `7d` (6-hour buckets), `30d` (daily buckets), or `custom` with `from` and `to` (buckets sized to give at most 60). Default `7d`; `from` or `to` alone mean `custom`.',
    ),
  from: rangeEnd(
    "A custom range's start: a day (its midnight in the caller's time zone) or an RFC 3339 time (down to its hour). Default: 7 days before `to`.",
  ).optional(),
  to: rangeEnd(
    "A custom range's end: a day (included: up to the next midnight in the caller's time zone) or an RFC 3339 time (up to its hour). Default: now.",
  ).optional(),
  chart: z.enum(CHARTS).optional().describe("With `format=csv`: which chart's table to export (default `errors`)."),
};

/** The query string of `GET /api/v1/trends`; the OpenAPI document is made from it too. */
export const trendsFiltersSchema = z.object({
  ...trendsFilters,
  format: z.enum(['json', 'csv']).optional().describe("`csv` answers one chart's table (`chart`) as a CSV file."),
});

/** The trends page's query string: the API's parameters, and `format=csv` for one chart's table as a file. */
export const trendsPageSchema = z.object({ ...trendsFilters, format: z.enum(['html', 'csv']).optional() });

export type TrendsQuery = Omit<z.infer<typeof trendsFiltersSchema>, 'format' | 'chart'>;

const time = z.iso.datetime().describe('RFC 3339, UTC.');
const count = z.number().int().min(0);
const nullableNumber = z.number().nullable();

/** One bucket of the trends: every chart's figures for it. */
export const trendsBucketSchema = z.object({
  start: time,
  end: time,
  label: z.string().describe("The bucket as the page labels it, in the caller's time zone."),
  runs: count,
  failed_runs: count,
  runs_with_errors: count,
  success_rate: nullableNumber.describe('Runs that did not fail, in percent of the runs; null without runs.'),
  records: count.describe('Records of all runs in the bucket.'),
  records_per_run_avg: nullableNumber.describe('Records per run that did not fail (a failed run usually sends none); null without such runs.'),
  records_per_run_min: z.number().int().nullable().describe('The smallest run of the bucket that did not fail.'),
  duration_avg_ms: nullableNumber,
  duration_max_ms: z.number().int().nullable(),
  expected_runs: z
    .number()
    .min(0)
    .describe(
      'Runs the schedules called for in the bucket (up to now, from when each integration was created); fractional when an interval does not divide the bucket.',
    ),
  missed_runs: count.describe("Scheduled slots that passed their grace with no run (the scheduler's missed_run gaps)."),
  errors: z.record(z.string(), count).describe('Errors per code (run-level codes such as run_failed included).'),
});

export const trendsValueSchema = z.object({
  group: z.string(),
  integration: z.string(),
  code: z.string(),
  field: z.string().nullable(),
  value: z.string().nullable(),
  expected: z.string().nullable(),
  employees_blocked: count,
  last_seen: time,
});

/** The answer of `GET /api/v1/trends`. */
export const trendsReportSchema = z.object({
  org: z.string(),
  integration: z.string().nullable(),
  range: z.enum(RANGES),
  bucket: z.string().describe('The bucket size: 1h, 3h, 6h, 12h, 1d or 7d.'),
  time_zone: z.string().describe("The caller's time zone: days and 6-hour buckets start at its midnights."),
  from: time,
  to: time,
  codes: z.array(z.string()).describe('The error codes of the range, most errors first.'),
  buckets: z.array(trendsBucketSchema),
  top_values: z.array(trendsValueSchema).describe("The catalog codes' open values now, most employees blocked first (at most 10)."),
});
