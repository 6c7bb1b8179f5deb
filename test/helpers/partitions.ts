import type { Knex } from 'knex';

/**
 * Tests that write runs straight into the tables (not through ingest, which makes sure of
 * its run's month) make the month partitions of feed_records and errors for the runs
 * they wrote, as the migration does for stored rows.
 */
export async function ensurePartitionsOfRuns(knex: Knex): Promise<void> {
  await knex.raw(
    `SELECT feedlog_month_partition(t, m AT TIME ZONE 'UTC')
     FROM (SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'UTC') AS m FROM sync_runs) AS months
     CROSS JOIN unnest(ARRAY['feed_records', 'errors']) AS t`,
  );
}
