import type { Knex } from 'knex';

// The employee state's history: one row per run that changed an employee's
// state (error-codes.md, "Employee state"), in run order (started_at, then the
// run's id for runs that started at the same instant). A run that arrives
// after runs that started later is classified against the state as of its own
// started_at, read here; employee_states keeps only the newest state.
//
// Only changes are stored: a run that re-sends an employee as the target
// already holds them (nearly every record of a nightly full push) adds no row.
//
// Filled from the records stored so far: per run and employee, the last
// applied create, update, reactivate or deactivate. A deactivation keeps the
// person the record carries (ingest keeps the previous person, which is the
// same unless the record changed it too), and skips are left out (a skip only
// creates a state for an ID never seen, which a later record nearly always
// follows). Both are approximations for history stored before this version.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE employee_state_versions (
      org_id bigint NOT NULL,
      integration_id bigint NOT NULL,
      external_id text NOT NULL,
      external_key text GENERATED ALWAYS AS (md5(external_id)) STORED,
      started_at timestamptz NOT NULL,
      sync_run_id bigint NOT NULL,
      active boolean NOT NULL,
      first_name text,
      last_name text,
      email text,
      email_key text,
      PRIMARY KEY (org_id, integration_id, external_key, started_at, sync_run_id),
      FOREIGN KEY (org_id, sync_run_id) REFERENCES sync_runs (org_id, id) ON DELETE CASCADE
    )`);
  // The IDs that held an email. Not also by start: PostgreSQL 18 would then skip-scan it,
  // without statistics, for the by-ID look-ups the primary key serves (one seek each).
  await knex.raw('CREATE INDEX employee_state_versions_by_email ON employee_state_versions (org_id, integration_id, left(email_key, 200))');
  await knex.raw(`
    INSERT INTO employee_state_versions (org_id, integration_id, external_id, started_at, sync_run_id, active, first_name, last_name, email, email_key)
    SELECT org_id, integration_id, external_id, started_at, sync_run_id, action <> 'deactivate', first_name, last_name, email,
      feedlog_email_key(email)
    FROM (
      SELECT DISTINCT ON (org_id, integration_id, external_id, started_at, sync_run_id) *
      FROM feed_records
      WHERE outcome IN ('succeeded', 'warning') AND action <> 'skip' AND external_id IS NOT NULL AND external_id <> ''
      ORDER BY org_id, integration_id, external_id, started_at, sync_run_id, index DESC
    ) AS last_in_run`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE employee_state_versions');
}
