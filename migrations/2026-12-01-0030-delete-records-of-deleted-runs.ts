import type { Knex } from 'knex';

// feed_records and errors no longer reference sync_runs (a foreign key is a
// look-up per inserted row, and a partitioned table's rows go by partition).
// A run deleted by any path (feedlog prune, or an integration or organisation
// deleted, which cascades to its runs) takes its records and errors along:
// one statement-level trigger, reading the deleted runs as a transition table,
// finds them by primary key prefix (org_id, started_at), so only the runs'
// months are read.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION feedlog_delete_rows_of_runs() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM errors e USING gone g WHERE e.org_id = g.org_id AND e.started_at = g.started_at AND e.sync_run_id = g.id;
      DELETE FROM feed_records f USING gone g WHERE f.org_id = g.org_id AND f.started_at = g.started_at AND f.sync_run_id = g.id;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER sync_runs_delete_rows AFTER DELETE ON sync_runs
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION feedlog_delete_rows_of_runs()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER sync_runs_delete_rows ON sync_runs');
  await knex.raw('DROP FUNCTION feedlog_delete_rows_of_runs()');
}
