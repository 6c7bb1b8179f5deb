import type { Knex } from 'knex';

// The error groups list is most recently seen first, keyset-paginated on
// (last_seen_started_at, id), filtered by status, integration or code. Each
// filter gets an index that starts with it and then holds the list's order, so
// a page reads its rows in order and stops (the status index had no id, so a
// page of ties was sorted). Drift reads the mismatch codes' groups by code.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_groups_by_status');
  await knex.raw('CREATE INDEX error_groups_by_status ON error_groups (org_id, status, last_seen_started_at DESC, id DESC)');
  await knex.raw('CREATE INDEX error_groups_by_last_seen ON error_groups (org_id, last_seen_started_at DESC, id DESC)');
  await knex.raw('CREATE INDEX error_groups_by_integration ON error_groups (org_id, integration_id, last_seen_started_at DESC, id DESC)');
  await knex.raw('CREATE INDEX error_groups_by_code ON error_groups (org_id, code, last_seen_started_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_groups_by_code');
  await knex.raw('DROP INDEX error_groups_by_integration');
  await knex.raw('DROP INDEX error_groups_by_last_seen');
  await knex.raw('DROP INDEX error_groups_by_status');
  await knex.raw('CREATE INDEX error_groups_by_status ON error_groups (org_id, status, last_seen_started_at DESC)');
}
