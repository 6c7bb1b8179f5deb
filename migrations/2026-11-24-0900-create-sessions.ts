import type { Knex } from 'knex';

// Web sessions, kept in PostgreSQL so that several app processes can serve one
// user. The cookie holds a 256-bit secret; only its SHA-256 is stored, so a
// leaked table cannot be replayed. Sessions belong to people, not to one
// organisation, like users and API tokens.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE sessions (
      id_hash text PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      csrf_secret text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      ip text,
      user_agent text
    )`);
  await knex.raw('CREATE INDEX sessions_by_user ON sessions (user_id)');
  await knex.raw('CREATE INDEX sessions_by_expiry ON sessions (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE sessions');
}
