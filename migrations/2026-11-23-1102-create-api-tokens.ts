import type { Knex } from 'knex';

// API tokens are `fl_api_<user id>_<secret>`; only a SHA-256 of each is stored.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE api_tokens (
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      name text NOT NULL DEFAULT 'api',
      token_hash text NOT NULL,
      token_hint text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      PRIMARY KEY (user_id, id),
      UNIQUE (user_id, token_hash)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE api_tokens');
}
