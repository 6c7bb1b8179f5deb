import type { Knex } from 'knex';

// Hourly buckets of each integration's runs, written by ingest in the run's own
// transaction, so the overview and the trends charts never read raw runs or
// records. A bucket is the UTC hour of the run's started_at (a late run lands
// in its own hour); min and max only ever widen, as runs are never deleted.
// Filled here from the runs stored so far.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE run_stats_hourly (
      org_id bigint NOT NULL,
      integration_id bigint NOT NULL,
      hour timestamptz NOT NULL,
      runs integer NOT NULL,
      failed_runs integer NOT NULL,
      runs_with_errors integer NOT NULL,
      records bigint NOT NULL,
      records_succeeded bigint NOT NULL,
      records_failed bigint NOT NULL,
      records_warning bigint NOT NULL,
      min_records integer NOT NULL,
      max_records integer NOT NULL,
      duration_ms bigint NOT NULL,
      max_duration_ms bigint NOT NULL,
      PRIMARY KEY (org_id, integration_id, hour),
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw(`
    INSERT INTO run_stats_hourly
    SELECT org_id, integration_id, date_bin('1 hour', started_at, timestamptz '2000-01-01 00:00:00+00'),
      count(*), count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'completed_with_errors'),
      sum(record_count), sum((counts->>'succeeded')::bigint), sum((counts->>'failed')::bigint), sum((counts->>'warning')::bigint),
      min(record_count), max(record_count),
      sum(round(extract(epoch FROM finished_at - started_at) * 1000))::bigint,
      max(round(extract(epoch FROM finished_at - started_at) * 1000))::bigint
    FROM sync_runs
    GROUP BY 1, 2, 3`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE run_stats_hourly');
}
