import type { Knex } from 'knex';

// GET /api/v1/events lists an organisation's integration events newest first
// by their expected time (due_at, then id), for every integration or one.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX integration_events_by_due ON integration_events (org_id, due_at DESC, id DESC)');
  await knex.raw('CREATE INDEX integration_events_by_integration_due ON integration_events (org_id, integration_id, due_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX integration_events_by_integration_due');
  await knex.raw('DROP INDEX integration_events_by_due');
}
