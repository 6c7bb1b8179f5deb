/**
 * Everything classification derives for one integration, as a plain object that
 * does not depend on the order in which the integration's runs arrived: two
 * integrations fed the same runs in different orders must give deepEqual
 * snapshots (error-codes.md: "The result never depends on the order in which
 * runs arrive"). Read from the database only, never from ingest's internals, so
 * it holds whatever way ingest gets there.
 *
 * Everything is keyed by what the engine sent (run_id, record index,
 * external_id, group_key, UTC hour), never by database ids. Left out on purpose,
 * because they record the arrival rather than the runs:
 * - ids (sync_runs.id, errors.id, error_groups.id, employee_summaries.id):
 *   identity columns, numbered in order of arrival. Where a row points at
 *   another (errors.group_id), the snapshot follows the pointer and keeps the
 *   target's engine-given key (the group_key) instead.
 * - *_sync_run_id columns (employee_states, employee_summaries, error_groups'
 *   first/last seen): sync_runs ids, see above. Each sits beside a *_started_at
 *   that is kept, and names the same run (the tests give runs distinct
 *   started_at).
 * - received_at, created_at, updated_at, status_changed_at: wall-clock times
 *   of the writes.
 * - body_sha256 and header: the body as sent, not derived.
 * - error_groups.resolved_started_at: which run's arrival resolved the group;
 *   it exists for the `regressed` label (below) and is shown nowhere.
 * - employee_summaries.external_key, search_key and sort_key: functions of
 *   external_id and of the names and email, which are kept.
 * - integration_events (missed runs): they depend on the wall clock.
 */
import type { Knex } from 'knex';

export interface ErrorSnapshot {
  code: string;
  severity: string;
  field: string | null;
  value: string | null;
  expected: string | null;
  variant: string | null;
  /** The group the error was counted in, by key (errors.group_id followed). */
  group_key: string | null;
}

export interface RecordSnapshot {
  external_id: string | null;
  action: string;
  outcome: string;
  error_count: number;
  errors: ErrorSnapshot[];
}

export interface RunSnapshot {
  started_at: string;
  status: string;
  record_count: number;
  counts: Record<string, number>;
  error_counts: Record<string, number>;
  /** Run-level errors (record_index null). */
  run_errors: ErrorSnapshot[];
  /** By record index (the position in the body). */
  records: RecordSnapshot[];
}

export interface MemberSnapshot {
  external_id: string;
  open: boolean;
  last_seen_started_at: string;
  /** The run that cleared a closed member, as the group page shows it ("cleared 2 h ago"); null while open. */
  cleared_started_at: string | null;
}

export interface GroupSnapshot {
  code: string;
  field: string | null;
  value: string | null;
  expected: string | null;
  variant: string | null;
  severity: string;
  run_level: boolean;
  occurrences: number;
  first_seen_started_at: string;
  last_seen_started_at: string;
  /**
   * 'open' for open and regressed, else the status. `regressed` says that a
   * user saw the group resolved before it came back: whether they did depends
   * on the order in which runs arrived, so it is no part of the answer, while
   * open (needs someone) versus resolved is.
   */
  status: string;
  members: MemberSnapshot[];
}

export interface EmployeeStateSnapshot {
  active: boolean;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  email_key: string | null;
  state_started_at: string;
}

export interface EmployeeSummarySnapshot {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  job_title: string | null;
  department: string | null;
  branch: string | null;
  last_started_at: string;
  last_index: number;
  last_action: string;
  last_outcome: string;
  first_seen_started_at: string;
  applied_started_at: string | null;
  applied_index: number | null;
  active: boolean | null;
  active_started_at: string | null;
  failing_since: string | null;
  open_errors: number;
  state: string;
}

export interface IntegrationSnapshot {
  /** What ingest keeps of the newest runs (by started_at): the catalog and form fields in force. */
  integration: {
    catalog: unknown;
    catalog_started_at: string | null;
    form_fields: unknown;
    form_fields_started_at: string | null;
    last_run_started_at: string | null;
  };
  runs: Record<string, RunSnapshot>;
  groups: Record<string, GroupSnapshot>;
  employeeStates: Record<string, EmployeeStateSnapshot>;
  employeeSummaries: Record<string, EmployeeSummarySnapshot>;
  /** run_stats_hourly by UTC hour. */
  runStatsHourly: Record<string, Record<string, number | null>>;
  /**
   * error_counts_hourly as `<hour> <code>` -> errors. A row of 0 errors is
   * left out: every read sums the rows, so it means the same as no row (a
   * re-check that takes an error away may well leave one).
   */
  errorCountsHourly: Record<string, number>;
}

const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);
const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

const compareText = (a: string | null, b: string | null) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
const errorOrder = (a: ErrorSnapshot, b: ErrorSnapshot) =>
  compareText(a.code, b.code) ||
  compareText(a.field, b.field) ||
  compareText(a.variant, b.variant) ||
  compareText(a.value, b.value) ||
  compareText(a.expected, b.expected) ||
  compareText(a.group_key, b.group_key);

/** Sorts an object's keys, so that printed snapshots read the same whatever order rows came in (deepEqual ignores key order anyway). */
function sortedKeys<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => compareText(a, b)));
}

export async function snapshotIntegration(knex: Knex, orgId: number, integrationId: number): Promise<IntegrationSnapshot> {
  const scope = { org_id: orgId, integration_id: integrationId };

  const integrationRow = await knex('integrations')
    .select('catalog', 'catalog_started_at', 'form_fields', 'form_fields_started_at', 'last_run_started_at')
    .where({ org_id: orgId, id: integrationId })
    .first();
  if (!integrationRow) throw new Error(`no integration ${integrationId} in organisation ${orgId}`);

  const groupRows = await knex('error_groups')
    .select(
      'id',
      'group_key',
      'code',
      'field',
      'value',
      'expected',
      'variant',
      'severity',
      'run_level',
      'occurrences',
      'first_seen_started_at',
      'last_seen_started_at',
      'status',
    )
    .where(scope);
  const groupKeyById = new Map<string, string>(groupRows.map((row) => [String(row.id), row.group_key as string]));
  const memberRows = await knex('error_group_members').select('group_id', 'external_id', 'open', 'last_seen_started_at', 'cleared_started_at').where(scope);
  const membersByGroup = new Map<string, MemberSnapshot[]>();
  for (const row of memberRows) {
    const key = String(row.group_id);
    const list = membersByGroup.get(key) ?? [];
    list.push({
      external_id: row.external_id,
      open: row.open,
      last_seen_started_at: iso(row.last_seen_started_at)!,
      cleared_started_at: row.open ? null : iso(row.cleared_started_at),
    });
    membersByGroup.set(key, list);
  }
  const groups = sortedKeys(
    groupRows.map((row): [string, GroupSnapshot] => [
      row.group_key,
      {
        code: row.code,
        field: row.field,
        value: row.value,
        expected: row.expected,
        variant: row.variant,
        severity: row.severity,
        run_level: row.run_level,
        occurrences: num(row.occurrences),
        first_seen_started_at: iso(row.first_seen_started_at)!,
        last_seen_started_at: iso(row.last_seen_started_at)!,
        status: row.status === 'regressed' ? 'open' : row.status,
        members: (membersByGroup.get(String(row.id)) ?? []).sort((a, b) => compareText(a.external_id, b.external_id)),
      },
    ]),
  );

  const runRows = await knex('sync_runs').select('id', 'run_id', 'started_at', 'status', 'record_count', 'counts', 'error_counts').where(scope);
  const runIdById = new Map<string, string>(runRows.map((row) => [String(row.id), row.run_id as string]));
  const runs = new Map<string, RunSnapshot>(
    runRows.map((row) => [
      row.run_id as string,
      {
        started_at: iso(row.started_at)!,
        status: row.status,
        record_count: num(row.record_count),
        counts: row.counts,
        error_counts: row.error_counts,
        run_errors: [],
        records: [],
      },
    ]),
  );
  const recordRows = await knex('feed_records')
    .select('sync_run_id', 'index', 'external_id', 'action', 'outcome', 'error_count')
    .where(scope)
    .orderBy(['sync_run_id', 'index']);
  for (const row of recordRows) {
    runs.get(runIdById.get(String(row.sync_run_id))!)!.records[row.index] = {
      external_id: row.external_id,
      action: row.action,
      outcome: row.outcome,
      error_count: num(row.error_count),
      errors: [],
    };
  }
  const errorRows = await knex('errors')
    .select('sync_run_id', 'record_index', 'code', 'severity', 'field', 'value', 'expected', 'variant', 'group_id')
    .where(scope);
  for (const row of errorRows) {
    const run = runs.get(runIdById.get(String(row.sync_run_id))!)!;
    const error: ErrorSnapshot = {
      code: row.code,
      severity: row.severity,
      field: row.field,
      value: row.value,
      expected: row.expected,
      variant: row.variant,
      group_key: row.group_id === null ? null : (groupKeyById.get(String(row.group_id)) ?? `missing group ${row.group_id}`),
    };
    if (row.record_index === null) run.run_errors.push(error);
    else {
      const record = run.records[row.record_index];
      if (record) record.errors.push(error);
      else run.records[row.record_index] = { external_id: null, action: '?', outcome: '?', error_count: 0, errors: [error] };
    }
  }
  for (const run of runs.values()) {
    run.run_errors.sort(errorOrder);
    for (const record of run.records) record?.errors.sort(errorOrder);
  }

  const stateRows = await knex('employee_states')
    .select('external_id', 'active', 'first_name', 'last_name', 'email', 'email_key', 'state_started_at')
    .where(scope);
  const employeeStates = sortedKeys(
    stateRows.map((row): [string, EmployeeStateSnapshot] => [
      row.external_id,
      {
        active: row.active,
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        email_key: row.email_key,
        state_started_at: iso(row.state_started_at)!,
      },
    ]),
  );

  const summaryRows = await knex('employee_summaries')
    .select(
      'external_id',
      'first_name',
      'last_name',
      'email',
      'job_title',
      'department',
      'branch',
      'last_started_at',
      'last_index',
      'last_action',
      'last_outcome',
      'first_seen_started_at',
      'applied_started_at',
      'applied_index',
      'active',
      'active_started_at',
      'failing_since',
      'open_errors',
      'state',
    )
    .where(scope);
  const employeeSummaries = sortedKeys(
    summaryRows.map((row): [string, EmployeeSummarySnapshot] => [
      row.external_id,
      {
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        job_title: row.job_title,
        department: row.department,
        branch: row.branch,
        last_started_at: iso(row.last_started_at)!,
        last_index: num(row.last_index),
        last_action: row.last_action,
        last_outcome: row.last_outcome,
        first_seen_started_at: iso(row.first_seen_started_at)!,
        applied_started_at: iso(row.applied_started_at),
        applied_index: numOrNull(row.applied_index),
        active: row.active,
        active_started_at: iso(row.active_started_at),
        failing_since: iso(row.failing_since),
        open_errors: num(row.open_errors),
        state: row.state,
      },
    ]),
  );

  const statRows = await knex('run_stats_hourly').where(scope);
  const runStatsHourly = sortedKeys(
    statRows.map((row): [string, Record<string, number | null>] => {
      const { org_id: _org, integration_id: _integration, hour, ...figures } = row;
      return [iso(hour)!, Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, numOrNull(value)]))];
    }),
  );
  const countRows = await knex('error_counts_hourly').where(scope).andWhere('errors', '<>', 0);
  const errorCountsHourly = sortedKeys(countRows.map((row): [string, number] => [`${iso(row.hour)} ${row.code}`, num(row.errors)]));

  return {
    integration: {
      catalog: integrationRow.catalog,
      catalog_started_at: iso(integrationRow.catalog_started_at),
      form_fields: integrationRow.form_fields,
      form_fields_started_at: iso(integrationRow.form_fields_started_at),
      last_run_started_at: iso(integrationRow.last_run_started_at),
    },
    runs: sortedKeys([...runs.entries()]),
    groups,
    employeeStates,
    employeeSummaries,
    runStatsHourly,
    errorCountsHourly,
  };
}

/**
 * Where two snapshots differ, as readable lines (`path: expected ... got ...`),
 * at most `limit` of them: the first differences tell more than a diff of two
 * whole snapshots. Empty when they are deepEqual.
 */
export function snapshotDifferences(expected: unknown, actual: unknown, limit = 20): string[] {
  const lines: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (lines.length >= limit) return;
    if (a === b) return;
    const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
    if (bothObjects && Array.isArray(a) === Array.isArray(b)) {
      if (Array.isArray(a) && Array.isArray(b) && isErrorList(a) && isErrorList(b)) {
        if (JSON.stringify(a) !== JSON.stringify(b)) lines.push(`${path}: expected ${brief(a)} got ${brief(b)}`);
        return;
      }
      const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
      for (const key of keys) {
        const av = (a as Record<string, unknown>)[key];
        const bv = (b as Record<string, unknown>)[key];
        const next = Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`;
        if (!(key in (a as object))) lines.push(`${next}: unexpected ${brief(bv)}`);
        else if (!(key in (b as object))) lines.push(`${next}: missing, expected ${brief(av)}`);
        else walk(av, bv, next);
        if (lines.length >= limit) return;
      }
      return;
    }
    lines.push(`${path}: expected ${brief(a)} got ${brief(b)}`);
  };
  walk(expected, actual, 'snapshot');
  return lines;
}

function isErrorList(list: unknown[]): boolean {
  return list.every((item) => item !== null && typeof item === 'object' && 'code' in item && 'severity' in item);
}

/** Error lists print as `code/variant(value)`; anything else as JSON, cut. */
function brief(value: unknown): string {
  if (Array.isArray(value) && isErrorList(value)) {
    return `[${(value as ErrorSnapshot[]).map((e) => `${e.code}${e.variant ? `/${e.variant}` : ''}${e.field ? ` ${e.field}` : ''}(${e.value ?? ''})`).join(', ')}]`;
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}
