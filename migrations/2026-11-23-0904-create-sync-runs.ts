import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE sync_runs (
      org_id bigint NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      integration_id bigint NOT NULL,
      run_id text NOT NULL CHECK (length(run_id) BETWEEN 1 AND 200),
      schema_version integer NOT NULL DEFAULT 1,
      source_system text,
      target_system text,
      trigger text NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'initial')),
      status text NOT NULL CHECK (status IN ('completed', 'completed_with_errors', 'failed')),
      run_error text,
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      record_count integer NOT NULL,
      counts jsonb NOT NULL,
      error_counts jsonb NOT NULL,
      body_sha256 text NOT NULL,
      header jsonb NOT NULL,
      PRIMARY KEY (org_id, id),
      UNIQUE (org_id, integration_id, run_id),
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE,
      CHECK (finished_at >= started_at)
    )`);
  await knex.raw('CREATE INDEX sync_runs_by_start ON sync_runs (org_id, integration_id, started_at DESC)');
  await knex.raw('CREATE INDEX sync_runs_by_receipt ON sync_runs (org_id, received_at DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE sync_runs');
}
