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
       records_succeeded, records_failed, records_warning, min_records, max_records, duration_ms, max_duration_ms)
     VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
       max_duration_ms = greatest(s.max_duration_ms, excluded.max_duration_ms)`,
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
