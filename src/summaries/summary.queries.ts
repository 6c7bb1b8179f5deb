import type { Knex } from 'knex';
import type { SummaryData, SummaryGroup, SummaryIntegration } from './summary.js';

interface Period {
  start: Date;
  end: Date;
}

export interface SummaryScope {
  /** The integrations the person chose; null means every integration of the organisation. */
  integrationIds: number[] | null;
  /** `error`: only groups of severity error, in the counts and the lists; `info`: every group. */
  minSeverity: 'error' | 'info';
}

/** How many open groups are read (most occurrences first) before the five blocking most employees are kept. */
const LARGEST_READ = 20;
const LARGEST_SHOWN = 5;
const BLOCKED_SHOWN = 5;

/**
 * The figures of one organisation's summary for a period and the one before it, from the
 * rollups, the groups, the missed-run gaps and the employee summaries (never the raw
 * records). Every query names the organisation and its integrations as a constant array
 * and a time range, so each reads an index range as short as the period
 * (test/summary-plans.e2e.test.ts checks the plans).
 */
export async function summaryData(knex: Knex, orgId: number, scope: SummaryScope, period: Period): Promise<SummaryData> {
  const previous = { start: new Date(2 * period.start.getTime() - period.end.getTime()), end: period.start };
  const organisation = await knex('organisations').where('id', orgId).first('name');
  const integrationQuery = knex('integrations').where('org_id', orgId).select('id', 'name', 'source_system', 'target_system').orderBy('name');
  if (scope.integrationIds) integrationQuery.whereIn('id', scope.integrationIds);
  const integrations: Array<{ id: string; name: string; source_system: string | null; target_system: string | null }> = await integrationQuery;
  const ids = integrations.map((row) => Number(row.id));
  const severities = scope.minSeverity === 'error' ? ['error'] : ['error', 'info'];
  const queries = summaryQueries(knex, orgId, ids, severities);

  const [runs, missed, counts, largest, blocked] =
    ids.length === 0
      ? [[], [], { new: 0, regressed: 0, resolved: 0, previous_new: 0, previous_resolved: 0 }, [], []]
      : await Promise.all([
          queries.runs(period, previous),
          queries.missedRuns(period),
          queries.groupCounts(period, previous),
          queries.largestOpenGroups(),
          queries.blockedLongest(),
        ]);
  const runsOf = new Map(runs.map((row) => [Number(row.integration_id), row]));
  const missedOf = new Map(missed.map((row) => [Number(row.integration_id), row.slots]));

  return {
    organisation: { name: organisation?.name ?? `organisation ${orgId}` },
    period,
    integrations: integrations.map((row): SummaryIntegration => {
      const id = Number(row.id);
      const counted = runsOf.get(id);
      return {
        id,
        name: row.name,
        sourceSystem: row.source_system ?? 'the source system',
        targetSystem: row.target_system ?? 'the target system',
        runs: counted?.runs ?? 0,
        failedRuns: counted?.failed_runs ?? 0,
        previousRuns: counted?.previous_runs ?? 0,
        previousFailedRuns: counted?.previous_failed_runs ?? 0,
        missedSlots: missedOf.get(id) ?? 0,
      };
    }),
    groups: {
      new: counts.new,
      regressed: counts.regressed,
      resolved: counts.resolved,
      previousNew: counts.previous_new,
      previousResolved: counts.previous_resolved,
    },
    largestGroups: largest
      .map(
        (row): SummaryGroup =>
          ({
            ...row,
            id: Number(row.id),
            integrationId: Number(row.integration_id),
            employeesBlocked: Number(row.employees_blocked),
          }) as unknown as SummaryGroup,
      )
      .filter((group) => group.employeesBlocked > 0)
      .sort((a, b) => b.employeesBlocked - a.employeesBlocked || a.id - b.id)
      .slice(0, LARGEST_SHOWN),
    blockedLongest: blocked.map((row) => ({
      integrationId: Number(row.integration_id),
      externalId: row.external_id,
      name: [row.first_name, row.last_name].filter(Boolean).join(' ') || row.external_id,
      failingSince: row.failing_since,
    })),
  };
}

/**
 * The summary's queries for one organisation and its integrations (`ids`, never empty),
 * exported one by one so the plan test can EXPLAIN exactly what runs.
 */
export function summaryQueries(knex: Knex, orgId: number, ids: number[], severities: string[]) {
  return {
    /** Runs and failed runs per integration in the period and the one before: one read of the hourly rollup's key range. */
    async runs(period: Period, previous: Period) {
      const { rows } = await knex.raw<{
        rows: Array<{ integration_id: string; runs: number; failed_runs: number; previous_runs: number; previous_failed_runs: number }>;
      }>(runsSql, { orgId, ids, from: previous.start, start: period.start, end: period.end });
      return rows;
    },
    /** Scheduled runs that did not arrive, per integration, from the missed-run gaps due in the period. */
    async missedRuns(period: Period) {
      const { rows } = await knex.raw<{ rows: Array<{ integration_id: string; slots: number }> }>(missedSql, {
        orgId,
        ids,
        start: period.start,
        end: period.end,
      });
      return rows;
    },
    /** Groups first seen, regressed and resolved in the period, and first seen and resolved in the one before. */
    async groupCounts(period: Period, previous: Period) {
      const { rows } = await knex.raw<{ rows: Array<{ new: number; regressed: number; resolved: number; previous_new: number; previous_resolved: number }> }>(
        groupCountsSql,
        { orgId, ids, severities, start: period.start, end: period.end, from: previous.start },
      );
      return rows[0]!;
    },
    /** The open groups with most occurrences, with the employees each blocks now (read per group). */
    async largestOpenGroups() {
      const { rows } = await knex.raw<{ rows: Array<Record<string, unknown> & { id: string; integration_id: string; employees_blocked: number }> }>(
        largestSql,
        {
          orgId,
          ids,
          severities,
          limit: LARGEST_READ,
        },
      );
      return rows;
    },
    /** The employees blocked longest: each integration's first few by failing_since, then the first of all. */
    async blockedLongest() {
      const { rows } = await knex.raw<{
        rows: Array<{ integration_id: string; external_id: string; first_name: string | null; last_name: string | null; failing_since: Date }>;
      }>(blockedSql, { orgId, ids, limit: BLOCKED_SHOWN });
      return rows;
    },
  };
}

// Per integration (a lateral read each): PostgreSQL 15 does not bound an index scan by
// `integration_id = ANY(...)` on a middle column, and would read the organisation's whole range.
export const runsSql = `
  SELECT i.id AS integration_id, s.*
  FROM unnest(CAST(:ids AS bigint[])) AS i(id)
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(runs) FILTER (WHERE hour >= :start), 0)::int AS runs,
           coalesce(sum(failed_runs) FILTER (WHERE hour >= :start), 0)::int AS failed_runs,
           coalesce(sum(runs) FILTER (WHERE hour < :start), 0)::int AS previous_runs,
           coalesce(sum(failed_runs) FILTER (WHERE hour < :start), 0)::int AS previous_failed_runs
    FROM run_stats_hourly
    WHERE org_id = :orgId AND integration_id = i.id AND hour >= :from AND hour < :end
  ) AS s`;

export const missedSql = `
  SELECT i.id AS integration_id, s.slots
  FROM unnest(CAST(:ids AS bigint[])) AS i(id)
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(missed_slots), 0)::int AS slots
    FROM integration_events
    WHERE org_id = :orgId AND integration_id = i.id AND code = 'missed_run' AND due_at >= :start AND due_at < :end
  ) AS s`;

// Each count reads its own partial index over its own time column (migrations 2026-11-30-0230..0232).
export const groupCountsSql = `
  SELECT
    (SELECT count(*) FROM error_groups WHERE org_id = :orgId AND integration_id = ANY(CAST(:ids AS bigint[])) AND severity = ANY(CAST(:severities AS text[]))
       AND first_seen_started_at >= :start AND first_seen_started_at < :end)::int AS new,
    (SELECT count(*) FROM error_groups WHERE org_id = :orgId AND integration_id = ANY(CAST(:ids AS bigint[])) AND severity = ANY(CAST(:severities AS text[]))
       AND status = 'regressed' AND status_changed_at >= :start AND status_changed_at < :end)::int AS regressed,
    (SELECT count(*) FROM error_groups WHERE org_id = :orgId AND integration_id = ANY(CAST(:ids AS bigint[])) AND severity = ANY(CAST(:severities AS text[]))
       AND status = 'resolved' AND resolved_started_at >= :start AND resolved_started_at < :end)::int AS resolved,
    (SELECT count(*) FROM error_groups WHERE org_id = :orgId AND integration_id = ANY(CAST(:ids AS bigint[])) AND severity = ANY(CAST(:severities AS text[]))
       AND first_seen_started_at >= :from AND first_seen_started_at < :start)::int AS previous_new,
    (SELECT count(*) FROM error_groups WHERE org_id = :orgId AND integration_id = ANY(CAST(:ids AS bigint[])) AND severity = ANY(CAST(:severities AS text[]))
       AND status = 'resolved' AND resolved_started_at >= :from AND resolved_started_at < :start)::int AS previous_resolved`;

export const largestSql = `
  SELECT g.id, g.integration_id, g.status, g.code, g.severity, g.field, g.value, g.expected, g.variant,
         (SELECT count(*)::int FROM error_group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id AND m.open) AS employees_blocked
  FROM error_groups g
  WHERE g.org_id = :orgId AND g.status IN ('open', 'regressed') AND g.integration_id = ANY(CAST(:ids AS bigint[])) AND g.severity = ANY(CAST(:severities AS text[]))
  ORDER BY g.occurrences DESC, g.id DESC
  LIMIT :limit`;

export const blockedSql = `
  SELECT e.integration_id, e.external_id, e.first_name, e.last_name, e.failing_since
  FROM unnest(CAST(:ids AS bigint[])) AS i(id)
  CROSS JOIN LATERAL (
    SELECT integration_id, external_id, first_name, last_name, failing_since
    FROM employee_summaries
    WHERE org_id = :orgId AND integration_id = i.id AND state = 'blocked' AND failing_since IS NOT NULL
    ORDER BY failing_since, external_id
    LIMIT :limit
  ) AS e
  ORDER BY e.failing_since, e.external_id
  LIMIT :limit`;
