import type { Knex } from 'knex';

// feedlog_month_partition('feed_records', at) makes sure the month (UTC) that
// holds `at` has its partition, <parent>_yYYYYmMM, and returns its name. Safe
// to race: two sessions creating the same month both succeed (IF NOT EXISTS,
// and the catalog's unique violation a racing CREATE can still raise). The
// month is computed in UTC whatever the session's time zone.
//
// feedlog_name_partition_indexes(parent) names each partition's indexes after the
// parent's: feed_records_by_employee_y2026m11, not PostgreSQL's made-up names, so
// that a plan says which index it reads.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION feedlog_name_partition_indexes(parent text) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
      idx record;
    BEGIN
      FOR idx IN
        SELECT child.relname AS child_name, parent_index.relname AS parent_index, part.relname AS part_name
        FROM pg_inherits pi
        JOIN pg_class part ON part.oid = pi.inhrelid
        JOIN pg_index ci ON ci.indrelid = part.oid
        JOIN pg_class child ON child.oid = ci.indexrelid
        JOIN pg_inherits ii ON ii.inhrelid = child.oid
        JOIN pg_class parent_index ON parent_index.oid = ii.inhparent
        WHERE pi.inhparent = parent::regclass
      LOOP
        IF idx.child_name <> idx.parent_index || substr(idx.part_name, length(parent) + 1) THEN
          EXECUTE format('ALTER INDEX %I RENAME TO %I', idx.child_name, idx.parent_index || substr(idx.part_name, length(parent) + 1));
        END IF;
      END LOOP;
    END $$`);
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
        PERFORM feedlog_name_partition_indexes(parent);
      EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL;
      END;
      RETURN name;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION feedlog_month_partition(text, timestamptz)');
  await knex.raw('DROP FUNCTION feedlog_name_partition_indexes(text)');
}
