import type { Knex } from 'knex';

// An error gets its run's started_at, the key the errors table is partitioned
// by (2026-12-01-0020): copied from the run, as ingest writes it from now on.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE errors ADD COLUMN started_at timestamptz');
  await knex.raw('UPDATE errors e SET started_at = r.started_at FROM sync_runs r WHERE r.org_id = e.org_id AND r.id = e.sync_run_id');
  await knex.raw('ALTER TABLE errors ALTER COLUMN started_at SET NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE errors DROP COLUMN started_at');
}
