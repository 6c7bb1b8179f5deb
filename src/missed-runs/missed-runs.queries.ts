import type { Knex } from 'knex';
import type { CheckedRun, MissedRunGap } from './missed-runs.js';

export interface DueIntegration {
  org_id: number;
  id: number;
  schedule_interval_seconds: number | null;
  schedule_cron: string | null;
  schedule_time_zone: string;
  grace_seconds: number;
  missed_checked_through: Date | null;
}

/**
 * Claims up to `limit` integrations whose missed-run check is due, oldest due
 * first, locking their rows until the transaction ends. Rows locked by another
 * scheduler, or by an ingest storing a run, are skipped: they are looked at on
 * a later tick.
 */
export async function claimDueIntegrations(trx: Knex.Transaction, now: Date, limit: number): Promise<DueIntegration[]> {
  const rows = await trx('integrations')
    .select('org_id', 'id', 'schedule_interval_seconds', 'schedule_cron', 'schedule_time_zone', 'grace_seconds', 'missed_checked_through')
    .where('missed_check_at', '<=', now)
    .orderBy('missed_check_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return rows.map((row) => ({ ...row, org_id: Number(row.org_id), id: Number(row.id) }));
}

/** An integration's runs from `from` on (all when null), oldest first, at most `limit`. */
export async function runsFrom(knex: Knex, orgId: number, integrationId: number, from: Date | null, limit: number): Promise<CheckedRun[]> {
  const query = knex('sync_runs')
    .select('id', 'started_at')
    .where({ org_id: orgId, integration_id: integrationId })
    .orderBy([
      { column: 'started_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit);
  if (from !== null) query.where('started_at', '>=', from);
  const rows = await query;
  return rows.map((row) => ({ id: Number(row.id), startedAt: row.started_at as Date }));
}

/**
 * Stores gaps as missed_run events, each once (by its first slot): a gap seen
 * again gets its latest slot, count and end; one seen unchanged is not written.
 * `occurred_at` stays when the gap was first detected.
 */
export async function saveGaps(
  trx: Knex.Transaction,
  integration: { orgId: number; integrationId: number },
  gaps: MissedRunGap[],
  expected: string,
  detectedAt: Date,
): Promise<void> {
  if (gaps.length === 0) return;
  await trx.raw(
    `INSERT INTO integration_events AS e (org_id, integration_id, code, severity, due_at, last_due_at, missed_slots, occurred_at,
       resolved_at, resolved_by_sync_run_id, details)
     SELECT ?, ?, 'missed_run', 'error', g.due_at, g.last_due_at, g.missed_slots, ?, g.resolved_at, g.resolved_by, jsonb_build_object('expected', ?::text)
     FROM jsonb_to_recordset(?::jsonb) AS g(due_at timestamptz, last_due_at timestamptz, missed_slots integer, resolved_at timestamptz, resolved_by bigint)
     ON CONFLICT (org_id, integration_id, code, due_at) DO UPDATE SET
       last_due_at = excluded.last_due_at,
       missed_slots = excluded.missed_slots,
       resolved_at = excluded.resolved_at,
       resolved_by_sync_run_id = excluded.resolved_by_sync_run_id,
       details = excluded.details
     WHERE (e.last_due_at, e.missed_slots, e.resolved_at, e.resolved_by_sync_run_id, e.details)
       IS DISTINCT FROM (excluded.last_due_at, excluded.missed_slots, excluded.resolved_at, excluded.resolved_by_sync_run_id, excluded.details)`,
    [
      integration.orgId,
      integration.integrationId,
      detectedAt,
      expected,
      JSON.stringify(
        gaps.map((gap) => ({
          due_at: gap.dueAt,
          last_due_at: gap.lastDueAt,
          missed_slots: gap.missedSlots,
          resolved_at: gap.resolvedAt,
          resolved_by: gap.resolvedBySyncRunId,
        })),
      ),
    ],
  );
}

/**
 * Removes the missed_run events whose first slot lies in (after, before) but
 * that the examination of the runs there no longer finds (`keep` are the ones
 * it found): a run that started in time but was posted after its grace.
 */
export async function deleteGapsNotFound(
  trx: Knex.Transaction,
  integration: { orgId: number; integrationId: number },
  range: { after: Date | null; before: Date | null },
  keep: Date[],
): Promise<number> {
  const query = trx('integration_events')
    .where({ org_id: integration.orgId, integration_id: integration.integrationId, code: 'missed_run' })
    .whereRaw('NOT (due_at = ANY(?::timestamptz[]))', [keep.map((at) => at.toISOString())]);
  if (range.after !== null) query.where('due_at', '>', range.after);
  if (range.before !== null) query.where('due_at', '<', range.before);
  return query.delete();
}

/** Moves an integration's checkpoint and its next check. */
export async function setNextCheck(
  trx: Knex.Transaction,
  integration: { orgId: number; integrationId: number },
  checkpoint: Date | null,
  nextCheckAt: Date,
): Promise<void> {
  await trx('integrations')
    .where({ org_id: integration.orgId, id: integration.integrationId })
    .update({ missed_checked_through: checkpoint, missed_check_at: nextCheckAt });
}

/**
 * In the ingest transaction, for a new run (the integration's row is locked):
 * - the open gaps whose first slot came before the run's start are closed by it;
 * - the check is made due now when the run closed a gap (the next check counts
 *   the gap to its end, or drops it when the run was in time but posted late),
 *   when it is the integration's first run to examine, or when it is older than
 *   the last run examined (a late retry, history posted out of order): then the
 *   checkpoint moves back to the run before it, so the gaps around it are
 *   examined again.
 * Both read small indexes (the open gaps, the runs of one integration by start).
 */
export async function closeMissedRuns(trx: Knex.Transaction, run: { orgId: number; integrationId: number; syncRunId: number; startedAt: Date }): Promise<void> {
  const closed = await trx('integration_events')
    .where({ org_id: run.orgId, integration_id: run.integrationId, code: 'missed_run' })
    .whereNull('resolved_at')
    .where('due_at', '<', run.startedAt)
    .update({ resolved_at: run.startedAt, resolved_by_sync_run_id: run.syncRunId });
  await trx.raw(
    `UPDATE integrations SET missed_check_at = '-infinity',
       missed_checked_through = CASE WHEN missed_checked_through > ? THEN (
         SELECT r.started_at FROM sync_runs r WHERE r.org_id = ? AND r.integration_id = ? AND r.started_at < ?
         ORDER BY r.started_at DESC, r.id DESC LIMIT 1) ELSE missed_checked_through END
     WHERE org_id = ? AND id = ?
       AND (missed_checked_through > ? OR (missed_check_at <> '-infinity' AND (? OR missed_checked_through IS NULL)))`,
    [run.startedAt, run.orgId, run.integrationId, run.startedAt, run.orgId, run.integrationId, run.startedAt, closed > 0],
  );
}
