import type { Knex } from 'knex';

// One row per error of error-codes.md. record_index is null for run-level errors.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE errors (
      org_id bigint NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      sync_run_id bigint NOT NULL,
      record_index integer,
      integration_id bigint NOT NULL,
      code text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('error', 'info')),
      field text,
      value text,
      expected text,
      variant text,
      PRIMARY KEY (org_id, id),
      FOREIGN KEY (org_id, sync_run_id) REFERENCES sync_runs (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw('CREATE INDEX errors_by_record ON errors (org_id, sync_run_id, record_index)');
  await knex.raw('CREATE INDEX errors_by_code ON errors (org_id, integration_id, code)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE errors');
}
