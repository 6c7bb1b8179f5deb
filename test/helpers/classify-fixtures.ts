/** Builders shared by the classifier's tests: a valid record, a run, a context, and a compact view of errors. */
import { classifyRun } from '../../src/classify/classify-run.js';
import type { Catalog, ClassifiedError, ClassifiedRun, ClassifierContext, EmployeeState, FeedRecord, FeedRun } from '../../src/classify/types.js';
import { DEFAULT_REQUIRED_FIELDS } from '../../src/classify/types.js';
import type { EmployeeAttribute } from '../../src/classify/feed-enums.js';

export const CATALOG: Catalog = {
  job_titles: ['Head Chef', 'Kitchen Porter', 'Bar Staff', 'Café Manager', 'Waiter', 'Sous Chef'],
  departments: ['Kitchen', 'Front of House', 'Bar'],
  branches: ['London Soho', 'Manchester Piccadilly'],
};

type RecordOverrides = Omit<Partial<FeedRecord>, 'employee'> & {
  employee?: Partial<Record<EmployeeAttribute, string | null>>;
};

/**
 * A record that passes every data check. A warning by default: the data checks run on it,
 * and, unlike a failed record, it does not end `unclassified` when nothing is wrong.
 */
export function aRecord(overrides: RecordOverrides = {}): FeedRecord {
  const { employee, ...rest } = overrides;
  return {
    external_id: 'E1',
    action: 'update',
    outcome: 'warning',
    messages: [],
    ...rest,
    employee: {
      first_name: 'Ana',
      last_name: 'Lopez',
      email: 'ana.lopez@example.com',
      job_title: 'Kitchen Porter',
      department: 'Kitchen',
      branch: 'London Soho',
      date_of_birth: '1990-01-01',
      start_date: '2020-01-01',
      end_date: null,
      ...employee,
    },
  };
}

export function aRun(records: FeedRecord[], overrides: Partial<FeedRun> = {}): FeedRun {
  return {
    run_id: 'run-1',
    started_at: '2026-11-20T09:00:00Z',
    status: 'completed_with_errors',
    catalog: CATALOG,
    records,
    ...overrides,
  };
}

export function anEmployee(externalId: string, firstName: string | null, lastName: string | null, email: string | null, active = true): EmployeeState {
  return { external_id: externalId, active, first_name: firstName, last_name: lastName, email };
}

export function aContext(overrides: Partial<ClassifierContext> & { staff?: EmployeeState[] } = {}): ClassifierContext {
  const { staff = [], ...rest } = overrides;
  return {
    requiredFields: DEFAULT_REQUIRED_FIELDS,
    catalog: null,
    formFields: null,
    employees: new Map(staff.map((state) => [state.external_id, state])),
    ...rest,
  };
}

export function classify(records: FeedRecord[], run: Partial<FeedRun> = {}, ctx: Parameters<typeof aContext>[0] = {}): ClassifiedRun {
  return classifyRun(aRun(records, run), aContext(ctx));
}

/** "code field variant expected", leaving out nulls: easy to compare and to read in a failure. */
export function brief(errors: readonly ClassifiedError[]): string[] {
  return errors.map((error) =>
    [error.code, error.field, error.variant, error.expected === null ? null : `'${error.expected}'`].filter((part) => part !== null).join(' '),
  );
}

/** The errors of a single record classified alone. */
export function errorsOf(record: FeedRecord, run: Partial<FeedRun> = {}, ctx: Parameters<typeof aContext>[0] = {}): string[] {
  return brief(classify([record], run, ctx).recordErrors[0] ?? []);
}
