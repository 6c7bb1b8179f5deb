/**
 * The contract between ingest (which does I/O) and the classifier (which does none).
 * Field names follow the feed (snake_case) where they carry feed data, so a stored
 * payload can be handed to the classifier without renaming. The enums they use are
 * listed once in error-enums.ts and feed-enums.ts.
 */
import type { ErrorCode, Severity, Variant } from './error-enums.js';
import type { EmployeeAttribute, RecordAction, RecordField, RecordOutcome, RunStatus } from './feed-enums.js';

export const DEFAULT_REQUIRED_FIELDS: readonly RecordField[] = ['external_id', 'first_name', 'last_name', 'email', 'job_title', 'branch'];

/** One error of error-codes.md, exactly the object the API returns. */
export interface ClassifiedError {
  code: ErrorCode;
  severity: Severity;
  field: string | null;
  value: string | null;
  expected: string | null;
  variant: Variant | null;
}

export interface Catalog {
  job_titles: string[];
  departments: string[];
  branches: string[];
}

export interface FormField {
  name: string;
  maps_to: EmployeeAttribute | null;
  mandatory: boolean;
  archived: boolean;
}

export interface EngineMessage {
  code?: string | null;
  field?: string | null;
  text?: string | null;
}

/** A record as validated from the feed. Attributes may be null or absent; unknown keys may be present. */
export interface FeedRecord {
  external_id?: string | null;
  action: RecordAction;
  outcome: RecordOutcome;
  employee: Partial<Record<EmployeeAttribute, string | null>> & Record<string, unknown>;
  messages?: EngineMessage[];
}

export interface FeedRun {
  run_id: string;
  started_at: string; // RFC 3339
  status: RunStatus;
  run_error?: string | null;
  catalog?: Catalog | null;
  form_fields?: FormField[] | null;
  records: FeedRecord[];
}

/** The employee state of error-codes.md, per integration and external_id. */
export interface EmployeeState {
  external_id: string;
  active: boolean;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

/**
 * What the classifier needs to know about the integration before the run.
 * `employees` must hold at least every external_id the run mentions and every
 * active holder of an email the run mentions (ingest loads exactly those).
 */
export interface ClassifierContext {
  requiredFields: readonly RecordField[];
  catalog: Catalog | null; // last catalog received, used when the run has none
  formFields: FormField[] | null; // likewise
  employees: ReadonlyMap<string, EmployeeState>;
}

export interface ClassifiedRun {
  runErrors: ClassifiedError[];
  /** recordErrors[i] are the errors of run.records[i]. */
  recordErrors: ClassifiedError[][];
  /** The employee state after this run, for every external_id the run changed. */
  employeeChanges: Map<string, EmployeeState>;
  /** Catalog and form fields in force for this run (the run's own, else the context's). */
  catalog: Catalog | null;
  formFields: FormField[] | null;
}
