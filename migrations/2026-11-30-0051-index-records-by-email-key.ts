import type { Knex } from 'knex';

// The records of an email, as the classifier compares emails (trimmed of
// Unicode whitespace, lower-cased: feedlog_email_key): a late run's re-check
// finds every later record of an email whose holder changed, and the records
// API's `email` filter finds " Ana@Example.com" when asked for ana@example.com.
// Replaces the index on left(lower(email), 200), which missed padded emails.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_email');
  await knex.raw('CREATE INDEX feed_records_by_email ON feed_records (org_id, left(feedlog_email_key(email), 200))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_email');
  await knex.raw('CREATE INDEX feed_records_by_email ON feed_records (org_id, left(lower(email), 200))');
}
