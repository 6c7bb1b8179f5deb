import type { Knex } from 'knex';

// A group's page shows its status history from the audit log: the events of
// one target, newest first. By time alone that read every event of the
// organisation.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX audit_events_by_target ON audit_events (org_id, target_type, target_id, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX audit_events_by_target');
}
