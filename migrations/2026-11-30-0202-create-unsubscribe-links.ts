import type { Knex } from 'knex';

// One-click unsubscribe (RFC 8058): every email carries a link with a random
// token of its own, which works without signing in and cannot be guessed. Only
// the token's SHA-256 is kept, as for every other secret, so the links cannot be
// read back from the database; the token's first characters name the
// organisation, so the lookup uses the primary key.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE unsubscribe_links (
      org_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      token_hash text NOT NULL,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, token_hash)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE unsubscribe_links');
}
