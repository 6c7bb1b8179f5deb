import type { Knex } from 'knex';

// The summary email counts the groups that regressed in its period: the regressed
// ones by when their status changed, so the count reads the period's range only.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX error_groups_regressed_by_time ON error_groups (org_id, status_changed_at) WHERE status = 'regressed'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_groups_regressed_by_time');
}
