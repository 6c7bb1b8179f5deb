import type { Knex } from 'knex';

export interface MissedRunGap {
  integration_id: number;
  due_at: Date;
  last_due_at: Date | null;
  missed_slots: number | null;
}

/**
 * The missed-run gaps (integration_events, code missed_run) of an
 * organisation's integrations that reach into [from, to): those whose first
 * slot is in the range, and, per integration, the last one that began before
 * it (an integration's gaps follow each other, so only that one can reach
 * in). Both read integration_events_once (org, integration, code, due_at)
 * over the range's slots only, however long the history.
 */
export async function listMissedRunGaps(knex: Knex, orgId: number, integrationIds: number[], from: Date, to: Date): Promise<MissedRunGap[]> {
  if (integrationIds.length === 0) return [];
  const { rows } = await knex.raw<{ rows: MissedRunGap[] }>(
    `SELECT i.id::int AS integration_id, g.due_at, g.last_due_at, g.missed_slots
     FROM unnest(?::bigint[]) AS i (id)
     CROSS JOIN LATERAL (
       (SELECT e.due_at, e.last_due_at, e.missed_slots FROM integration_events e
        WHERE e.org_id = ? AND e.integration_id = i.id AND e.code = 'missed_run' AND e.due_at < ?
        ORDER BY e.due_at DESC LIMIT 1)
       UNION ALL
       (SELECT e.due_at, e.last_due_at, e.missed_slots FROM integration_events e
        WHERE e.org_id = ? AND e.integration_id = i.id AND e.code = 'missed_run' AND e.due_at >= ? AND e.due_at < ?)
     ) AS g
     WHERE coalesce(g.last_due_at, g.due_at) >= ?
     ORDER BY 1, 2`,
    [integrationIds, orgId, from, orgId, from, to, from],
  );
  return rows;
}
