import type { Knex } from 'knex';

// The missed-run check of the scheduler: `missed_check_at` is when to look at
// an integration next (claimed with FOR UPDATE SKIP LOCKED, so several
// processes share the work), `missed_checked_through` the started_at of the
// last run whose following gap was examined (NULL: none yet), so that gaps in
// history posted at once, or while feedlog was down, are found afterwards.
// The claim reads every organisation's integrations in one queue, so its index
// cannot start with org_id.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE integrations
      ADD COLUMN missed_check_at timestamptz NOT NULL DEFAULT '-infinity',
      ADD COLUMN missed_checked_through timestamptz`);
  await knex.raw('CREATE INDEX integrations_missed_check ON integrations (missed_check_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX integrations_missed_check');
  await knex.raw('ALTER TABLE integrations DROP COLUMN missed_checked_through, DROP COLUMN missed_check_at');
}
