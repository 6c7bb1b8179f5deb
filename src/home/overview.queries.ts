import type { Knex } from 'knex';
import { OPEN_GROUP_STATUSES } from '../groups/group-enums.js';

export interface OverviewRow {
  org_id: number;
  org_slug: string;
  org_name: string;
  integration_id: number | null;
  integration_name: string | null;
  source_system: string | null;
  target_system: string | null;
  last_run_id: number | null;
  last_run_status: string | null;
  last_run_started_at: Date | null;
  last_run_record_count: number | null;
  open_groups: number;
}

/** Each organisation the caller sees, with each integration's newest run and its open or regressed error groups. */
export async function overviewOf(knex: Knex, orgIds: number[]): Promise<OverviewRow[]> {
  const result = await knex.raw<{ rows: OverviewRow[] }>(
    `SELECT o.id AS org_id, o.slug AS org_slug, o.name AS org_name,
       i.id AS integration_id, i.name AS integration_name,
       COALESCE(i.source_system, r.source_system) AS source_system, COALESCE(i.target_system, r.target_system) AS target_system,
       r.id AS last_run_id, r.status AS last_run_status, r.started_at AS last_run_started_at, r.record_count AS last_run_record_count,
       (SELECT count(*) FROM error_groups g
        WHERE g.org_id = i.org_id AND g.integration_id = i.id AND g.status = ANY(?::text[]))::int AS open_groups
     FROM organisations o
     LEFT JOIN integrations i ON i.org_id = o.id
     LEFT JOIN LATERAL (
       SELECT id, status, started_at, record_count, source_system, target_system FROM sync_runs s
       WHERE s.org_id = i.org_id AND s.integration_id = i.id
       ORDER BY s.started_at DESC, s.id DESC LIMIT 1
     ) r ON true
     WHERE o.id = ANY(?::bigint[])
     ORDER BY o.name, o.id, i.name`,
    [[...OPEN_GROUP_STATUSES], orgIds],
  );
  return result.rows;
}
