import type { Knex } from 'knex';
import type { SummaryData, SummaryGroup, SummaryIntegration } from './summary.js';

interface Period {
  start: Date;
  end: Date;
}

/**
 * The figures of one organisation's summary for a period and the one before it, from the
 * rollups, the groups, the missed-run gaps and the employee summaries (never the raw
 * records). `integrationIds` null means every integration of the organisation.
 */
export async function summaryData(knex: Knex, orgId: number, integrationIds: number[] | null, period: Period): Promise<SummaryData> {
  const previous = { start: new Date(2 * period.start.getTime() - period.end.getTime()), end: period.start };
  const scoped = <T extends Knex.QueryBuilder>(query: T, column = 'integration_id') => (integrationIds ? query.whereIn(column, integrationIds) : query);

  const organisation = await knex('organisations').where('id', orgId).first('name');
  const integrations = await scoped(knex('integrations').where('org_id', orgId).select('id', 'name', 'source_system', 'target_system').orderBy('name'), 'id');
  type RunCounts = { integration_id: string; runs: number; failed_runs: number };
  const runsIn = async ({ start, end }: Period) =>
    new Map<number, RunCounts>(
      (
        await scoped(
          knex('run_stats_hourly')
            .where('org_id', orgId)
            .where('hour', '>=', start)
            .where('hour', '<', end)
            .groupBy('integration_id')
            .select('integration_id', knex.raw('sum(runs)::int AS runs'), knex.raw('sum(failed_runs)::int AS failed_runs')),
        )
      ).map((row: RunCounts) => [Number(row.integration_id), row] as const),
    );
  const [now, before] = [await runsIn(period), await runsIn(previous)];
  const missed = new Map<number, number>(
    (
      await scoped(
        knex('integration_events')
          .where({ org_id: orgId, code: 'missed_run' })
          .where('due_at', '>=', period.start)
          .where('due_at', '<', period.end)
          .groupBy('integration_id')
          .select('integration_id', knex.raw('sum(missed_slots)::int AS slots')),
      )
    ).map((row: { integration_id: string; slots: number }) => [Number(row.integration_id), row.slots] as const),
  );

  const countGroups = async (column: string, { start, end }: Period, status?: string) => {
    const query = scoped(knex('error_groups').where('org_id', orgId).where(column, '>=', start).where(column, '<', end));
    if (status) query.where('status', status);
    const [row] = await query.count<{ count: string }[]>('* AS count');
    return Number(row?.count ?? 0);
  };
  // The open groups with most occurrences, then by the employees they block: the count is read per group.
  const largest = await scoped(
    knex('error_groups as g')
      .where('g.org_id', orgId)
      .whereIn('g.status', ['open', 'regressed'])
      .where('g.severity', 'error')
      .orderBy('g.occurrences', 'desc')
      .limit(20)
      .select(
        'g.id',
        'g.integration_id',
        'g.status',
        'g.code',
        'g.severity',
        'g.field',
        'g.value',
        'g.expected',
        'g.variant',
        knex.raw('(SELECT count(*)::int FROM error_group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id AND m.open) AS employees_blocked'),
      ),
    'g.integration_id',
  );
  const blocked = await scoped(
    knex('employee_summaries')
      .where({ org_id: orgId, state: 'blocked' })
      .whereNotNull('failing_since')
      .orderBy('failing_since')
      .limit(5)
      .select('integration_id', 'external_id', 'first_name', 'last_name', 'failing_since'),
  );

  return {
    organisation: { name: organisation?.name ?? `organisation ${orgId}` },
    period,
    integrations: integrations.map((row: { id: string; name: string; source_system: string | null; target_system: string | null }): SummaryIntegration => {
      const id = Number(row.id);
      return {
        id,
        name: row.name,
        sourceSystem: row.source_system ?? 'the source system',
        targetSystem: row.target_system ?? 'the target system',
        runs: now.get(id)?.runs ?? 0,
        failedRuns: now.get(id)?.failed_runs ?? 0,
        previousRuns: before.get(id)?.runs ?? 0,
        previousFailedRuns: before.get(id)?.failed_runs ?? 0,
        missedSlots: missed.get(id) ?? 0,
      };
    }),
    groups: {
      new: await countGroups('first_seen_started_at', period),
      regressed: await countGroups('status_changed_at', period, 'regressed'),
      resolved: await countGroups('resolved_started_at', period, 'resolved'),
      previousNew: await countGroups('first_seen_started_at', previous),
      previousResolved: await countGroups('resolved_started_at', previous, 'resolved'),
    },
    largestGroups: largest
      .map(
        (row: Record<string, unknown>): SummaryGroup =>
          ({ ...row, id: Number(row.id), integrationId: Number(row.integration_id), employeesBlocked: Number(row.employees_blocked) }) as SummaryGroup,
      )
      .filter((group: SummaryGroup) => group.employeesBlocked > 0)
      .sort((a: SummaryGroup, b: SummaryGroup) => b.employeesBlocked - a.employeesBlocked)
      .slice(0, 5),
    blockedLongest: blocked.map(
      (row: { integration_id: string; external_id: string; first_name: string | null; last_name: string | null; failing_since: Date }) => ({
        integrationId: Number(row.integration_id),
        externalId: row.external_id,
        name: [row.first_name, row.last_name].filter(Boolean).join(' ') || row.external_id,
        failingSince: row.failing_since,
      }),
    ),
  };
}
