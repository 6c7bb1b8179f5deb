import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE memberships (
      org_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('admin', 'ops')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, user_id)
    )`);
  await knex.raw('CREATE INDEX memberships_by_user ON memberships (user_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE memberships');
}
