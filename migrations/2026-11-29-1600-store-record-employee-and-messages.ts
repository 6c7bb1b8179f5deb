import type { Knex } from 'knex';

// The records API shows a record's employee and messages. Read from raw, every
// page of records read whole raw records, unknown keys and all (a 50 MB value
// made every read that touched it crawl). They get columns of their own; raw is
// kept as sent and read by no list.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE feed_records ADD COLUMN employee jsonb, ADD COLUMN messages jsonb');
  await knex.raw("UPDATE feed_records SET employee = raw->'employee', messages = raw->'messages'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE feed_records DROP COLUMN employee, DROP COLUMN messages');
}
