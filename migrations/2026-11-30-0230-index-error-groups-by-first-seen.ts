import type { Knex } from 'knex';

// The summary email counts the groups first seen in its period (an hour, a day, a
// week) and in the one before; no index held first_seen_started_at, so the count read
// every group of the organisation. The person's integrations and severity are then
// checked on the period's few rows.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX error_groups_by_first_seen ON error_groups (org_id, first_seen_started_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_groups_by_first_seen');
}
