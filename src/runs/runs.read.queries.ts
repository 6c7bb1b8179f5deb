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

export type RunWithIntegration = SyncRunRow & {
  integration_name: string;
  integration_source_system: string | null;
  integration_target_system: string | null;
};

const INTEGRATION_COLUMNS = ['i.name as integration_name', 'i.source_system as integration_source_system', 'i.target_system as integration_target_system'];

function runsOf(knex: Knex, orgIds: number[]) {
  return (
    knex('sync_runs as r')
      .join('integrations as i', (join) => join.on('i.org_id', 'r.org_id').andOn('i.id', 'r.integration_id'))
      // Never r.*: header holds the run's unknown keys, which no list or page shows.
      .select(...SUMMARY_COLUMNS.map((column) => `r.${column}`), ...INTEGRATION_COLUMNS)
      .whereIn('r.org_id', orgIds)
  );
}

/**
 * Newest first (started_at, then id), keyset-paginated after `after`. Each
 * organisation's newest runs are read in order from sync_runs_by_org_start (or
 * sync_runs_by_start for one integration), at most a page of them, and the
 * pages of the organisations are merged: one organisation reads one index
 * range, support's every organisation never sorts every run there is. The
 * integration is joined after the limit, so that it cannot turn the plan into
 * "every run of each integration, then sort".
 */
export async function listSyncRuns(knex: Knex, orgIds: number[], filters: RunFilters, limit: number, after?: [string, number]): Promise<RunWithIntegration[]> {
  const perOrg = knex('sync_runs as s')
    .select(SUMMARY_COLUMNS.map((column) => `s.${column}`))
    .where('s.org_id', knex.ref('o.id'))
    .orderBy([
      { column: 's.started_at', order: 'desc' },
      { column: 's.id', order: 'desc' },
    ])
    .limit(limit + 1);
  if (filters.integration !== undefined) perOrg.where('s.integration_id', filters.integration);
  if (filters.status) perOrg.where('s.status', filters.status);
  if (filters.trigger) perOrg.where('s.trigger', filters.trigger);
  if (filters.run_id) perOrg.where('s.run_id', filters.run_id);
  if (filters.from) perOrg.where('s.started_at', '>=', filters.from);
  if (filters.to) perOrg.where('s.started_at', '<', filters.to);
  if (after) perOrg.whereRaw('(s.started_at, s.id) < (?::timestamptz, ?)', after);
  return knex
    .select(...SUMMARY_COLUMNS.map((column) => `r.${column}`), ...INTEGRATION_COLUMNS)
    .from(knex.raw('unnest(?::bigint[]) AS o(id)', [orgIds]))
    .joinRaw('CROSS JOIN LATERAL ? AS r', [perOrg] as unknown as Knex.Value[])
    .join('integrations as i', (join) => join.on('i.org_id', 'r.org_id').andOn('i.id', 'r.integration_id'))
    .orderBy([
      { column: 'r.started_at', order: 'desc' },
      { column: 'r.id', order: 'desc' },
    ])
    .limit(limit + 1);
}

export async function findSyncRun(knex: Knex, orgIds: number[], id: number): Promise<RunWithIntegration | undefined> {
  return runsOf(knex, orgIds).where('r.id', id).first();
}

export async function runLevelErrors(knex: Knex, run: { org_id: number; id: number; started_at: Date }) {
  return knex('errors')
    .select('group_id', 'code', 'severity', 'field', 'value', 'expected', 'variant')
    .where({ org_id: run.org_id, started_at: run.started_at, sync_run_id: run.id })
    .whereNull('record_index')
    .orderBy('id');
}

/** The start of the run of this integration just older than `before` (through sync_runs_by_start), if any. */
export async function olderRunStart(knex: Knex, run: { org_id: number; integration_id: number; started_at: Date; id: number }): Promise<Date | null> {
  const row = await knex('sync_runs')
    .select('started_at')
    .where({ org_id: run.org_id, integration_id: run.integration_id })
    .whereRaw('(started_at, id) < (?::timestamptz, ?)', [run.started_at.toISOString(), run.id])
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first();
  return row ? (row.started_at as Date) : null;
}

/** What the feed logs need of an integration: its name, schedule and latest run. */
export interface IntegrationSchedule {
  org_id: number;
  id: number;
  name: string;
  schedule_interval_seconds: number | null;
  schedule_cron: string | null;
  schedule_time_zone: string;
  grace_seconds: number;
  last_run_started_at: Date | null;
}

export async function integrationSchedules(knex: Knex, orgIds: number[]): Promise<IntegrationSchedule[]> {
  return knex('integrations')
    .select('org_id', 'id', 'name', 'schedule_interval_seconds', 'schedule_cron', 'schedule_time_zone', 'grace_seconds', 'last_run_started_at')
    .whereIn('org_id', orgIds)
    .orderBy(['org_id', 'name']);
}
