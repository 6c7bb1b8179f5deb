/**
 * What the employee pages know of one employee (external ID) of one
 * integration, and the pure rules that build it: the normalised search and
 * sort keys, what one run contributes per employee, and the state. Ingest
 * writes it (employee-summaries.queries.ts); migration 2026-11-29-1920 filled
 * it once from the records stored before, with a copy of these rules.
 */
import { cutCodePoints as cut, normaliseSearchText, SEARCH_PART } from '../shared/search-text.js';
import { APPLIED_OUTCOMES, type RecordAction, type RecordOutcome } from '../classify/feed-enums.js';

/**
 * - `synced`: the last record was applied and the target holds the person active;
 * - `blocked`: the last record failed, or errors are open on them;
 * - `inactive`: deactivated in the target;
 * - `never_applied`: sent, but no record of theirs was ever applied (not in the target).
 */
export { normaliseSearchText, searchWords } from '../shared/search-text.js';

export const EMPLOYEE_STATES = ['synced', 'blocked', 'inactive', 'never_applied'] as const;
export type EmployeeState = (typeof EMPLOYEE_STATES)[number];

/** The columns of the mapped-employees list, in the Planday FAQ's order (the CSV's header). */
export const SENT_FIELDS = ['first_name', 'last_name', 'email', 'department', 'job_title', 'branch'] as const;
export type SentField = (typeof SENT_FIELDS)[number];

export interface StateFacts {
  /** Whether any record of theirs was applied (succeeded or warning). */
  everApplied: boolean;
  /** The outcome of their newest record. */
  lastOutcome: RecordOutcome;
  /** Open errors of severity error (info, such as recreated_after_delete, blocks nothing). */
  openErrors: number;
  /** As the newest applied create, update, reactivate or deactivate left it; null if never applied. */
  active: boolean | null;
}

/**
 * The state, in this order: an employee the target never held is
 * `never_applied` even while their records fail (they are not in the target
 * at all, which says more than blocked); one whose newest record failed or
 * who has open errors is `blocked` (the target holds stale values); then
 * `inactive`, else `synced`. The database derives the same in the generated
 * column employee_summaries.state, and a test holds the two together.
 */
export function employeeState(facts: StateFacts): EmployeeState {
  if (!facts.everApplied) return 'never_applied';
  if (facts.lastOutcome === 'failed' || facts.openErrors > 0) return 'blocked';
  if (facts.active === false) return 'inactive';
  return 'synced';
}

const SORT_KEY = 60;

export interface SearchableEmployee {
  external_id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

/**
 * Name, email and external ID, normalised, one per line: a query word has no
 * whitespace, so it never matches across two of them. Each part keeps its
 * first 200 code points, which keeps the trigram index small whatever the
 * engine sends.
 */
export function searchKeyOf(employee: SearchableEmployee): string {
  const name = `${employee.first_name ?? ''} ${employee.last_name ?? ''}`;
  return [name, employee.email ?? '', employee.external_id].map((part) => cut(normaliseSearchText(part), SEARCH_PART)).join('\n');
}

/**
 * The list's order: last name then first name, normalised, letters, digits and
 * spaces only, at most 60 code points, so that an index entry and a cursor
 * stay small whatever the names are.
 */
export function sortKeyOf(employee: Pick<SearchableEmployee, 'first_name' | 'last_name'>): string {
  return cut(normaliseSearchText(`${employee.last_name ?? ''} ${employee.first_name ?? ''}`).replace(/[^\p{L}\p{N} ]/gu, ''), SORT_KEY).trim();
}

/** One record of a run, as the summary needs it. */
export interface RunRecord {
  external_id?: string | null;
  action: RecordAction;
  outcome: RecordOutcome;
  employee: Record<string, unknown>;
}

/** What one run says of one employee (all their records in the run, in array order). */
export interface RunEmployee {
  external_id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  department: string | null;
  job_title: string | null;
  branch: string | null;
  /** Their last record in the run. */
  last_index: number;
  last_action: RecordAction;
  last_outcome: RecordOutcome;
  /** Their last applied record in the run, if any. */
  applied_index: number | null;
  /** Set by their last applied record other than a skip (false for a deactivation); null if none. */
  active: boolean | null;
  /** Whether they have an applied record at all (a skip alone counts: an unknown ID that is skipped is active). */
  any_applied: boolean;
  /** Whether any record of theirs in the run carries an error of severity error: their open errors are counted again. */
  errored: boolean;
  search_key: string;
  sort_key: string;
}

const APPLIED: ReadonlySet<string> = new Set(APPLIED_OUTCOMES);
const text = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * One entry per employee of the run, in the order of their first record.
 * Records without an external ID (null or empty) name nobody and are left out.
 */
export function summariseRun(records: readonly RunRecord[], errorCounts: readonly number[]): RunEmployee[] {
  // errorCounts[i]: the errors of severity error of records[i] (an info error, such as recreated_after_delete, opens nothing that counts).
  const byId = new Map<string, RunEmployee>();
  records.forEach((record, index) => {
    const id = record.external_id;
    if (!id) return;
    const applied = APPLIED.has(record.outcome);
    const employee = record.employee;
    const previous = byId.get(id);
    const entry: RunEmployee = {
      external_id: id,
      first_name: text(employee.first_name),
      last_name: text(employee.last_name),
      email: text(employee.email),
      department: text(employee.department),
      job_title: text(employee.job_title),
      branch: text(employee.branch),
      last_index: index,
      last_action: record.action,
      last_outcome: record.outcome,
      applied_index: applied ? index : (previous?.applied_index ?? null),
      active: applied && record.action !== 'skip' ? record.action !== 'deactivate' : (previous?.active ?? null),
      any_applied: applied || (previous?.any_applied ?? false),
      errored: (errorCounts[index] ?? 0) > 0 || (previous?.errored ?? false),
      search_key: '',
      sort_key: '',
    };
    byId.set(id, entry);
  });
  for (const entry of byId.values()) {
    entry.search_key = searchKeyOf(entry);
    entry.sort_key = sortKeyOf(entry);
  }
  return [...byId.values()];
}
