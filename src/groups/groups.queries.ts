import type { Knex } from 'knex';
import type { GroupOccurrence } from './aggregate.js';

export interface RunScope {
  orgId: number;
  integrationId: number;
  syncRunId: number;
  startedAt: Date;
}

const CHUNK = 5_000;

/**
 * Adds a run's occurrences to their groups (creating new ones) and returns each
 * key's group id. A resolved group seen again in a run newer than the one that
 * resolved it becomes regressed; an ignored group stays ignored.
 */
export async function upsertGroups(trx: Knex.Transaction, run: RunScope, occurrences: GroupOccurrence[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let start = 0; start < occurrences.length; start += CHUNK) {
    const rows = occurrences.slice(start, start + CHUNK).map((o) => ({
      group_key: o.key, code: o.code, field: o.field, value: o.value, expected: o.expected, variant: o.variant,
      severity: o.severity, run_level: o.runLevel, occurrences: o.occurrences,
    }));
    const result = await trx.raw<{ rows: { id: number; group_key: string }[] }>(
      `INSERT INTO error_groups AS g (org_id, integration_id, group_key, code, field, value, expected, variant, severity, run_level,
         first_seen_started_at, last_seen_started_at, first_seen_sync_run_id, last_seen_sync_run_id, occurrences)
       SELECT :orgId, :integrationId, x.group_key, x.code, x.field, x.value, x.expected, x.variant, x.severity, x.run_level,
         :startedAt, :startedAt, :syncRunId, :syncRunId, x.occurrences
       FROM jsonb_to_recordset(:rows::jsonb) AS x(group_key text, code text, field text, value text, expected text, variant text,
         severity text, run_level boolean, occurrences bigint)
       ON CONFLICT (org_id, integration_id, group_key) DO UPDATE SET
         occurrences = g.occurrences + EXCLUDED.occurrences,
         first_seen_started_at = LEAST(g.first_seen_started_at, EXCLUDED.first_seen_started_at),
         first_seen_sync_run_id = CASE WHEN EXCLUDED.first_seen_started_at < g.first_seen_started_at THEN EXCLUDED.first_seen_sync_run_id ELSE g.first_seen_sync_run_id END,
         last_seen_sync_run_id = CASE WHEN EXCLUDED.last_seen_started_at >= g.last_seen_started_at THEN EXCLUDED.last_seen_sync_run_id ELSE g.last_seen_sync_run_id END,
         last_seen_started_at = GREATEST(g.last_seen_started_at, EXCLUDED.last_seen_started_at),
         status = CASE WHEN g.status = 'resolved' AND EXCLUDED.last_seen_started_at > g.resolved_started_at THEN 'regressed' ELSE g.status END,
         status_changed_at = CASE WHEN g.status = 'resolved' AND EXCLUDED.last_seen_started_at > g.resolved_started_at THEN now() ELSE g.status_changed_at END
       RETURNING id, group_key`,
      { ...run, rows: JSON.stringify(rows) },
    );
    for (const row of result.rows) ids.set(row.group_key, row.id);
  }
  return ids;
}

/** Marks the employees of each group as affected (again) as of this run. */
export async function upsertMembers(trx: Knex.Transaction, run: RunScope, members: { group_id: number; external_id: string }[]): Promise<void> {
  for (let start = 0; start < members.length; start += CHUNK) {
    await trx.raw(
      `INSERT INTO error_group_members AS m (org_id, group_id, external_id, integration_id, open, last_seen_started_at)
       SELECT :orgId, x.group_id, x.external_id, :integrationId, true, :startedAt
       FROM jsonb_to_recordset(:rows::jsonb) AS x(group_id bigint, external_id text)
       ON CONFLICT (org_id, group_id, external_id) DO UPDATE SET
         open = CASE WHEN EXCLUDED.last_seen_started_at >= COALESCE(m.cleared_started_at, '-infinity') THEN true ELSE m.open END,
         last_seen_started_at = GREATEST(m.last_seen_started_at, EXCLUDED.last_seen_started_at)`,
      { ...run, rows: JSON.stringify(members.slice(start, start + CHUNK)) },
    );
  }
}

/**
 * An employee whose record this run applied without a group's error is no
 * longer affected by it, unless a newer run than this one still showed it.
 */
export async function clearAppliedMembers(trx: Knex.Transaction, run: RunScope): Promise<void> {
  await trx.raw(
    `UPDATE error_group_members AS m SET open = false, cleared_started_at = :startedAt
     FROM feed_records AS r
     WHERE r.org_id = :orgId AND r.sync_run_id = :syncRunId AND r.outcome IN ('succeeded', 'warning') AND r.external_id IS NOT NULL
       AND m.org_id = :orgId AND m.integration_id = :integrationId AND m.external_id = r.external_id
       AND m.open AND m.last_seen_started_at < :startedAt`,
    { ...run },
  );
}

/**
 * Resolves open and regressed groups that this (newer) run no longer shows and
 * that affect no employee any more. Groups without employees to follow
 * (run-level errors, records without an external_id) thus resolve as soon as a
 * newer run arrives without them.
 */
export async function resolveGroups(trx: Knex.Transaction, run: RunScope): Promise<void> {
  await trx.raw(
    `UPDATE error_groups AS g SET status = 'resolved', status_changed_at = now(), resolved_started_at = :startedAt
     WHERE g.org_id = :orgId AND g.integration_id = :integrationId AND g.status IN ('open', 'regressed')
       AND g.last_seen_started_at < :startedAt
       AND NOT EXISTS (SELECT 1 FROM error_group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id AND m.open)`,
    { ...run },
  );
}
