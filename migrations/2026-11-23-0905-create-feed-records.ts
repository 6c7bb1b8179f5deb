import type { Knex } from 'knex';

// One row per record of a run. Employee attributes are columns, for filtering;
// raw keeps the record exactly as the engine sent it, unknown keys included.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE feed_records (
      org_id bigint NOT NULL,
      sync_run_id bigint NOT NULL,
      index integer NOT NULL CHECK (index >= 0),
      integration_id bigint NOT NULL,
      started_at timestamptz NOT NULL,
      external_id text,
      action text NOT NULL CHECK (action IN ('create', 'update', 'deactivate', 'reactivate', 'skip')),
      outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'warning')),
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
      PRIMARY KEY (org_id, sync_run_id, index),
      FOREIGN KEY (org_id, sync_run_id) REFERENCES sync_runs (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw('CREATE INDEX feed_records_by_employee ON feed_records (org_id, integration_id, external_id, started_at DESC)');
  await knex.raw('CREATE INDEX feed_records_by_email ON feed_records (org_id, lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE feed_records');
}
