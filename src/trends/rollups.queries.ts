import type { Knex } from 'knex';

const HOUR_MS = 3_600_000;

/** The UTC hour a run started in: the bucket its figures are added to (date_bin('1 hour', ...) in SQL). */
export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

export interface RunForRollups {
  orgId: number;
  integrationId: number;
  startedAt: Date;
  finishedAt: Date;
  status: 'completed' | 'completed_with_errors' | 'failed';
  recordCount: number;
  counts: { succeeded: number; failed: number; warning: number };
  errorCounts: Record<string, number>;
}

/**
 * Adds one new run to the hourly rollups, in the ingest transaction: the run's
 * own hour gets +1 run and its records, and each code its errors. Called once
 * per stored run (a repeated post of a stored run adds nothing), so the
 * rollups always equal the aggregate of the runs, whatever order they arrive in.
 */
export async function addRunToRollups(trx: Knex.Transaction, run: RunForRollups): Promise<void> {
  const hour = hourOf(run.startedAt);
  const durationMs = Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime());
  await trx.raw(
    `INSERT INTO run_stats_hourly AS s (org_id, integration_id, hour, runs, failed_runs, runs_with_errors, records,
       records_succeeded, records_failed, records_warning, min_records, max_records, duration_ms, max_duration_ms,
       completed_records, min_completed_records)
     VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (org_id, integration_id, hour) DO UPDATE SET
       runs = s.runs + 1,
       failed_runs = s.failed_runs + excluded.failed_runs,
       runs_with_errors = s.runs_with_errors + excluded.runs_with_errors,
       records = s.records + excluded.records,
       records_succeeded = s.records_succeeded + excluded.records_succeeded,
       records_failed = s.records_failed + excluded.records_failed,
       records_warning = s.records_warning + excluded.records_warning,
       min_records = least(s.min_records, excluded.min_records),
       max_records = greatest(s.max_records, excluded.max_records),
       duration_ms = s.duration_ms + excluded.duration_ms,
       max_duration_ms = greatest(s.max_duration_ms, excluded.max_duration_ms),
       completed_records = s.completed_records + excluded.completed_records,
       min_completed_records = least(s.min_completed_records, excluded.min_completed_records)`,
    [
      run.orgId,
      run.integrationId,
      hour,
      run.status === 'failed' ? 1 : 0,
      run.status === 'completed_with_errors' ? 1 : 0,
      run.recordCount,
      run.counts.succeeded,
      run.counts.failed,
      run.counts.warning,
      run.recordCount,
      run.recordCount,
      durationMs,
      durationMs,
      // A failed run's records are left out of the records-per-run figures (least() skips its NULL).
      run.status === 'failed' ? 0 : run.recordCount,
      run.status === 'failed' ? null : run.recordCount,
    ],
  );
  const codes = Object.entries(run.errorCounts).filter(([, count]) => count > 0);
  if (codes.length === 0) return;
  await trx.raw(
    `INSERT INTO error_counts_hourly AS e (org_id, integration_id, hour, code, errors)
     SELECT ?, ?, ?, c.code, c.errors FROM unnest(?::text[], ?::bigint[]) AS c (code, errors)
     ON CONFLICT (org_id, integration_id, hour, code) DO UPDATE SET errors = e.errors + excluded.errors`,
    [run.orgId, run.integrationId, hour, codes.map(([code]) => code), codes.map(([, count]) => count)],
  );
}

/** Which rollup rows a trends read covers: one organisation's integrations (one or all of them), hours in [from, to). */
export interface RollupScope {
  orgId: number;
  integrationIds: number[];
  from: Date;
  to: Date;
  /** The start of each bucket, ascending: `bucket` is the 1-based index of the one an hour falls in. */
  bucketStarts: Date[];
}

export interface RunStatsBucket {
  bucket: number;
  runs: number;
  failed_runs: number;
  runs_with_errors: number;
  records: number;
  min_records: number;
  completed_records: number;
  min_completed_records: number | null;
  duration_ms: number;
  max_duration_ms: number;
}

/**
 * The run figures of each bucket, summed from the hourly rows. Read through
 * the primary key: the organisation, each of its integrations (a constant
 * array), and the range of hours.
 */
export async function readRunStats(knex: Knex, scope: RollupScope): Promise<RunStatsBucket[]> {
  if (scope.integrationIds.length === 0) return [];
  const { rows } = await knex.raw<{ rows: RunStatsBucket[] }>(
    `SELECT width_bucket(hour, ?::timestamptz[]) AS bucket, sum(runs)::int AS runs, sum(failed_runs)::int AS failed_runs,
       sum(runs_with_errors)::int AS runs_with_errors, sum(records)::float8 AS records, min(min_records) AS min_records,
       sum(completed_records)::float8 AS completed_records, min(min_completed_records) AS min_completed_records,
       sum(duration_ms)::float8 AS duration_ms, max(max_duration_ms)::float8 AS max_duration_ms
     FROM run_stats_hourly
     WHERE org_id = ? AND integration_id = ANY(?::bigint[]) AND hour >= ? AND hour < ?
     GROUP BY 1 ORDER BY 1`,
    [scope.bucketStarts.map((d) => d.toISOString()), scope.orgId, scope.integrationIds, scope.from, scope.to],
  );
  return rows;
}

export interface ErrorCountBucket {
  bucket: number;
  code: string;
  errors: number;
}

/** The errors per code of each bucket, summed from the hourly rows, through the primary key as readRunStats. */
export async function readErrorCounts(knex: Knex, scope: RollupScope): Promise<ErrorCountBucket[]> {
  if (scope.integrationIds.length === 0) return [];
  const { rows } = await knex.raw<{ rows: ErrorCountBucket[] }>(
    `SELECT width_bucket(hour, ?::timestamptz[]) AS bucket, code, sum(errors)::float8 AS errors
     FROM error_counts_hourly
     WHERE org_id = ? AND integration_id = ANY(?::bigint[]) AND hour >= ? AND hour < ?
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [scope.bucketStarts.map((d) => d.toISOString()), scope.orgId, scope.integrationIds, scope.from, scope.to],
  );
  return rows;
}

/** The hour of each integration's first run (absent without runs): from the first key of the primary key, one probe each. */
export async function firstRunHours(knex: Knex, orgId: number, integrationIds: number[]): Promise<Map<number, Date>> {
  if (integrationIds.length === 0) return new Map();
  const { rows } = await knex.raw<{ rows: { integration_id: number; hour: Date | null }[] }>(
    `SELECT i.id::int AS integration_id,
       (SELECT s.hour FROM run_stats_hourly s WHERE s.org_id = ? AND s.integration_id = i.id ORDER BY s.hour LIMIT 1) AS hour
     FROM unnest(?::bigint[]) AS i (id)`,
    [orgId, integrationIds],
  );
  return new Map(rows.flatMap((r) => (r.hour ? [[r.integration_id, r.hour] as const] : [])));
}

/**
 * Adds to one hour's error counts per code (negative to take away), after a re-check
 * changed a stored run's errors; a code left at zero loses its row, as if it never was.
 */
export async function addToErrorCounts(
  trx: Knex.Transaction,
  run: { orgId: number; integrationId: number; startedAt: Date },
  deltas: Record<string, number>,
): Promise<void> {
  const codes = Object.entries(deltas).filter(([, count]) => count !== 0);
  if (codes.length === 0) return;
  const hour = hourOf(run.startedAt);
  await trx.raw(
    `INSERT INTO error_counts_hourly AS e (org_id, integration_id, hour, code, errors)
     SELECT ?, ?, ?, c.code, c.errors FROM unnest(?::text[], ?::bigint[]) AS c (code, errors)
     ON CONFLICT (org_id, integration_id, hour, code) DO UPDATE SET errors = e.errors + excluded.errors`,
    [run.orgId, run.integrationId, hour, codes.map(([code]) => code), codes.map(([, count]) => count)],
  );
  await trx.raw('DELETE FROM error_counts_hourly WHERE org_id = ? AND integration_id = ? AND hour = ? AND errors <= 0', [run.orgId, run.integrationId, hour]);
}
