import type { Knex } from 'knex';

// A btree entry holds at most about 2,700 bytes, so one 4,000-character
// external ID or email failed the whole run (and the engine retried for ever).
// Lookups index a 200-character prefix (the queries compare the prefix, then
// the whole value); keys that must be unique index the value's md5, kept in a
// generated column (the upserts re-check the whole value, so a collision, which
// only an engine with that integration's token could craft, writes nothing).
const PREFIX = 200;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feed_records_by_employee');
  await knex.raw(`CREATE INDEX feed_records_by_employee ON feed_records (org_id, integration_id, left(external_id, ${PREFIX}), started_at DESC)`);
  await knex.raw('DROP INDEX feed_records_by_email');
  await knex.raw(`CREATE INDEX feed_records_by_email ON feed_records (org_id, left(lower(email), ${PREFIX}))`);

  await knex.raw('ALTER TABLE employee_states ADD COLUMN external_key text GENERATED ALWAYS AS (md5(external_id)) STORED');
  await knex.raw('ALTER TABLE employee_states DROP CONSTRAINT employee_states_pkey');
  await knex.raw('ALTER TABLE employee_states ADD PRIMARY KEY (org_id, integration_id, external_key)');
  await knex.raw('DROP INDEX employee_states_active_email');
  await knex.raw(`CREATE INDEX employee_states_active_email ON employee_states (org_id, integration_id, left(email_key, ${PREFIX})) WHERE active`);

  await knex.raw('ALTER TABLE error_group_members ADD COLUMN external_key text GENERATED ALWAYS AS (md5(external_id)) STORED');
  await knex.raw('ALTER TABLE error_group_members DROP CONSTRAINT error_group_members_pkey');
  await knex.raw('ALTER TABLE error_group_members ADD PRIMARY KEY (org_id, group_id, external_key)');
  await knex.raw('DROP INDEX error_group_members_open');
  await knex.raw('CREATE INDEX error_group_members_open ON error_group_members (org_id, integration_id, external_key) WHERE open');
}

// Back to whole values: fails, as the old schema did, if a long value was stored since.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX error_group_members_open');
  await knex.raw('ALTER TABLE error_group_members DROP CONSTRAINT error_group_members_pkey');
  await knex.raw('ALTER TABLE error_group_members ADD PRIMARY KEY (org_id, group_id, external_id)');
  await knex.raw('ALTER TABLE error_group_members DROP COLUMN external_key');
  await knex.raw('CREATE INDEX error_group_members_open ON error_group_members (org_id, integration_id, external_id) WHERE open');

  await knex.raw('DROP INDEX employee_states_active_email');
  await knex.raw('CREATE INDEX employee_states_active_email ON employee_states (org_id, integration_id, email_key) WHERE active');
  await knex.raw('ALTER TABLE employee_states DROP CONSTRAINT employee_states_pkey');
  await knex.raw('ALTER TABLE employee_states ADD PRIMARY KEY (org_id, integration_id, external_id)');
  await knex.raw('ALTER TABLE employee_states DROP COLUMN external_key');

  await knex.raw('DROP INDEX feed_records_by_email');
  await knex.raw('CREATE INDEX feed_records_by_email ON feed_records (org_id, lower(email))');
  await knex.raw('DROP INDEX feed_records_by_employee');
  await knex.raw('CREATE INDEX feed_records_by_employee ON feed_records (org_id, integration_id, external_id, started_at DESC)');
}
