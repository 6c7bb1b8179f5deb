/**
 * The vocabulary of an error (error-codes.md), each list written once. The types,
 * the zod schemas of the API (`z.enum(LIST)`), hence the OpenAPI enums, and the
 * pages' select options are all derived from these lists; the database's CHECK
 * constraints are in migrations, which are history and stay as written.
 */

export const ERROR_CODES = [
  'duplicate_external_id',
  'job_title_mismatch',
  'department_mismatch',
  'branch_mismatch',
  'archived_mandatory_field',
  'missing_required_field',
  'email_in_use',
  'invalid_value',
  'recreated_after_delete',
  'unclassified',
  'run_failed',
  'missed_run',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const SEVERITIES = ['error', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** How a value differs from the catalog entry it nearly matches. */
export const MISMATCH_VARIANTS = ['spacing', 'case', 'case_and_spacing', 'unicode', 'typo', 'unknown'] as const;
export type MismatchVariant = (typeof MISMATCH_VARIANTS)[number];

/** Which kind of duplicate_external_id. */
export const DUPLICATE_VARIANTS = ['within_run', 'across_runs'] as const;
export type DuplicateVariant = (typeof DUPLICATE_VARIANTS)[number];

export const VARIANTS = [...MISMATCH_VARIANTS, ...DUPLICATE_VARIANTS] as const;
export type Variant = (typeof VARIANTS)[number];
