import type { Knex } from 'knex';

// Hourly buckets of each integration's errors per code (run-level ones
// included), written by ingest in the run's transaction: the errors chart and
// the overview's sparkline read these, never the errors table. The bucket is
// the UTC hour of the run's started_at, as in run_stats_hourly. Filled here
// from the runs' own error counts.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE error_counts_hourly (
      org_id bigint NOT NULL,
      integration_id bigint NOT NULL,
      hour timestamptz NOT NULL,
      code text NOT NULL,
      errors bigint NOT NULL,
      PRIMARY KEY (org_id, integration_id, hour, code),
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw(`
    INSERT INTO error_counts_hourly
    SELECT r.org_id, r.integration_id, date_bin('1 hour', r.started_at, timestamptz '2000-01-01 00:00:00+00'), c.key, sum(c.value::bigint)
    FROM sync_runs r CROSS JOIN LATERAL jsonb_each_text(r.error_counts) AS c
    WHERE c.value::bigint > 0
    GROUP BY 1, 2, 3, 4`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE error_counts_hourly');
}
