import type { Knex } from 'knex';

export interface MissedRunGap {
  integration_id: number;
  due_at: Date;
  last_due_at: Date | null;
  missed_slots: number | null;
}

/**
 * The missed-run gaps (integration_events, code missed_run) of an
 * organisation's integrations that reach into [from, to): their first slot is
 * before `to` and their last one at or after `from`. Read through
 * integration_events_once (org, integration, code, due_at).
 */
export async function listMissedRunGaps(knex: Knex, orgId: number, integrationIds: number[], from: Date, to: Date): Promise<MissedRunGap[]> {
  if (integrationIds.length === 0) return [];
  const { rows } = await knex.raw<{ rows: MissedRunGap[] }>(
    `SELECT integration_id::int AS integration_id, due_at, last_due_at, missed_slots
     FROM integration_events
     WHERE org_id = ? AND integration_id = ANY(?::bigint[]) AND code = 'missed_run' AND due_at < ?
       AND coalesce(last_due_at, due_at) >= ?
     ORDER BY integration_id, due_at`,
    [orgId, integrationIds, to, from],
  );
  return rows;
}
