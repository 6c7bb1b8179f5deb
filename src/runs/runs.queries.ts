import type { Knex } from 'knex';

export interface SyncRunRow {
  org_id: number;
  id: number;
  integration_id: number;
  run_id: string;
  schema_version: number;
  source_system: string | null;
  target_system: string | null;
  trigger: string;
  status: string;
  run_error: string | null;
  started_at: Date;
  finished_at: Date;
  received_at: Date;
  record_count: number;
  counts: Record<string, number>;
  error_counts: Record<string, number>;
  body_sha256: string;
}

export type NewSyncRun = Omit<SyncRunRow, 'id' | 'received_at'> & { header: Record<string, unknown> };

export const SUMMARY_COLUMNS = [
  'org_id',
  'id',
  'integration_id',
  'run_id',
  'schema_version',
  'source_system',
  'target_system',
  'trigger',
  'status',
  'run_error',
  'started_at',
  'finished_at',
  'received_at',
  'record_count',
  'counts',
  'error_counts',
  'body_sha256',
];

export async function insertSyncRun(knex: Knex, run: NewSyncRun): Promise<SyncRunRow> {
  const [row] = await knex('sync_runs')
    .insert({ ...run, counts: JSON.stringify(run.counts), error_counts: JSON.stringify(run.error_counts), header: JSON.stringify(run.header) })
    .returning(SUMMARY_COLUMNS);
  return row as SyncRunRow;
}

export async function findSyncRunByRunId(knex: Knex, orgId: number, integrationId: number, runId: string): Promise<SyncRunRow | undefined> {
  return knex('sync_runs').select(SUMMARY_COLUMNS).where({ org_id: orgId, integration_id: integrationId, run_id: runId }).first();
}

/** Adds to a run's error counts per code (negative to take away): after a re-check changed its errors. */
export async function addToRunErrorCounts(trx: Knex.Transaction, orgId: number, syncRunId: number, deltas: Record<string, number>): Promise<void> {
  if (Object.keys(deltas).length === 0) return;
  await trx.raw(
    `UPDATE sync_runs SET error_counts = (
       SELECT jsonb_object_agg(c.code, c.errors::int + coalesce((?::jsonb ->> c.code)::int, 0))
       FROM jsonb_each_text(error_counts) AS c(code, errors))
     WHERE org_id = ? AND id = ?`,
    [JSON.stringify(deltas), orgId, syncRunId],
  );
}
