import type { Knex } from 'knex';
import { SUMMARY_COLUMNS, type SyncRunRow } from './runs.queries.js';

export interface RunFilters {
  integration?: number;
  status?: string;
  trigger?: string;
  from?: Date;
  to?: Date;
  run_id?: string;
}

export type RunWithIntegration = SyncRunRow & { integration_name: string };

function runsOf(knex: Knex, orgIds: number[]) {
  return (
    knex('sync_runs as r')
      .join('integrations as i', (join) => join.on('i.org_id', 'r.org_id').andOn('i.id', 'r.integration_id'))
      // Never r.*: header holds the run's unknown keys, which no list or page shows.
      .select(...SUMMARY_COLUMNS.map((column) => `r.${column}`), 'i.name as integration_name')
      .whereIn('r.org_id', orgIds)
  );
}

/** Newest first (started_at, then id), keyset-paginated after `after`. */
export async function listSyncRuns(knex: Knex, orgIds: number[], filters: RunFilters, limit: number, after?: [string, number]): Promise<RunWithIntegration[]> {
  const query = runsOf(knex, orgIds)
    .orderBy([
      { column: 'r.started_at', order: 'desc' },
      { column: 'r.id', order: 'desc' },
    ])
    .limit(limit + 1);
  if (filters.integration !== undefined) query.where('r.integration_id', filters.integration);
  if (filters.status) query.where('r.status', filters.status);
  if (filters.trigger) query.where('r.trigger', filters.trigger);
  if (filters.run_id) query.where('r.run_id', filters.run_id);
  if (filters.from) query.where('r.started_at', '>=', filters.from);
  if (filters.to) query.where('r.started_at', '<', filters.to);
  if (after) query.whereRaw('(r.started_at, r.id) < (?::timestamptz, ?)', after);
  return query;
}

export async function findSyncRun(knex: Knex, orgIds: number[], id: number): Promise<RunWithIntegration | undefined> {
  return runsOf(knex, orgIds).where('r.id', id).first();
}

export async function runLevelErrors(knex: Knex, orgId: number, syncRunId: number) {
  return knex('errors')
    .select('code', 'severity', 'field', 'value', 'expected', 'variant')
    .where({ org_id: orgId, sync_run_id: syncRunId })
    .whereNull('record_index')
    .orderBy('id');
}
