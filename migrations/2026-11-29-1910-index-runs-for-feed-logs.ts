import type { Knex } from 'knex';

// The feed logs list an organisation's runs newest first (started_at, then id),
// all integrations together or one of them, a page at a time. Without an index
// in that order PostgreSQL read and sorted every run of the organisation for
// each page. The integration's index gets the id too, so that its keyset
// (started_at, id) is read in order without a sort. The rare statuses and
// triggers (failed, completed with errors; manual, initial) have partial
// indexes of their own: reading the whole list to find the few failed runs
// took 170 ms on 30,000 runs.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX sync_runs_by_org_start ON sync_runs (org_id, started_at DESC, id DESC)');
  await knex.raw("CREATE INDEX sync_runs_by_status ON sync_runs (org_id, status, started_at DESC, id DESC) WHERE status <> 'completed'");
  await knex.raw("CREATE INDEX sync_runs_by_trigger ON sync_runs (org_id, trigger, started_at DESC, id DESC) WHERE trigger <> 'scheduled'");
  await knex.raw('DROP INDEX sync_runs_by_start');
  await knex.raw('CREATE INDEX sync_runs_by_start ON sync_runs (org_id, integration_id, started_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX sync_runs_by_start');
  await knex.raw('CREATE INDEX sync_runs_by_start ON sync_runs (org_id, integration_id, started_at DESC)');
  await knex.raw('DROP INDEX sync_runs_by_trigger');
  await knex.raw('DROP INDEX sync_runs_by_status');
  await knex.raw('DROP INDEX sync_runs_by_org_start');
}
