import type { Knex } from 'knex';

// Records per run, without the runs that failed: a failed run usually sends
// nothing, and counted in, its zero would hide the drop the trends chart is
// there to show (a sync that silently sends fewer employees). Per hour, the
// records of the runs that did not fail and the smallest of them (NULL when
// every run of the hour failed). Filled here from the runs stored so far.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE run_stats_hourly
      ADD COLUMN completed_records bigint NOT NULL DEFAULT 0,
      ADD COLUMN min_completed_records integer`);
  await knex.raw(`
    UPDATE run_stats_hourly s SET completed_records = c.records, min_completed_records = c.min_records
    FROM (
      SELECT org_id, integration_id, date_bin('1 hour', started_at, timestamptz '2000-01-01 00:00:00+00') AS hour,
        sum(record_count) AS records, min(record_count) AS min_records
      FROM sync_runs WHERE status <> 'failed'
      GROUP BY 1, 2, 3
    ) AS c
    WHERE s.org_id = c.org_id AND s.integration_id = c.integration_id AND s.hour = c.hour`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE run_stats_hourly DROP COLUMN min_completed_records, DROP COLUMN completed_records');
}
