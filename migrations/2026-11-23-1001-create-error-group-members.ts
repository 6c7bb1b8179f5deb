import type { Knex } from 'knex';

// The employees a group affects. A member is open while the employee's latest
// record carries the group's error; a later applied record without it clears it,
// and a group whose members are all cleared is resolved.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE error_group_members (
      org_id bigint NOT NULL,
      group_id bigint NOT NULL,
      external_id text NOT NULL,
      integration_id bigint NOT NULL,
      open boolean NOT NULL DEFAULT true,
      last_seen_started_at timestamptz NOT NULL,
      cleared_started_at timestamptz,
      PRIMARY KEY (org_id, group_id, external_id),
      FOREIGN KEY (org_id, group_id) REFERENCES error_groups (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw('CREATE INDEX error_group_members_open ON error_group_members (org_id, integration_id, external_id) WHERE open');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE error_group_members');
}
