import type { Knex } from 'knex';

// feedlog_month_partition('feed_records', at) makes sure the month (UTC) that
// holds `at` has its partition, <parent>_yYYYYmMM, and returns its name. Safe
// to race: two sessions creating the same month both succeed (IF NOT EXISTS,
// and the catalog's unique violation a racing CREATE can still raise). The
// month is computed in UTC whatever the session's time zone.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION feedlog_month_partition(parent text, at timestamptz) RETURNS text
    LANGUAGE plpgsql AS $$
    DECLARE
      month timestamp := date_trunc('month', at AT TIME ZONE 'UTC');
      name text := parent || '_' || to_char(month, '"y"YYYY"m"MM');
    BEGIN
      IF to_regclass(quote_ident(name)) IS NOT NULL THEN
        RETURN name;
      END IF;
      BEGIN
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
          name, parent, month AT TIME ZONE 'UTC', (month + interval '1 month') AT TIME ZONE 'UTC');
      EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL;
      END;
      RETURN name;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION feedlog_month_partition(text, timestamptz)');
}
