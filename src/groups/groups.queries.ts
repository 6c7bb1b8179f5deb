import type { Knex } from 'knex';
import { INDEXED_PREFIX, md5Keys } from '../db/long-values.js';
import { APPLIED_OUTCOMES } from '../classify/feed-enums.js';
import type { GroupOccurrence } from './aggregate.js';
import { OPEN_GROUP_STATUSES, type GroupStatus, type PersonSetStatus } from './group-enums.js';

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
      group_key: o.key,
      code: o.code,
      field: o.field,
      value: o.value,
      expected: o.expected,
      variant: o.variant,
      severity: o.severity,
      run_level: o.runLevel,
      occurrences: o.occurrences,
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
         -- The sample is the first error in run order, whatever order the runs arrive in.
         value = CASE WHEN EXCLUDED.first_seen_started_at < g.first_seen_started_at THEN EXCLUDED.value ELSE g.value END,
         expected = CASE WHEN EXCLUDED.first_seen_started_at < g.first_seen_started_at THEN EXCLUDED.expected ELSE g.expected END,
         variant = CASE WHEN EXCLUDED.first_seen_started_at < g.first_seen_started_at THEN EXCLUDED.variant ELSE g.variant END,
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

/**
 * Marks the employees of each group as affected (again) as of this run, unless a
 * newer run (by started_at) has already applied the employee's record: a late
 * retry of an older run must not leave an employee affected that was fixed since,
 * or the group could never resolve again. A member is open while no record of
 * theirs was applied in a run after the last that showed the error; cleared_started_at
 * is the first such run.
 */
export async function upsertMembers(trx: Knex.Transaction, run: RunScope, members: { group_id: number; external_id: string }[]): Promise<void> {
  for (let start = 0; start < members.length; start += CHUNK) {
    await trx.raw(
      `INSERT INTO error_group_members AS m (org_id, group_id, external_id, integration_id, open, last_seen_started_at, cleared_started_at)
       SELECT :orgId, x.group_id, x.external_id, :integrationId, a.applied_started_at IS NULL, :startedAt, a.applied_started_at
       FROM jsonb_to_recordset(:rows::jsonb) AS x(group_id bigint, external_id text)
       LEFT JOIN LATERAL (
         SELECT min(r.started_at) AS applied_started_at FROM feed_records AS r
         WHERE r.org_id = :orgId AND r.integration_id = :integrationId
           AND left(r.external_id, ${INDEXED_PREFIX}) = left(x.external_id, ${INDEXED_PREFIX}) AND r.external_id = x.external_id
           AND r.outcome = ANY(:appliedOutcomes::text[]) AND r.started_at > :startedAt
       ) AS a ON true
       ON CONFLICT (org_id, group_id, external_key) DO UPDATE SET
         open = CASE WHEN EXCLUDED.last_seen_started_at >= m.last_seen_started_at THEN EXCLUDED.open ELSE m.open END,
         cleared_started_at = CASE WHEN EXCLUDED.last_seen_started_at >= m.last_seen_started_at THEN EXCLUDED.cleared_started_at ELSE m.cleared_started_at END,
         last_seen_started_at = GREATEST(m.last_seen_started_at, EXCLUDED.last_seen_started_at)
       WHERE m.external_id = EXCLUDED.external_id`,
      { ...run, rows: JSON.stringify(members.slice(start, start + CHUNK)), appliedOutcomes: APPLIED_OUTCOMES },
    );
  }
}

/**
 * An employee whose record this run applied without a group's error is no
 * longer affected by it, unless a newer run than this one still showed it.
 * Driven by the run's own external IDs through the open-members index (or a
 * hashed filter), so its cost is linear whatever the statistics say: a join
 * with feed_records on the run's id was planned on statistics that did not
 * know the new run and went quadratic in the run's size.
 */
export async function clearAppliedMembers(trx: Knex.Transaction, run: RunScope, appliedExternalIds: string[], late = false): Promise<void> {
  if (appliedExternalIds.length === 0) return;
  const bindings = { ...run, externalKeys: md5Keys(appliedExternalIds), externalIds: appliedExternalIds };
  await trx.raw(
    `UPDATE error_group_members AS m SET open = false, cleared_started_at = :startedAt
     WHERE m.org_id = :orgId AND m.integration_id = :integrationId AND m.open
       AND m.external_key = ANY(:externalKeys::text[])
       AND m.external_id = ANY(:externalIds::text[]) AND m.last_seen_started_at < :startedAt`,
    bindings,
  );
  if (!late) return;
  // A late run cleared them first, in run order, if a later run cleared them before it arrived.
  await trx.raw(
    `UPDATE error_group_members AS m SET cleared_started_at = :startedAt
     WHERE m.org_id = :orgId AND m.integration_id = :integrationId AND NOT m.open
       AND m.external_key = ANY(:externalKeys::text[])
       AND m.external_id = ANY(:externalIds::text[]) AND m.last_seen_started_at < :startedAt AND m.cleared_started_at > :startedAt`,
    bindings,
  );
}

/**
 * Resolves open and regressed groups that the newest run (this one, unless it
 * arrived late) no longer shows and that affect no employee any more. Groups
 * without employees to follow (run-level errors, records without an
 * external_id) thus resolve as soon as a newer run arrives without them.
 */
export async function resolveGroups(trx: Knex.Transaction, run: RunScope, newestStartedAt: Date = run.startedAt): Promise<void> {
  await trx.raw(
    `UPDATE error_groups AS g SET status = 'resolved', status_changed_at = now(), resolved_started_at = :newest, resolved_by_person = false
     WHERE g.org_id = :orgId AND g.integration_id = :integrationId AND g.status = ANY(:openStatuses::text[])
       AND g.last_seen_started_at < :newest
       AND NOT EXISTS (SELECT 1 FROM error_group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id AND m.open)`,
    { ...run, newest: newestStartedAt, openStatuses: OPEN_GROUP_STATUSES },
  );
}

export interface ErrorGroupRow {
  org_id: number;
  id: number;
  integration_id: number;
  group_key: string;
  code: string;
  field: string | null;
  value: string | null;
  expected: string | null;
  variant: string | null;
  severity: string;
  run_level: boolean;
  first_seen_started_at: Date;
  last_seen_started_at: Date;
  occurrences: number;
  /** Every employee the group has affected, cleared ones included. */
  employees_affected: number;
  /** The employees it affects now (open members): those it blocks. */
  employees_blocked: number;
  status: GroupStatus;
  status_changed_at: Date;
}

const GROUP_COLUMNS = [
  'g.org_id',
  'g.id',
  'g.integration_id',
  'g.group_key',
  'g.code',
  'g.field',
  'g.value',
  'g.expected',
  'g.variant',
  'g.severity',
  'g.run_level',
  'g.first_seen_started_at',
  'g.last_seen_started_at',
  'g.occurrences',
  'g.status',
  'g.status_changed_at',
];

/** The columns of ErrorGroupRow; the counts read error_group_members_by_group (open members are its first entries). */
function selectGroups(knex: Knex) {
  return knex('error_groups as g').select(
    ...GROUP_COLUMNS,
    knex.raw('(SELECT count(*) FROM error_group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id)::int AS employees_affected'),
    knex.raw('(SELECT count(*) FROM error_group_members m WHERE m.org_id = g.org_id AND m.group_id = g.id AND m.open)::int AS employees_blocked'),
  );
}

function groupsOf(knex: Knex, orgIds: number[]) {
  return selectGroups(knex).whereIn('g.org_id', orgIds);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface GroupListFilters {
  integration?: number;
  code?: string;
  status?: string;
  /** Part of the value, expected value or field, any case. */
  q?: string;
}

/**
 * Groups of the given organisations, most recently seen first, keyset-paginated.
 * Each filter has an index that starts (org_id, filter) and then holds this
 * order (migration 2026-11-29-1930), so one organisation's page reads its rows
 * in order and stops. Several organisations (support, or a person in more than
 * one) are read the same way, each on its own (a LATERAL per organisation,
 * at most limit + 1 rows each), and merged: `org_id IN (...)` would make
 * PostgreSQL read every group of them all and sort.
 */
export async function listErrorGroups(
  knex: Knex,
  orgIds: number[],
  filters: GroupListFilters = {},
  limit = 1000,
  after?: [string, number],
): Promise<ErrorGroupRow[]> {
  if (orgIds.length === 0) return [];
  const order = (prefix: string) => [
    { column: `${prefix}.last_seen_started_at`, order: 'desc' as const },
    { column: `${prefix}.id`, order: 'desc' as const },
  ];
  const query = selectGroups(knex)
    .orderBy(order('g'))
    .limit(limit + 1);
  if (filters.integration !== undefined) query.andWhere('g.integration_id', filters.integration);
  if (filters.code) query.andWhere('g.code', filters.code);
  if (filters.status) query.andWhere('g.status', filters.status);
  if (filters.q) {
    const pattern = `%${escapeLike(filters.q.trim())}%`;
    query.andWhere((q) => q.where('g.value', 'ilike', pattern).orWhere('g.expected', 'ilike', pattern).orWhere('g.field', 'ilike', pattern));
  }
  if (after) query.whereRaw('(g.last_seen_started_at, g.id) < (?::timestamptz, ?)', after);
  if (orgIds.length === 1) return query.where('g.org_id', orgIds[0]!);
  query.whereRaw('g.org_id = o.org_id');
  return knex
    .select('x.*')
    .fromRaw(knex.raw('unnest(?::bigint[]) AS o(org_id) CROSS JOIN LATERAL ? AS x', [orgIds, query]))
    .orderBy(order('x'))
    .limit(limit + 1);
}

/** One group, if the organisations include its own; `forUpdate` locks it for the rest of the transaction. */
export async function findErrorGroup(knex: Knex, orgIds: number[], groupId: number, options: { forUpdate?: boolean } = {}): Promise<ErrorGroupRow | undefined> {
  const query = groupsOf(knex, orgIds).where('g.id', groupId).first();
  return options.forUpdate ? query.forUpdate() : query;
}

/**
 * A person reopens, resolves or ignores a group of their organisation. Resolving
 * by hand counts as resolved as of the last run that showed it, so the group
 * regresses if a newer run shows the error again.
 */
export async function setGroupStatus(knex: Knex, orgId: number, groupId: number, status: PersonSetStatus): Promise<boolean> {
  const updated = await knex('error_groups')
    .where({ org_id: orgId, id: groupId })
    .update({
      status,
      status_changed_at: knex.fn.now(),
      resolved_by_person: status === 'resolved',
      ...(status === 'resolved' ? { resolved_started_at: knex.ref('last_seen_started_at') } : {}),
    });
  return updated > 0;
}
