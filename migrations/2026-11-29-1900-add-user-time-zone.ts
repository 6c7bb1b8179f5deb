import type { Knex } from 'knex';

// Pages show times in the reader's own time zone (an IANA name, chosen on the
// settings page). Everyone starts in UTC, which the pages showed until now.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE users ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP COLUMN time_zone');
}
