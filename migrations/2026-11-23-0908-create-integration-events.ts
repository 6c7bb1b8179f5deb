import type { Knex } from 'knex';

// Integration-level history (missed_run and the like), so a gap stays visible afterwards.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE integration_events (
      org_id bigint NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      integration_id bigint NOT NULL,
      code text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('error', 'info')),
      due_at timestamptz,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      details jsonb NOT NULL DEFAULT '{}',
      PRIMARY KEY (org_id, id),
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw('CREATE INDEX integration_events_by_time ON integration_events (org_id, integration_id, occurred_at DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE integration_events');
}
