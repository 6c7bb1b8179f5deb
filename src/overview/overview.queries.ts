/**
 * The overview's reads. Each integration's figures come from the rollups
 * (run_stats_hourly, error_counts_hourly), the newest run and the open
 * missed_run gap (one index probe each), the open error groups' partial index
 * and the employee summaries' state index: never from feed_records or errors,
 * so the page costs the same on a database of a million records.
 */
import type { Knex } from 'knex';
import { OPEN_GROUP_STATUSES } from '../groups/group-enums.js';

export interface OverviewIntegrationRow {
  org_id: number;
  org_slug: string;
  org_name: string;
  integration_id: number | null;
  integration_name: string | null;
  source_system: string | null;
  target_system: string | null;
  schedule_interval_seconds: number | null;
  schedule_cron: string | null;
  schedule_time_zone: string;
  grace_seconds: number;
  last_run_id: number | null;
  last_run_run_id: string | null;
  last_run_status: 'completed' | 'completed_with_errors' | 'failed' | null;
  last_run_started_at: Date | null;
  last_run_record_count: number | null;
  last_run_failed_records: number | null;
  last_run_error: string | null;
  /** The median failed-record share of the integration's hours in the 7 days before its last run's hour. */
  normal_failed_share: number | null;
  missed_due_at: Date | null;
  missed_last_due_at: Date | null;
  missed_slots: number | null;
  runs_24h: number;
  failed_runs_24h: number;
  /** Code -> open (or regressed) groups. */
  open_groups: Record<string, number>;
  blocked: number;
}

// Constants of the code, written into the SQL so that the planner can match the partial index's predicate.
const OPEN_STATUSES_SQL = OPEN_GROUP_STATUSES.map((status) => `'${status}'`).join(', ');
const HOUR_OF_RUN = "date_bin('1 hour', r.started_at, timestamptz '2000-01-01Z')";

/**
 * Each organisation the caller sees, with each integration's schedule, newest
 * run, open missed_run gap, normal failed share, runs of the 24 hours from
 * `since24h`, open groups per code and employees blocked now.
 */
export async function overviewIntegrations(knex: Knex, orgIds: number[], since24h: Date): Promise<OverviewIntegrationRow[]> {
  const result = await knex.raw<{ rows: OverviewIntegrationRow[] }>(
    `SELECT o.id AS org_id, o.slug AS org_slug, o.name AS org_name,
       i.id AS integration_id, i.name AS integration_name,
       COALESCE(i.source_system, r.source_system) AS source_system, COALESCE(i.target_system, r.target_system) AS target_system,
       i.schedule_interval_seconds, i.schedule_cron, COALESCE(i.schedule_time_zone, 'UTC') AS schedule_time_zone,
       COALESCE(i.grace_seconds, 0) AS grace_seconds,
       r.id AS last_run_id, r.run_id AS last_run_run_id, r.status AS last_run_status, r.started_at AS last_run_started_at,
       r.record_count AS last_run_record_count, COALESCE((r.counts->>'failed')::int, 0) AS last_run_failed_records,
       r.run_error AS last_run_error,
       n.normal_failed_share,
       m.due_at AS missed_due_at, m.last_due_at AS missed_last_due_at, m.missed_slots,
       COALESCE(d.runs, 0)::int AS runs_24h, COALESCE(d.failed_runs, 0)::int AS failed_runs_24h,
       COALESCE(g.open_groups, '{}') AS open_groups,
       COALESCE(b.blocked, 0) AS blocked
     FROM organisations o
     LEFT JOIN integrations i ON i.org_id = o.id
     LEFT JOIN LATERAL (
       SELECT s.id, s.run_id, s.status, s.started_at, s.record_count, s.counts, s.run_error, s.source_system, s.target_system
       FROM sync_runs s WHERE s.org_id = i.org_id AND s.integration_id = i.id
       ORDER BY s.started_at DESC, s.id DESC LIMIT 1
     ) r ON true
     LEFT JOIN LATERAL (
       SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h.records_failed::float8 / h.records) AS normal_failed_share
       FROM run_stats_hourly h
       WHERE h.org_id = i.org_id AND h.integration_id = i.id AND h.records > 0
         AND h.hour >= ${HOUR_OF_RUN} - interval '7 days' AND h.hour < ${HOUR_OF_RUN}
     ) n ON true
     LEFT JOIN LATERAL (
       SELECT e.due_at, e.last_due_at, e.missed_slots FROM integration_events e
       WHERE e.org_id = i.org_id AND e.integration_id = i.id AND e.code = 'missed_run' AND e.resolved_at IS NULL
       ORDER BY e.due_at DESC LIMIT 1
     ) m ON true
     LEFT JOIN LATERAL (
       SELECT sum(h.runs) AS runs, sum(h.failed_runs) AS failed_runs FROM run_stats_hourly h
       WHERE h.org_id = i.org_id AND h.integration_id = i.id AND h.hour >= ?
     ) d ON true
     LEFT JOIN LATERAL (
       SELECT jsonb_object_agg(c.code, c.groups) AS open_groups FROM (
         SELECT eg.code, count(*)::int AS groups FROM error_groups eg
         WHERE eg.org_id = i.org_id AND eg.integration_id = i.id AND eg.status IN (${OPEN_STATUSES_SQL})
         GROUP BY eg.code
       ) c
     ) g ON true
     LEFT JOIN LATERAL (
       SELECT count(*)::int AS blocked FROM employee_summaries es
       WHERE es.org_id = i.org_id AND es.integration_id = i.id AND es.state = 'blocked'
     ) b ON true
     WHERE o.id = ANY(?::bigint[])
     ORDER BY o.name, o.id, i.name`,
    [since24h, orgIds],
  );
  return result.rows.map((row) => ({
    ...row,
    org_id: Number(row.org_id),
    integration_id: row.integration_id === null ? null : Number(row.integration_id),
    last_run_id: row.last_run_id === null ? null : Number(row.last_run_id),
  }));
}

export interface HourlyErrors {
  integration_id: number;
  hour: Date;
  errors: number;
}

/** Errors per integration and hour (all codes together), hours from `since` on, for the sparklines. */
export async function hourlyErrors(knex: Knex, orgIds: number[], since: Date): Promise<HourlyErrors[]> {
  const result = await knex.raw<{ rows: HourlyErrors[] }>(
    `SELECT i.id AS integration_id, e.hour, e.errors
     FROM integrations i
     CROSS JOIN LATERAL (
       SELECT c.hour, sum(c.errors)::bigint AS errors FROM error_counts_hourly c
       WHERE c.org_id = i.org_id AND c.integration_id = i.id AND c.hour >= ?
       GROUP BY c.hour
     ) e
     WHERE i.org_id = ANY(?::bigint[])`,
    [since, orgIds],
  );
  return result.rows.map((row) => ({ integration_id: Number(row.integration_id), hour: row.hour, errors: Number(row.errors) }));
}
