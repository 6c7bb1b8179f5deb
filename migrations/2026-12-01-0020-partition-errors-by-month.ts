import type { Knex } from 'knex';

// errors becomes RANGE-partitioned by its run's started_at (2026-12-01-0000),
// one partition per month (UTC), as feed_records is (2026-12-01-0010): the rows
// move the same way and the indexes are built after them. The primary key is
// (org_id, started_at, id): an error is looked up by id only within its run
// (a late run's re-check), whose start is known. A partitioned table can hold
// no identity column before PostgreSQL 17, so id takes its default from a
// sequence that carries on where the identity left off. The foreign key to
// sync_runs goes (2026-12-01-0030 deletes a deleted run's errors).
const COLUMNS = `
  org_id bigint NOT NULL,
  id bigint NOT NULL DEFAULT nextval('errors_id_seq'),
  sync_run_id bigint NOT NULL,
  record_index integer,
  integration_id bigint NOT NULL,
  code text NOT NULL,
  severity text NOT NULL CONSTRAINT errors_severity_check CHECK (severity IN ('error', 'info')),
  field text,
  value text,
  expected text,
  variant text,
  group_id bigint,
  started_at timestamptz NOT NULL`;

const NAMES = 'org_id, id, sync_run_id, record_index, integration_id, code, severity, field, value, expected, variant, group_id, started_at';

const INDEXES = [
  'CREATE INDEX errors_by_record ON errors (org_id, sync_run_id, record_index)',
  'CREATE INDEX errors_by_code ON errors (org_id, integration_id, code)',
  'CREATE INDEX errors_by_group ON errors (org_id, group_id, id DESC)',
];

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
  await knex.raw('ALTER TABLE errors RENAME TO errors_unpartitioned');
  // The identity's sequence is errors_id_seq; the new one takes over its place and its name.
  await knex.raw('CREATE SEQUENCE errors_id_next');
  await knex.raw("SELECT setval('errors_id_next', last_value, is_called) FROM errors_id_seq");
  await knex.raw(`CREATE TABLE errors (${COLUMNS.replace('errors_id_seq', 'errors_id_next')}) PARTITION BY RANGE (started_at)`);
  await createMonthPartitions(knex, 'errors', 'errors_unpartitioned');
  await knex.raw(`INSERT INTO errors (${NAMES}) SELECT ${NAMES} FROM errors_unpartitioned`);
  await knex.raw('DROP TABLE errors_unpartitioned');
  await knex.raw('ALTER SEQUENCE errors_id_next RENAME TO errors_id_seq');
  await knex.raw('ALTER SEQUENCE errors_id_seq OWNED BY errors.id');
  await knex.raw('ALTER TABLE errors ADD CONSTRAINT errors_pkey PRIMARY KEY (org_id, started_at, id)');
  for (const index of INDEXES) await knex.raw(index);
  await knex.raw("SELECT feedlog_name_partition_indexes('errors')");
}

// Back to one table with an identity column. Fails, as the old foreign key would, if an error's run is gone.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE errors RENAME TO errors_partitioned');
  await knex.raw('ALTER SEQUENCE errors_id_seq RENAME TO errors_id_partitioned');
  await knex.raw(`CREATE TABLE errors (${COLUMNS.replace("DEFAULT nextval('errors_id_seq')", 'GENERATED ALWAYS AS IDENTITY')})`);
  await knex.raw(`INSERT INTO errors (${NAMES}) OVERRIDING SYSTEM VALUE SELECT ${NAMES} FROM errors_partitioned`);
  await knex.raw("SELECT setval('errors_id_seq', last_value, is_called) FROM errors_id_partitioned");
  await knex.raw('DROP TABLE errors_partitioned');
  await knex.raw('ALTER TABLE errors ADD CONSTRAINT errors_pkey PRIMARY KEY (org_id, id)');
  await knex.raw('ALTER TABLE errors ADD FOREIGN KEY (org_id, sync_run_id) REFERENCES sync_runs (org_id, id) ON DELETE CASCADE');
  for (const index of INDEXES) await knex.raw(index);
}
