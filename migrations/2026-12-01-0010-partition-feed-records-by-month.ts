import type { Knex } from 'knex';

// feed_records becomes RANGE-partitioned by started_at, one partition per month
// (UTC): retention drops a month instead of deleting its rows (feedlog prune),
// and a query for one run's records reads one partition.
//
// The rows move: a partition for every month that holds records and for this
// month and the three ahead, then one INSERT ... SELECT into the new table, and
// the indexes are built after the rows are in (faster than row by row). The
// primary key leads with (org_id, started_at): read backwards it is the records
// list's order, so feed_records_by_org_start goes. The foreign key to sync_runs
// goes too (ingest writes the run first in the same transaction; deleting runs
// deletes their records, 2026-12-01-0030).
const COLUMNS = `
  org_id bigint NOT NULL,
  sync_run_id bigint NOT NULL,
  index integer NOT NULL CONSTRAINT feed_records_index_check CHECK (index >= 0),
  integration_id bigint NOT NULL,
  started_at timestamptz NOT NULL,
  external_id text,
  action text NOT NULL CONSTRAINT feed_records_action_check CHECK (action IN ('create', 'update', 'deactivate', 'reactivate', 'skip')),
  outcome text NOT NULL CONSTRAINT feed_records_outcome_check CHECK (outcome IN ('succeeded', 'failed', 'warning')),
  first_name text,
  last_name text,
  email text,
  job_title text,
  department text,
  branch text,
  date_of_birth text,
  start_date text,
  end_date text,
  error_count integer NOT NULL DEFAULT 0,
  raw jsonb NOT NULL,
  employee jsonb,
  messages jsonb`;

const INDEXES = [
  "CREATE INDEX feed_records_by_run_outcome ON feed_records (org_id, sync_run_id, outcome, index) WHERE outcome <> 'succeeded'",
  'CREATE INDEX feed_records_by_employee ON feed_records (org_id, integration_id, left(external_id, 200), started_at DESC)',
  'CREATE INDEX feed_records_by_email ON feed_records (org_id, left(feedlog_email_key(email), 200), integration_id, started_at)',
];

/** The months (UTC) a table's rows fall in, and this month and the three after it. */
async function createMonthPartitions(knex: Knex, parent: string, rowsOf: string): Promise<void> {
  await knex.raw(
    `SELECT feedlog_month_partition(?, m AT TIME ZONE 'UTC') FROM (
       SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'UTC') AS m FROM ${rowsOf}
       UNION
       SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + n * interval '1 month' FROM generate_series(0, 3) AS n
     ) AS months ORDER BY m`,
    [parent],
  );
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE feed_records RENAME TO feed_records_unpartitioned');
  await knex.raw(`CREATE TABLE feed_records (${COLUMNS}) PARTITION BY RANGE (started_at)`);
  await createMonthPartitions(knex, 'feed_records', 'feed_records_unpartitioned');
  await knex.raw('INSERT INTO feed_records SELECT * FROM feed_records_unpartitioned');
  await knex.raw('DROP TABLE feed_records_unpartitioned');
  await knex.raw('ALTER TABLE feed_records ADD CONSTRAINT feed_records_pkey PRIMARY KEY (org_id, started_at, sync_run_id, index)');
  for (const index of INDEXES) await knex.raw(index);
  await knex.raw("SELECT feedlog_name_partition_indexes('feed_records')");
}

// Back to one table. Fails, as the old foreign key would, if a record's run is gone.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE feed_records RENAME TO feed_records_partitioned');
  await knex.raw(`CREATE TABLE feed_records (${COLUMNS})`);
  await knex.raw('INSERT INTO feed_records SELECT * FROM feed_records_partitioned');
  await knex.raw('DROP TABLE feed_records_partitioned');
  await knex.raw('ALTER TABLE feed_records ADD CONSTRAINT feed_records_pkey PRIMARY KEY (org_id, sync_run_id, index)');
  await knex.raw('ALTER TABLE feed_records ADD FOREIGN KEY (org_id, sync_run_id) REFERENCES sync_runs (org_id, id) ON DELETE CASCADE');
  for (const index of INDEXES) await knex.raw(index);
  await knex.raw('CREATE INDEX feed_records_by_org_start ON feed_records (org_id, started_at DESC, sync_run_id DESC, index DESC)');
}
