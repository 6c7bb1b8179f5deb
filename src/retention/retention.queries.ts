import type { Knex } from 'knex';

/** The tables partitioned by month of started_at (migrations 2026-12-01-0010 and -0020). */
export const PARTITIONED_TABLES = ['feed_records', 'errors'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/**
 * Makes sure the month (UTC) holding `at` has its partition of `table`, in its own
 * statement (feedlog_month_partition: IF NOT EXISTS, racing creators both succeed).
 */
export async function ensureMonthPartition(knex: Knex, table: PartitionedTable, at: Date): Promise<string> {
  const { rows } = await knex.raw<{ rows: { name: string }[] }>('SELECT feedlog_month_partition(?, ?::timestamptz) AS name', [table, at]);
  return rows[0]!.name;
}

export interface MonthPartition {
  name: string;
  from: Date;
  to: Date;
  /** The planner's row estimate (pg_class.reltuples), or null for a table never analysed. */
  estimatedRows: number | null;
}

/** The partitions of a table with their ranges, oldest first. */
export async function monthPartitions(knex: Knex, table: PartitionedTable): Promise<MonthPartition[]> {
  const { rows } = await knex.raw<{ rows: { name: string; bound: string; reltuples: number }[] }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, c.reltuples
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = ?::regclass`,
    [table],
  );
  const partitions: MonthPartition[] = [];
  for (const row of rows) {
    // FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00')
    const match = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(row.bound);
    if (!match) continue;
    partitions.push({ name: row.name, from: toDate(match[1]!), to: toDate(match[2]!), estimatedRows: row.reltuples >= 0 ? Math.round(row.reltuples) : null });
  }
  return partitions.sort((a, b) => a.from.getTime() - b.from.getTime());
}

// pg_get_expr writes bounds in the session's time zone with its offset ('2026-11-01 01:00:00+01').
function toDate(text: string): Date {
  return new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}

export async function countRows(knex: Knex, partition: string): Promise<number> {
  const { rows } = await knex.raw<{ rows: { count: string }[] }>('SELECT count(*) AS count FROM ??', [partition]);
  return Number(rows[0]!.count);
}

/**
 * Drops one partition: instant, and its space goes back at once (no vacuum). Waits at
 * most 10 s for its lock; a partition another prune dropped first is skipped.
 */
export async function dropPartition(knex: Knex, partition: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw("SET LOCAL lock_timeout = '10s'");
    await trx.raw('DROP TABLE IF EXISTS ??', [partition]);
  });
}

export interface OrgRetention {
  id: number;
  slug: string;
  retention_days: number;
}

export async function orgRetentions(knex: Knex): Promise<OrgRetention[]> {
  return knex('organisations').select('id', 'slug', 'retention_days').orderBy('id');
}

/** How many days the organisation keeps its records. */
export async function retentionDaysOf(knex: Knex, orgId: number): Promise<number> {
  const row = await knex('organisations').select('retention_days').where({ id: orgId }).first();
  return Number(row?.retention_days ?? 90);
}

export async function lockRetentionDays(trx: Knex.Transaction, orgId: number): Promise<number | undefined> {
  const row = await trx('organisations').select('retention_days').where({ id: orgId }).forUpdate().first();
  return row?.retention_days as number | undefined;
}

export async function setRetentionDays(knex: Knex, orgId: number, days: number): Promise<void> {
  await knex('organisations').where({ id: orgId }).update({ retention_days: days });
}

/** How many of the organisation's runs, records and errors started before the cut-off (still stored). */
export async function countOlderRows(knex: Knex, orgId: number, cutoff: Date): Promise<{ runs: number; records: number; errors: number }> {
  const { rows } = await knex.raw<{ rows: { runs: string; records: string; errors: string }[] }>(
    `SELECT (SELECT count(*) FROM sync_runs WHERE org_id = :orgId AND started_at < :cutoff) AS runs,
            (SELECT count(*) FROM feed_records WHERE org_id = :orgId AND started_at < :cutoff) AS records,
            (SELECT count(*) FROM errors WHERE org_id = :orgId AND started_at < :cutoff) AS errors`,
    { orgId, cutoff },
  );
  return { runs: Number(rows[0]!.runs), records: Number(rows[0]!.records), errors: Number(rows[0]!.errors) };
}

/**
 * Deletes the organisation's oldest runs that started before the cut-off, as many as
 * hold about `recordBudget` records (at least one run): the trigger of migration
 * 2026-12-01-0030 deletes their records and errors by primary key prefix. Returns how
 * many runs, records and errors went; no runs means none is left.
 */
export async function deleteOldestRuns(
  knex: Knex,
  orgId: number,
  cutoff: Date,
  recordBudget: number,
): Promise<{ runs: number; records: number; errors: number }> {
  return knex.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: { org_id: string; id: string; started_at: Date }[] }>(
      `SELECT org_id, id, started_at FROM (
         SELECT org_id, id, started_at, record_count, sum(record_count) OVER (ORDER BY started_at, id) AS upto
         FROM (SELECT org_id, id, started_at, record_count FROM sync_runs
               WHERE org_id = ? AND started_at < ? ORDER BY started_at, id LIMIT 1000) AS oldest
       ) AS batch
       WHERE upto - record_count < ?`,
      [orgId, cutoff, Math.max(1, recordBudget)],
    );
    if (rows.length === 0) return { runs: 0, records: 0, errors: 0 };
    const ids = rows.map((row) => Number(row.id));
    const starts = rows.map((row) => row.started_at);
    // Counted before the trigger deletes them, by the same primary key prefixes.
    const counted = await trx.raw<{ rows: { records: string; errors: string }[] }>(
      `SELECT (SELECT count(*) FROM feed_records f JOIN unnest(?::bigint[], ?::timestamptz[]) AS g(id, started_at)
                 ON f.org_id = ? AND f.started_at = g.started_at AND f.sync_run_id = g.id) AS records,
              (SELECT count(*) FROM errors e JOIN unnest(?::bigint[], ?::timestamptz[]) AS g(id, started_at)
                 ON e.org_id = ? AND e.started_at = g.started_at AND e.sync_run_id = g.id) AS errors`,
      [ids, starts, orgId, ids, starts, orgId],
    );
    const runs = await trx('sync_runs').where('org_id', orgId).whereIn('id', ids).del();
    return { runs, records: Number(counted.rows[0]!.records), errors: Number(counted.rows[0]!.errors) };
  });
}

/**
 * Deletes, in batches, the organisation's employee state versions from before the
 * cut-off that a newer version from before the cut-off replaced: the version in force
 * at the cut-off stays (a late run after it is classified against it). Returns how many went.
 */
export async function deleteReplacedStateVersions(knex: Knex, orgId: number, cutoff: Date, batch: number): Promise<number> {
  const { rowCount } = await knex.raw(
    `DELETE FROM employee_state_versions WHERE ctid = ANY(ARRAY(
       SELECT v.ctid FROM employee_state_versions v
       WHERE v.org_id = :orgId AND v.started_at < :cutoff
         AND EXISTS (SELECT 1 FROM employee_state_versions n
                     WHERE n.org_id = v.org_id AND n.integration_id = v.integration_id AND n.external_key = v.external_key
                       AND n.started_at < :cutoff AND (n.started_at, n.sync_run_id) > (v.started_at, v.sync_run_id))
       LIMIT :batch))`,
    { orgId, cutoff, batch },
  );
  return rowCount ?? 0;
}

/** Counts what deleteReplacedStateVersions would delete. */
export async function countReplacedStateVersions(knex: Knex, orgId: number, cutoff: Date): Promise<number> {
  const { rows } = await knex.raw<{ rows: { count: string }[] }>(
    `SELECT count(*) AS count FROM employee_state_versions v
     WHERE v.org_id = :orgId AND v.started_at < :cutoff
       AND EXISTS (SELECT 1 FROM employee_state_versions n
                   WHERE n.org_id = v.org_id AND n.integration_id = v.integration_id AND n.external_key = v.external_key
                     AND n.started_at < :cutoff AND (n.started_at, n.sync_run_id) > (v.started_at, v.sync_run_id))`,
    { orgId, cutoff },
  );
  return Number(rows[0]!.count);
}

/** Resolved integration events (missed-run gaps that closed) that occurred before the cut-off; open ones stay. */
export async function deleteResolvedEvents(knex: Knex, orgId: number, cutoff: Date, dryRun: boolean): Promise<number> {
  const query = knex('integration_events').where('org_id', orgId).whereNotNull('resolved_at').where('occurred_at', '<', cutoff);
  if (dryRun) {
    const [row] = await query.count<{ count: string }[]>('* as count');
    return Number(row!.count);
  }
  return query.del();
}

/** Claims the day's prune for this process: false when another process claimed it already. */
export async function claimRetentionDay(knex: Knex, day: string): Promise<boolean> {
  const rows = await knex('retention_runs').insert({ day }).onConflict('day').ignore().returning('day');
  return rows.length > 0;
}

export async function finishRetentionDay(knex: Knex, day: string, result: object): Promise<void> {
  await knex('retention_runs')
    .where({ day })
    .update({ finished_at: knex.fn.now(), result: JSON.stringify(result) });
}
