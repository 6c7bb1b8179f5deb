import type { Knex } from 'knex';

// A missed_run event is one gap in an integration's runs: `due_at` is the
// first expected slot no run met, `last_due_at` the latest slot that passed
// its grace in the gap, `missed_slots` how many passed, and `resolved_at` the
// started_at of the run that ended it (NULL while it lasts). One row per gap,
// made unique by its first slot so that two schedulers store it once.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE integration_events
      ADD COLUMN last_due_at timestamptz,
      ADD COLUMN missed_slots integer,
      ADD COLUMN resolved_at timestamptz,
      ADD COLUMN resolved_by_sync_run_id bigint`);
  await knex.raw('CREATE UNIQUE INDEX integration_events_once ON integration_events (org_id, integration_id, code, due_at)');
  await knex.raw('CREATE INDEX integration_events_open ON integration_events (org_id, integration_id, code) WHERE resolved_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX integration_events_open');
  await knex.raw('DROP INDEX integration_events_once');
  await knex.raw(`
    ALTER TABLE integration_events
      DROP COLUMN resolved_by_sync_run_id, DROP COLUMN resolved_at, DROP COLUMN missed_slots, DROP COLUMN last_due_at`);
}
