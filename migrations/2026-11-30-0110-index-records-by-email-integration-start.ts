import type { Knex } from 'knex';

// Re-checking a late run reads the later records of the emails its employees
// held, in one integration and from the late run on (or in one later run).
// feed_records_by_email (org_id, left(lower(email), 200)) reached every record of
// those emails in the organisation, every integration and all time, and filtered
// them. The same index with the integration and started_at after the email
// serves that, and still serves the feed log's email filter across integrations
// (its leading columns are unchanged), so it replaces the old one rather than
// adding a sixth index to the largest table.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_email');
  await knex.raw('CREATE INDEX feed_records_by_email ON feed_records (org_id, left(lower(email), 200), integration_id, started_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_email');
  await knex.raw('CREATE INDEX feed_records_by_email ON feed_records (org_id, left(lower(email), 200))');
}
