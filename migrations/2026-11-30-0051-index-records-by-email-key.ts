import type { Knex } from 'knex';

// The records of an email, as the classifier compares emails (trimmed of
// Unicode whitespace, lower-cased: feedlog_email_key), then by integration and
// start. A late run's re-check reads the later records of the emails its
// employees held, in one integration from the late run on (or in one later
// run): the old index (org_id, left(lower(email), 200)) reached every record of
// those emails in the organisation, all integrations and all time, and missed
// emails sent with spaces around them. The records API's `email` filter, across
// integrations, still seeks its leading columns, and now finds " Ana@Example.com"
// when asked for ana@example.com. It replaces the old index rather than adding
// another to the largest table.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_email');
  await knex.raw('CREATE INDEX feed_records_by_email ON feed_records (org_id, left(feedlog_email_key(email), 200), integration_id, started_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_email');
  await knex.raw('CREATE INDEX feed_records_by_email ON feed_records (org_id, left(lower(email), 200))');
}
