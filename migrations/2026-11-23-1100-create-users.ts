import type { Knex } from 'knex';

// Users are not tenant rows: one person may belong to several organisations.
// support is the global read-everything role; admin and ops are per organisation.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
      password_hash text,
      support boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz,
      UNIQUE (email)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE users');
}
