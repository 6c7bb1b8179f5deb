import type { Knex } from 'knex';

// How long an organisation's records, errors and runs are kept (feedlog prune,
// run daily by the scheduler; `feedlog org retention <slug> <days>` sets it).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE organisations ADD COLUMN retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 36500)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE organisations DROP COLUMN retention_days');
}
