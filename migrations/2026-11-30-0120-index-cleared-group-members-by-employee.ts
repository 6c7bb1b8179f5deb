import type { Knex } from 'knex';

// A run that arrives late and applies an employee's record clears the groups'
// members of that employee as of its own started_at, which may be earlier than
// the run that cleared them first: their cleared_started_at moves back. Those
// members are closed already, so error_group_members_open (WHERE open) cannot
// find them; this index of the closed ones can, per employee.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX error_group_members_cleared ON error_group_members (org_id, integration_id, external_key) WHERE NOT open');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_group_members_cleared');
}
