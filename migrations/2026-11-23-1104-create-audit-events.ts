import type { Knex } from 'knex';

// Who changed what. org_id is the organisation concerned, or 0 for changes that
// concern no single organisation (a support user, say); it leads the key like
// every tenant table's.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE audit_events (
      org_id bigint NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      actor_user_id bigint,
      actor text NOT NULL,
      action text NOT NULL,
      target_type text NOT NULL,
      target_id text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}',
      PRIMARY KEY (org_id, id)
    )`);
  await knex.raw('CREATE INDEX audit_events_by_time ON audit_events (org_id, occurred_at DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE audit_events');
}
