import type { Knex } from 'knex';

/**
 * The tables a large ingest grows in one transaction and reads again in the same one (or,
 * employee_summaries and employee_state_versions, that later reads plan with statistics:
 * without them, PostgreSQL 18 took employee_state_versions_by_email for the primary key and
 * read every version of the integration per ID a late run asked for).
 */
export type IngestTable = 'error_groups' | 'error_group_members' | 'employee_summaries' | 'employee_state_versions';

// Below this, a stale plan costs too little to be worth an ANALYZE.
const MIN_ROWS = 1_000;

/**
 * ANALYZEs `table` inside the caller's transaction when it has just added at
 * least as many rows as the table's statistics describe (a young install whose
 * tables were analyzed nearly empty, or never). PostgreSQL plans each session's
 * foreign-key checks once and keeps the plan until the statistics change: a
 * check planned on an empty error_groups walks every group of the organisation
 * per inserted member, quadratic in a run's new groups. ANALYZE replans them.
 *
 * The cost is bounded: ANALYZE reads a sample of at most 30,000 rows (the
 * default statistics target), and it sees this transaction's own new rows. It
 * holds a SHARE UPDATE EXCLUSIVE lock until commit, which blocks no reader or
 * writer, only another ANALYZE or VACUUM of the table: a concurrent large
 * ingest that wants one too waits for this commit. Since the condition asks
 * the table to have doubled, that happens a logarithmic number of times in the
 * table's life, and never in the steady state.
 */
export async function analyzeIfOutgrown(trx: Knex.Transaction, table: IngestTable, addedRows: number): Promise<boolean> {
  if (addedRows < MIN_ROWS) return false;
  const result = await trx.raw<{ rows: { reltuples: number }[] }>('SELECT reltuples FROM pg_class WHERE oid = ?::regclass', [table]);
  // -1 when the table was never analyzed.
  const described = Math.max(0, Number(result.rows[0]?.reltuples ?? 0));
  if (addedRows < described) return false;
  await trx.raw(`ANALYZE ${table}`);
  return true;
}
