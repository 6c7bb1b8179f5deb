import type { Knex } from 'knex';

// The scheduler's daily prune (src/retention): one row per UTC day, claimed by
// the first app process whose tick sees the day (INSERT ... ON CONFLICT DO
// NOTHING), so two processes never prune at once; it keeps what went.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE retention_runs (
      day date PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      result jsonb
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE retention_runs');
}
