import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE errors ADD COLUMN group_id bigint');
  await knex.raw('CREATE INDEX errors_by_group ON errors (org_id, group_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE errors DROP COLUMN group_id');
}
