import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Caller } from '../auth/caller.js';
import { listDrift } from '../drift/drift.queries.js';
import type { Response } from 'express';
import { type CsvColumn, sendCsv } from '../http/csv.js';
import { notFound } from '../http/errors.js';
import { nextDay } from '../shared/day-range.js';
import { type IntegrationRow, listIntegrationsOf } from '../integrations/integrations.queries.js';
import { listOrganisationsIn, type Organisation } from '../orgs/orgs.queries.js';
import { type BucketPlan, bucketLabel, localMidnight, MAX_RANGE_MS, planBuckets, type RangeName } from './buckets.js';
import { expectedRuns, missedRuns } from './cadence.js';
import { firstRunHours, readErrorCounts, readRunStats } from './rollups.queries.js';
import type { ChartName, TrendsQuery, trendsBucketSchema, trendsReportSchema } from './trends.schemas.js';
import { listMissedRunGaps } from './trends.queries.js';

export type TrendsBucket = z.infer<typeof trendsBucketSchema>;
export type TrendsReport = z.infer<typeof trendsReportSchema>;

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Open values the "top mismatched values" table lists. */
export const TOP_VALUES = 10;

export interface TrendsScope {
  organisations: Organisation[];
  org: Organisation | undefined;
  /** The organisation's integrations (what the page's select offers). */
  integrations: IntegrationRow[];
  /** The one integration asked for, if any. */
  integration: IntegrationRow | undefined;
}

/**
 * Whose trends: the integration asked for (a 404 unless the caller may read
 * it, or when `org` names another organisation), else the organisation asked
 * for (a 404 unless the caller's), else the caller's first organisation.
 */
export async function resolveScope(
  knex: Knex,
  caller: Caller,
  query: Pick<TrendsQuery, 'org' | 'integration'>,
  /** The page's form sends both when the reader picks another organisation: the organisation wins there. */
  { orgWins = false } = {},
): Promise<TrendsScope> {
  const organisations = await listOrganisationsIn(knex, caller.orgIds);
  let org: Organisation | undefined;
  let integrations: IntegrationRow[] = [];
  let integration: IntegrationRow | undefined;
  if (query.integration !== undefined) {
    const all = await listIntegrationsOf(knex, caller.orgIds);
    integration = all.find((i) => i.id === query.integration);
    if (integration && orgWins && query.org !== undefined && integration.org_id !== query.org) {
      return resolveScope(knex, caller, { org: query.org });
    }
    if (!integration || (query.org !== undefined && integration.org_id !== query.org)) throw notFound(`No integration ${query.integration}.`);
    org = organisations.find((o) => o.id === integration!.org_id);
    integrations = all.filter((i) => i.org_id === integration!.org_id);
  } else {
    org = query.org === undefined ? organisations[0] : organisations.find((o) => o.id === query.org);
    if (query.org !== undefined && !org) throw notFound(`No organisation ${query.org}.`);
    integrations = org ? await listIntegrationsOf(knex, [org.id]) : [];
  }
  return { organisations, org, integrations, integration };
}

/** The range a query asks for: a preset, or custom from `from` and `to` (days in the reader's zone, or times). */
export function planOf(query: Pick<TrendsQuery, 'range' | 'from' | 'to'>, timeZone: string, now: Date): BucketPlan {
  const range: RangeName = query.range ?? (query.from !== undefined || query.to !== undefined ? 'custom' : '7d');
  if (range !== 'custom') return planBuckets(range, timeZone, now);
  const at = (text: string, end: boolean) => {
    if (!DATE.test(text)) return new Date(text);
    const midnight = localMidnight(text, timeZone);
    // The end of a day is the next date's midnight, worked out on the date itself: from the local midnight's
    // UTC date, zones 12 hours or more from UTC landed a day off.
    return end ? localMidnight(nextDay(text), timeZone) : midnight;
  };
  const to = query.to === undefined ? now : at(query.to, true);
  let from = query.from === undefined ? new Date(to.getTime() - 7 * DAY_MS) : at(query.from, false);
  if (from.getTime() >= to.getTime()) from = new Date(to.getTime() - DAY_MS);
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) from = new Date(to.getTime() - MAX_RANGE_MS);
  return planBuckets('custom', timeZone, now, { from, to });
}

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
const ratio = (sum: number, n: number) => (n === 0 ? null : Math.round((sum / n) * 10) / 10);

/**
 * The trends of a scope over a range: per bucket, the runs and their figures
 * (run_stats_hourly), the errors per code (error_counts_hourly), the runs the
 * schedules expected and the missed slots (integration_events); and the open
 * catalog values blocking most employees (error_groups).
 */
export async function readTrends(knex: Knex, scope: TrendsScope, plan: BucketPlan, now: Date): Promise<TrendsReport> {
  const inScope = scope.integration ? [scope.integration] : scope.integrations;
  const orgId = scope.org?.id ?? 0;
  const ids = inScope.map((i) => i.id);
  const rollupScope = { orgId, integrationIds: ids, from: plan.from, to: plan.to, bucketStarts: plan.buckets.map((b) => b.start) };
  const [stats, errorCounts, gaps, values, firstRuns] = await Promise.all([
    readRunStats(knex, rollupScope),
    readErrorCounts(knex, rollupScope),
    listMissedRunGaps(knex, orgId, ids, plan.from, plan.to),
    scope.org ? listDrift(knex, [orgId], { integration: scope.integration?.id }, TOP_VALUES) : Promise.resolve([]),
    firstRunHours(knex, orgId, ids),
  ]);
  const schedules = inScope.map((i) => ({
    intervalSeconds: i.schedule_interval_seconds,
    cron: i.schedule_cron,
    timeZone: i.schedule_time_zone,
    // Expected from its creation, or from its first run when runs were sent from before (a backfill).
    since: new Date(Math.min(i.created_at.getTime(), firstRuns.get(i.id)?.getTime() ?? Number.POSITIVE_INFINITY)),
  }));
  const expected = expectedRuns(schedules, plan.buckets, now);
  const scheduleOf = new Map(
    inScope.map((i) => [i.id, { intervalSeconds: i.schedule_interval_seconds, cron: i.schedule_cron, timeZone: i.schedule_time_zone }]),
  );
  const missed = missedRuns(
    gaps.flatMap((g) => {
      const schedule = scheduleOf.get(Number(g.integration_id));
      return schedule ? [{ schedule, dueAt: g.due_at, lastDueAt: g.last_due_at, missedSlots: g.missed_slots }] : [];
    }),
    plan.buckets,
  );
  const statsOf = new Map(stats.map((s) => [Number(s.bucket), s]));
  const errorsOf = new Map<number, Record<string, number>>();
  const totals = new Map<string, number>();
  for (const e of errorCounts) {
    const counts = errorsOf.get(Number(e.bucket)) ?? {};
    counts[e.code] = Number(e.errors);
    errorsOf.set(Number(e.bucket), counts);
    totals.set(e.code, (totals.get(e.code) ?? 0) + Number(e.errors));
  }
  const buckets = plan.buckets.map((bucket, i): TrendsBucket => {
    const s = statsOf.get(i + 1);
    const runs = s?.runs ?? 0;
    return {
      start: bucket.start.toISOString(),
      end: bucket.end.toISOString(),
      label: bucketLabel(bucket, plan),
      runs,
      failed_runs: s?.failed_runs ?? 0,
      runs_with_errors: s?.runs_with_errors ?? 0,
      success_rate: percent(runs - (s?.failed_runs ?? 0), runs),
      records: s?.records ?? 0,
      records_per_run_avg: ratio(s?.completed_records ?? 0, runs - (s?.failed_runs ?? 0)),
      records_per_run_min: s?.min_completed_records ?? null,
      duration_avg_ms: s ? Math.round(s.duration_ms / runs) : null,
      duration_max_ms: s ? s.max_duration_ms : null,
      expected_runs: expected[i] ?? 0,
      missed_runs: missed[i] ?? 0,
      errors: errorsOf.get(i + 1) ?? {},
    };
  });
  return {
    org: String(orgId),
    integration: scope.integration ? String(scope.integration.id) : null,
    range: plan.range,
    bucket: plan.size,
    time_zone: plan.timeZone,
    from: plan.from.toISOString(),
    to: plan.to.toISOString(),
    codes: [...totals.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([code]) => code),
    buckets,
    top_values: values.slice(0, TOP_VALUES).map((d) => ({
      group: String(d.id),
      integration: String(d.integration_id),
      code: d.code,
      field: d.field,
      value: d.value,
      expected: d.expected,
      employees_blocked: d.employees_blocked,
      last_seen: d.last_seen_started_at.toISOString(),
    })),
  };
}

type BucketColumn = CsvColumn<TrendsBucket>;
const bucketColumns: BucketColumn[] = [
  { header: 'bucket_start', cell: (b) => b.start },
  { header: 'bucket_end', cell: (b) => b.end },
  { header: 'label', cell: (b) => b.label },
];

/** One chart's table as CSV: its columns, and its rows. */
export function chartCsv(report: TrendsReport, chart: ChartName): { columns: CsvColumn<never>[]; rows: unknown[] } {
  const table = (columns: BucketColumn[]) => ({ columns: [...bucketColumns, ...columns] as CsvColumn<never>[], rows: report.buckets });
  switch (chart) {
    case 'errors':
      return table(report.codes.map((code) => ({ header: code, cell: (b: TrendsBucket) => b.errors[code] ?? 0 })));
    case 'success':
      return table([
        { header: 'runs', cell: (b) => b.runs },
        { header: 'failed_runs', cell: (b) => b.failed_runs },
        { header: 'runs_with_errors', cell: (b) => b.runs_with_errors },
        { header: 'success_rate_percent', cell: (b) => b.success_rate },
      ]);
    case 'records':
      return table([
        { header: 'runs', cell: (b) => b.runs },
        { header: 'failed_runs', cell: (b) => b.failed_runs },
        { header: 'records', cell: (b) => b.records },
        { header: 'records_per_run_avg', cell: (b) => b.records_per_run_avg },
        { header: 'records_per_run_min', cell: (b) => b.records_per_run_min },
      ]);
    case 'duration':
      return table([
        { header: 'runs', cell: (b) => b.runs },
        { header: 'duration_avg_ms', cell: (b) => b.duration_avg_ms },
        { header: 'duration_max_ms', cell: (b) => b.duration_max_ms },
      ]);
    case 'cadence':
      return table([
        { header: 'runs', cell: (b) => b.runs },
        { header: 'expected_runs', cell: (b) => b.expected_runs },
        { header: 'missed_runs', cell: (b) => b.missed_runs },
      ]);
    case 'values': {
      type Value = TrendsReport['top_values'][number];
      const columns: CsvColumn<Value>[] = [
        { header: 'employees_blocked', cell: (v) => v.employees_blocked },
        { header: 'code', cell: (v) => v.code },
        { header: 'field', cell: (v) => v.field },
        { header: 'value', cell: (v) => v.value },
        { header: 'expected', cell: (v) => v.expected },
        { header: 'integration', cell: (v) => v.integration },
        { header: 'last_seen', cell: (v) => v.last_seen },
        { header: 'group', cell: (v) => v.group },
      ];
      return { columns: columns as CsvColumn<never>[], rows: report.top_values };
    }
  }
}

/** The CSV's file name: the chart, the scope and the range. */
const csvName = (report: TrendsReport, chart: ChartName) =>
  `trends-${chart}-${report.integration ? `integration-${report.integration}` : `org-${report.org}`}-${report.from.slice(0, 13)}-${report.to.slice(0, 13)}.csv`.replaceAll(
    ':',
    '',
  );

async function* once<Row>(rows: Row[]) {
  yield rows;
}

/** One chart's table as a CSV file (the page's and the API's `format=csv`; `errors` when no chart is named). */
export async function sendChartCsv(res: Response, report: TrendsReport, chart: ChartName = 'errors'): Promise<void> {
  const { columns, rows } = chartCsv(report, chart);
  await sendCsv(res, csvName(report, chart), columns, once(rows as never[]));
}
