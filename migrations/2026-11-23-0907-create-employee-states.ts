import type { Knex } from 'knex';

// The employee state of error-codes.md. state_started_at is the started_at of the
// run that set it: an older run arriving late never overwrites a newer state.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE employee_states (
      org_id bigint NOT NULL,
      integration_id bigint NOT NULL,
      external_id text NOT NULL,
      active boolean NOT NULL,
      first_name text,
      last_name text,
      email text,
      email_key text, -- written by the app with the classifier's emailKey (Unicode whitespace, not btrim's)
      state_started_at timestamptz NOT NULL,
      sync_run_id bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, integration_id, external_id),
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw('CREATE INDEX employee_states_active_email ON employee_states (org_id, integration_id, email_key) WHERE active');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE employee_states');
}
