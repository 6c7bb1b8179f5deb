import type { Knex } from 'knex';

// Errors grouped by integration and group key (code, field and normalised value,
// or the text fingerprint of an unclassified failure). The *_started_at columns
// hold the started_at of runs, not wall-clock times, so that a late retry of an
// older run can neither resolve nor regress a group out of order.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE error_groups (
      org_id bigint NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      integration_id bigint NOT NULL,
      group_key text NOT NULL,
      code text NOT NULL,
      field text,
      value text,
      expected text,
      variant text,
      severity text NOT NULL CHECK (severity IN ('error', 'info')),
      run_level boolean NOT NULL,
      first_seen_started_at timestamptz NOT NULL,
      last_seen_started_at timestamptz NOT NULL,
      first_seen_sync_run_id bigint NOT NULL,
      last_seen_sync_run_id bigint NOT NULL,
      occurrences bigint NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'ignored', 'regressed')),
      status_changed_at timestamptz NOT NULL DEFAULT now(),
      resolved_started_at timestamptz,
      PRIMARY KEY (org_id, id),
      UNIQUE (org_id, integration_id, group_key),
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
    )`);
  await knex.raw('CREATE INDEX error_groups_by_status ON error_groups (org_id, status, last_seen_started_at DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE error_groups');
}
