import type { Knex } from 'knex';

/**
 * Tests that write runs straight into the tables (not through ingest, which makes sure of
 * its run's month) make the month partitions of feed_records and errors for the runs
 * they wrote, as the migration does for stored rows. Autovacuum is off on them, as plan
 * tests want (statistics only when the test analyses).
 */
export async function ensurePartitionsOfRuns(knex: Knex): Promise<void> {
  await knex.raw(
    `SELECT feedlog_month_partition(t, m AT TIME ZONE 'UTC')
     FROM (SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'UTC') AS m FROM sync_runs) AS months
     CROSS JOIN unnest(ARRAY['feed_records', 'errors']) AS t`,
  );
  for (const table of ['feed_records', 'errors']) await disableAutovacuum(knex, table);
}

/**
 * Turns autovacuum off for a table, so that a plan test sees a table without statistics;
 * a partitioned table has no storage of its own: its partitions' are turned off (those
 * that exist: call it again after making more).
 */
export async function disableAutovacuum(knex: Knex, table: string): Promise<void> {
  const { rows } = await knex.raw<{ rows: { name: string }[] }>(
    `SELECT c.relname AS name FROM pg_class c WHERE c.oid = ?::regclass AND c.relkind = 'r'
     UNION ALL
     SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ?::regclass`,
    [table, table],
  );
  for (const { name } of rows) await knex.raw('ALTER TABLE ?? SET (autovacuum_enabled = false)', [name]);
}

/**
 * A plan without its scans of empty partitions (the months ahead that the migration
 * made, cost 0.00..0.00): PostgreSQL reads an empty table whichever way is cheapest,
 * a sequential scan of nothing, which says nothing about how a month with rows is read.
 */
export function withoutEmptyPartitionScans(plan: string): string {
  const lines = plan.split('\n');
  const kept: string[] = [];
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]!;
    if (/->\s+Seq Scan on \w+_y\d{4}m\d\d\b.*\(cost=0\.00\.\.0\.00 /.test(line)) {
      const depth = line.indexOf('->');
      while (at + 1 < lines.length && /^\s*/.exec(lines[at + 1]!)![0].length > depth && !lines[at + 1]!.trimStart().startsWith('->')) at++;
      continue;
    }
    kept.push(line);
  }
  return kept.join('\n');
}
