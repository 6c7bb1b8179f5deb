/**
 * The data checks of error-codes.md that need only the record and the run's settings:
 * missing_required_field, record-level archived_mandatory_field, invalid_value and the
 * catalog mismatches. They run on failed and warning records only (the caller decides).
 * email_in_use needs the employee state and lives in employee-state.ts.
 */
import type { ErrorCode, Variant } from './error-enums.js';
import type { EmployeeAttribute, RecordField } from './feed-enums.js';
import type { ClassifiedError, FeedRecord, FormField } from './types.js';
import type { CatalogIndexes } from './catalog-match.js';
import { CATALOG_ATTRIBUTES, MISMATCH_CODE_OF, matchCatalog } from './catalog-match.js';
import { isBlank, presentString, trimWhitespace } from './normalise.js';

export function makeError(
  code: ErrorCode,
  field: string | null,
  value: string | null = null,
  expected: string | null = null,
  variant: Variant | null = null,
): ClassifiedError {
  return { code, severity: code === 'recreated_after_delete' ? 'info' : 'error', field, value, expected, variant };
}

/** The raw value of a record field: external_id is the record's own, the rest come from `employee`. */
export function fieldValue(record: FeedRecord, field: RecordField): unknown {
  if (field === 'external_id') return record.external_id;
  const employee = record.employee as Record<string, unknown> | null | undefined;
  return employee ? employee[field] : undefined;
}

/** Archived mandatory form fields by the attribute they feed (first such field wins). */
function archivedMandatoryFields(formFields: readonly FormField[] | null): Map<EmployeeAttribute, string> {
  const archived = new Map<EmployeeAttribute, string>();
  for (const formField of formFields ?? []) {
    if (formField.mandatory && formField.archived && formField.maps_to && !archived.has(formField.maps_to)) {
      archived.set(formField.maps_to, formField.name);
    }
  }
  return archived;
}

export interface RecordCheckSettings {
  /** The required fields to check for emptiness: deduplicated, without those fed by an archived field. */
  requiredFields: readonly RecordField[];
  catalogIndexes: CatalogIndexes;
  /** Attribute -> name of the archived mandatory form field that feeds it. */
  archivedFields: ReadonlyMap<EmployeeAttribute, string>;
  /** The UTC date (YYYY-MM-DD) of the run's started_at, or null when it cannot be read. */
  runDate: string | null;
}

/**
 * The settings of one run's data checks, worked out once for all its records.
 *
 * An empty attribute fed by an archived mandatory field gets archived_mandatory_field,
 * whether or not the integration lists it as required: the form made it mandatory, and the
 * archived field is the root cause. So such an attribute is left out of the required
 * fields, which would otherwise report it a second time as missing_required_field.
 */
export function recordCheckSettings(
  requiredFields: readonly RecordField[],
  catalogIndexes: CatalogIndexes,
  formFields: readonly FormField[] | null,
  startedAt: string,
): RecordCheckSettings {
  const archivedFields = archivedMandatoryFields(formFields);
  const required = [...new Set(requiredFields)].filter((field) => field === 'external_id' || !archivedFields.has(field));
  return { requiredFields: required, catalogIndexes, archivedFields, runDate: utcDateOf(startedAt) };
}

export function emptyFieldErrors(record: FeedRecord, settings: RecordCheckSettings): ClassifiedError[] {
  const errors: ClassifiedError[] = [];
  for (const [attribute, name] of settings.archivedFields) {
    if (isBlank(fieldValue(record, attribute))) errors.push(makeError('archived_mandatory_field', attribute, name));
  }
  for (const field of settings.requiredFields) {
    if (isBlank(fieldValue(record, field))) errors.push(makeError('missing_required_field', field));
  }
  return errors;
}

const EMAIL_SHAPE = /^[^@\p{White_Space}]+@[^@\p{White_Space}]+\.[^@\p{White_Space}.]+$/u;
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/u;
const DATE_FIELDS = ['date_of_birth', 'start_date', 'end_date'] as const;

export function isEmailShaped(value: string): boolean {
  return EMAIL_SHAPE.test(trimWhitespace(value));
}

/**
 * A real calendar date written exactly YYYY-MM-DD. Surrounding whitespace is not forgiven,
 * unlike emails, because the spec trims only emails and a date field is machine-read.
 */
export function isRealDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= daysInMonth;
}

/** The UTC calendar date of an RFC 3339 timestamp, or null if it cannot be read. */
export function utcDateOf(timestamp: string): string | null {
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return null;
  const iso = new Date(time).toISOString();
  return /^[0-9]{4}-/u.test(iso) ? iso.slice(0, 10) : null;
}

export function invalidValueErrors(record: FeedRecord, settings: RecordCheckSettings): ClassifiedError[] {
  const errors: ClassifiedError[] = [];
  const email = presentString(fieldValue(record, 'email'));
  if (email !== null && !isEmailShaped(email)) errors.push(makeError('invalid_value', 'email', email));

  const dates: Partial<Record<(typeof DATE_FIELDS)[number], string>> = {};
  for (const field of DATE_FIELDS) {
    const value = presentString(fieldValue(record, field));
    if (value === null) continue;
    if (isRealDate(value)) dates[field] = value;
    else errors.push(makeError('invalid_value', field, value));
  }
  // YYYY-MM-DD strings of real dates compare correctly as text.
  if (dates.end_date !== undefined && dates.start_date !== undefined && dates.end_date < dates.start_date) {
    errors.push(makeError('invalid_value', 'end_date', dates.end_date));
  }
  if (dates.date_of_birth !== undefined && settings.runDate !== null && dates.date_of_birth > settings.runDate) {
    errors.push(makeError('invalid_value', 'date_of_birth', dates.date_of_birth));
  }
  return errors;
}

/** Non-empty job title, department and branch values checked against the catalog in force. */
export function catalogErrors(record: FeedRecord, settings: RecordCheckSettings): ClassifiedError[] {
  const errors: ClassifiedError[] = [];
  for (const attribute of CATALOG_ATTRIBUTES) {
    const index = settings.catalogIndexes[attribute];
    if (!index) continue;
    const value = presentString(fieldValue(record, attribute));
    if (value === null) continue;
    const match = matchCatalog(index, value);
    if (match) errors.push(makeError(MISMATCH_CODE_OF[attribute], attribute, value, match.expected, match.variant));
  }
  return errors;
}
