import type { Knex } from 'knex';

// GET /api/v1/records lists an organisation's records newest first (run start,
// run, position). Without an index in that order PostgreSQL sorted every record
// of the organisation for each page: about a second at a million records.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX feed_records_by_org_start ON feed_records (org_id, started_at DESC, sync_run_id DESC, index DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_org_start');
}
