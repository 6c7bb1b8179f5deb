import type { Knex } from 'knex';

// Only a SHA-256 of each token is stored. The token itself carries its org_id, so
// lookups use the (org_id, token_hash) index and stay within one organisation.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE ingest_tokens (
      org_id bigint NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      integration_id bigint NOT NULL,
      token_hash text NOT NULL,
      token_hint text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      PRIMARY KEY (org_id, id),
      UNIQUE (org_id, token_hash),
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw('CREATE INDEX ingest_tokens_integration ON ingest_tokens (org_id, integration_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE ingest_tokens');
}
