/**
 * The vocabulary of the feed (feed-format.md), each list written once. The types,
 * the zod schemas of ingest and of the API's filters (`z.enum(LIST)`), hence the
 * OpenAPI enums, and the SQL that needs a set of them (through bindings) are all
 * derived from these lists; the database's CHECK constraints are in migrations,
 * which are history and stay as written.
 */

/** The employee attributes of a record, and what a form field `maps_to`. */
export const EMPLOYEE_ATTRIBUTES = [
  'first_name',
  'last_name',
  'email',
  'job_title',
  'department',
  'branch',
  'date_of_birth',
  'start_date',
  'end_date',
] as const;
export type EmployeeAttribute = (typeof EMPLOYEE_ATTRIBUTES)[number];

/** A field a record can be checked on: the employee attributes plus the record's own external_id. */
export const RECORD_FIELDS = ['external_id', ...EMPLOYEE_ATTRIBUTES] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

export const RECORD_ACTIONS = ['create', 'update', 'deactivate', 'reactivate', 'skip'] as const;
export type RecordAction = (typeof RECORD_ACTIONS)[number];

export const RECORD_OUTCOMES = ['succeeded', 'failed', 'warning'] as const;
export type RecordOutcome = (typeof RECORD_OUTCOMES)[number];

/** Applied (error-codes.md): the target holds what the record carried. */
export const APPLIED_OUTCOMES = ['succeeded', 'warning'] as const satisfies readonly RecordOutcome[];

/** The outcomes whose records get the data checks: a succeeded record passed the target's own. */
export const CHECKED_OUTCOMES = ['failed', 'warning'] as const satisfies readonly RecordOutcome[];

export const RUN_TRIGGERS = ['scheduled', 'manual', 'initial'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const RUN_STATUSES = ['completed', 'completed_with_errors', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
