import type { Knex } from 'knex';

// The summary email counts the groups resolved in its period and the one before:
// this partial index holds the resolved ones by the time of the run that resolved them,
// so the count reads the period's range rather than every resolved group.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX error_groups_resolved_by_time ON error_groups (org_id, resolved_started_at) WHERE status = 'resolved'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_groups_resolved_by_time');
}
