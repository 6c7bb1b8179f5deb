import type { Knex } from 'knex';

// A group's page lists its occurrences newest first (by id, the order they
// were stored in), keyset-paginated on id. (org_id, group_id) found them but
// had to sort them all; with id in the key a page reads just its rows.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX errors_by_group');
  await knex.raw('CREATE INDEX errors_by_group ON errors (org_id, group_id, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX errors_by_group');
  await knex.raw('CREATE INDEX errors_by_group ON errors (org_id, group_id)');
}
