import type { Knex } from 'knex';

// A run's page filters its records by outcome, above all the failed ones: read
// through the primary key, a 100,000-record run with a few failures was read
// whole to find them. Succeeded records, nearly all of them, are left out: the
// primary key serves that filter well, and the index stays small.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX feed_records_by_run_outcome ON feed_records (org_id, sync_run_id, outcome, index) WHERE outcome <> 'succeeded'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_run_outcome');
}
