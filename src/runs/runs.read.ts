import type { Knex } from 'knex';
import { ERROR_CODES } from '../classify/error-enums.js';
import { RECORD_OUTCOMES } from '../classify/feed-enums.js';
import type { CsvColumn } from '../http/csv.js';
import { guidanceContextOf, toApiError } from '../records/records.read.js';
import { type FeedLogRow, scheduleOf, withGaps } from './run-gaps.js';
import { toRunSummary } from './run-summary.js';
import {
  type IntegrationSchedule,
  integrationSchedules,
  listSyncRuns,
  olderRunStart,
  type RunFilters,
  runLevelErrors,
  type RunWithIntegration,
} from './runs.read.queries.js';

export const toRunItem = (row: RunWithIntegration) => toRunSummary(row, { id: row.integration_id, name: row.integration_name });

export const runKey = (row: RunWithIntegration): [string, number] => [row.started_at.toISOString(), row.id];

export const contextOfRun = (run: RunWithIntegration) =>
  guidanceContextOf({ source_system: run.integration_source_system, target_system: run.integration_target_system });

/** The run as GET /api/v1/sync-runs/{id} answers it: its run-level errors with their group and guidance. */
export async function runDetail(knex: Knex, run: RunWithIntegration) {
  const context = contextOfRun(run);
  const errors = await runLevelErrors(knex, run);
  return { ...toRunItem(run), run_error: run.run_error, errors: errors.map((error) => toApiError(error, context)) };
}

/** The codes a run can count (missed_run belongs to the integration, never to a run). */
export const RUN_ERROR_CODES = ERROR_CODES.filter((code) => code !== 'missed_run');

/** One row per run: what it was, and its counts per outcome and per error code, a column each. */
export const RUN_CSV_COLUMNS: CsvColumn<RunWithIntegration>[] = [
  { header: 'id', cell: (r) => r.id },
  { header: 'run_id', cell: (r) => r.run_id },
  { header: 'integration', cell: (r) => r.integration_name },
  { header: 'trigger', cell: (r) => r.trigger },
  { header: 'status', cell: (r) => r.status },
  { header: 'started_at', cell: (r) => r.started_at },
  { header: 'finished_at', cell: (r) => r.finished_at },
  { header: 'records', cell: (r) => r.record_count },
  ...RECORD_OUTCOMES.map((outcome) => ({ header: outcome, cell: (r: RunWithIntegration) => r.counts[outcome] ?? 0 })),
  ...RUN_ERROR_CODES.map((code) => ({ header: code, cell: (r: RunWithIntegration) => r.error_counts[code] ?? 0 })),
];

export interface FeedLogPage {
  rows: FeedLogRow<RunWithIntegration & { integrationId: number; startedAt: Date }>[];
  hasMore: boolean;
  nextCursor: [string, number] | null;
  hiddenGaps: number;
  /** False when the list is filtered by status or trigger: gaps are between all runs, which it does not show. */
  gapsShown: boolean;
  integrations: IntegrationSchedule[];
}

/**
 * One page of the feed logs: the runs, and where the list holds every run of
 * its integrations (no status or trigger filter), the gaps where a scheduled
 * run did not arrive, including the one still open at the top of the first page.
 */
export async function feedLogPage(
  knex: Knex,
  orgIds: number[],
  filters: RunFilters,
  limit: number,
  after: [string, number] | undefined,
  now: Date,
): Promise<FeedLogPage> {
  const [fetched, integrations] = await Promise.all([listSyncRuns(knex, orgIds, filters, limit, after), integrationSchedules(knex, orgIds)]);
  const runs = fetched.slice(0, limit).map((run) => ({ ...run, integrationId: Number(run.integration_id), startedAt: run.started_at }));
  const hasMore = fetched.length > limit;
  const gapsShown = !filters.status && !filters.trigger && !filters.run_id;
  const inScope = integrations.filter((i) => filters.integration === undefined || Number(i.id) === filters.integration);
  const schedules = new Map(inScope.map((i) => [Number(i.id), scheduleOf(i)]));
  const olderRun = new Map<number, Date | null>();
  const latestRun = new Map<number, Date>();
  if (gapsShown) {
    // Each integration's oldest run on the page: the gap before it reaches back to its previous run, here or on a later page.
    const oldest = new Map<number, RunWithIntegration>();
    for (const run of runs) oldest.set(run.integrationId, run);
    const starts = await Promise.all([...oldest.entries()].map(async ([id, run]) => [id, await olderRunStart(knex, run)] as const));
    for (const [id, start] of starts) olderRun.set(id, start);
    // The gap still open belongs at the top of the first page, when the list reaches up to now.
    const reachesNow = !after && (!filters.to || filters.to > now);
    if (reachesNow) for (const i of inScope) if (i.last_run_started_at) latestRun.set(Number(i.id), i.last_run_started_at);
  }
  const { rows, hiddenGaps } = gapsShown
    ? withGaps({ runs, schedules, olderRun, latestRun, now })
    : { rows: runs.map((run) => ({ kind: 'run' as const, run })), hiddenGaps: 0 };
  const last = runs[runs.length - 1];
  return { rows, hasMore, nextCursor: hasMore && last ? runKey(last) : null, hiddenGaps, gapsShown, integrations };
}
