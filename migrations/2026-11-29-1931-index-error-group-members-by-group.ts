import type { Knex } from 'knex';

// A group's page lists its employees, those still affected first, then by when
// they were last seen, keyset-paginated on (open, last_seen_started_at,
// external_key); drift counts each group's open members. The primary key
// (org_id, group_id, external_key) has neither order.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX error_group_members_by_group ON error_group_members (org_id, group_id, open DESC, last_seen_started_at DESC, external_key DESC)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_group_members_by_group');
}
