import type { Knex } from 'knex';

// The last catalog and form fields received, with the started_at of the run that
// sent them, so that a late retry of an older run cannot replace newer ones.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE integrations
      ADD COLUMN catalog jsonb,
      ADD COLUMN catalog_started_at timestamptz,
      ADD COLUMN form_fields jsonb,
      ADD COLUMN form_fields_started_at timestamptz,
      ADD COLUMN last_run_started_at timestamptz`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE integrations
      DROP COLUMN catalog, DROP COLUMN catalog_started_at,
      DROP COLUMN form_fields, DROP COLUMN form_fields_started_at,
      DROP COLUMN last_run_started_at`);
}
