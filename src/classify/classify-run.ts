/**
 * classifyRun: every rule of error-codes.md applied to one run, given what earlier runs
 * left (the context). Pure: no I/O, no clock, no environment.
 *
 * Per record, in this order:
 *   1. data checks (failed and warning records): empty fields, invalid values, catalog
 *      mismatches, email_in_use;
 *   2. silent checks (every record): duplicate_external_id, recreated_after_delete;
 *   3. the engine's messages (failed and warning records), each adding its code for its
 *      field unless the data checks already flagged that field (any code), or a silent
 *      check already raised that code for that field; an archived field replaces a
 *      missing_required_field for it instead;
 *   4. unclassified, for a failed record that has no error yet.
 * At most one error per (code, field). Then applied records update the employee state.
 * The caller feeds runs in run order (started_at) and carries employeeChanges, catalog
 * and formFields into the next run's context.
 *
 * Choices where the spec is silent, and why:
 * - Catalog and form fields in force are the run's own when present (even an empty
 *   list), else the context's. An empty catalog list or form-field list counts as not
 *   known for the checks (see buildCatalogIndexes): an engine that sends none most likely
 *   does not report it. The run-level archived errors are raised from the form fields in
 *   force, so a run that does not resend them still shows the archived field.
 * - The engine's duplicate_external_id, when the silent checks found none, gets variant
 *   within_run if the ID occurs more than once in the run, else across_runs: the engine
 *   knows something our data does not, and the variant still tells the admin where to look.
 * - External IDs are compared exactly as sent; a blank one joins no group and no state.
 * - across_runs compares with the state earlier runs left whether it is active or not
 *   (an ID reused for someone else overwrites even a leaver), while
 *   recreated_after_delete needs it active, as the spec says.
 * - A message with an unknown engine code adds nothing by its code, but its text is still
 *   read by the text rules (see engine-messages.ts); error-codes.md now says so.
 * - Settled in issue 12: without form fields known, an engine's archived field on a record
 *   whose value for it is empty replaces the data checks' missing_required_field for that
 *   field (the archived field is the root cause; "fill in the field" would send the admin
 *   the wrong way). An engine mismatch on an empty value adds nothing: an empty value is
 *   never a mismatch (a required one is missing_required_field already).
 * - Values: a mismatch, invalid_value or email_in_use carries the record's raw value (the
 *   engine's quoted value when the record has none); missing_required_field carries null;
 *   record-level archived_mandatory_field carries the archived field's name (like the
 *   run-level one); duplicate_external_id and recreated_after_delete carry the external_id;
 *   unclassified carries the engine's texts joined with "; " (null when it sent none).
 */
import { APPLIED_OUTCOMES, CHECKED_OUTCOMES, type RecordField, type RecordOutcome } from './feed-enums.js';
import type { ClassifiedError, ClassifiedRun, ClassifierContext, FeedRecord, FeedRun } from './types.js';
import { buildCatalogIndexes } from './catalog-match.js';
import { EmployeeLedger } from './employee-state.js';
import { readEngineMessage } from './engine-messages.js';
import type { EngineFinding } from './engine-messages.js';
import { isBlank, presentString } from './normalise.js';
import { differentPeople, idOf, repeatedIds, withinRunDuplicateIds } from './people.js';
import type { RecordCheckSettings } from './record-checks.js';
import { catalogErrors, emptyFieldErrors, fieldValue, invalidValueErrors, makeError, recordCheckSettings } from './record-checks.js';

interface RunSettings extends RecordCheckSettings {
  formFieldsKnown: boolean;
  duplicateIds: ReadonlySet<string>;
  repeatedIds: ReadonlySet<string>;
  ledger: EmployeeLedger;
}

/** Adds an error unless the record already has one of that code for that field. */
function addOnce(errors: ClassifiedError[], error: ClassifiedError): void {
  if (!hasError(errors, error.code, error.field)) errors.push(error);
}

function hasError(errors: readonly ClassifiedError[], code: string, field: string | null): boolean {
  return errors.some((error) => error.code === code && error.field === field);
}

function isChecked(record: FeedRecord): boolean {
  return (CHECKED_OUTCOMES as readonly RecordOutcome[]).includes(record.outcome);
}

function isApplied(record: FeedRecord): boolean {
  return (APPLIED_OUTCOMES as readonly RecordOutcome[]).includes(record.outcome);
}

function dataErrors(record: FeedRecord, id: string | null, settings: RunSettings): ClassifiedError[] {
  const errors = emptyFieldErrors(record, settings);
  errors.push(...invalidValueErrors(record, settings), ...catalogErrors(record, settings));
  if (settings.ledger.emailInUse(record, id)) {
    errors.push(makeError('email_in_use', 'email', presentString(fieldValue(record, 'email'))));
  }
  return errors;
}

function addSilentErrors(errors: ClassifiedError[], record: FeedRecord, id: string | null, settings: RunSettings): void {
  if (id === null) return;
  const previous = settings.ledger.previous(id);
  const differsFromPrevious = previous !== undefined && differentPeople(record.employee, previous);
  if (settings.duplicateIds.has(id)) {
    addOnce(errors, makeError('duplicate_external_id', 'external_id', id, null, 'within_run'));
  } else if (differsFromPrevious) {
    addOnce(errors, makeError('duplicate_external_id', 'external_id', id, null, 'across_runs'));
  }
  if (record.action === 'create' && isApplied(record) && previous?.active === true && !differsFromPrevious) {
    addOnce(errors, makeError('recreated_after_delete', null, id));
  }
}

/** The error an engine's finding adds to a record, or null when it adds none. */
function engineError(finding: EngineFinding, record: FeedRecord, id: string | null, settings: RunSettings): ClassifiedError | null {
  const { code, field } = finding;
  const recordValue = field ? presentString(fieldValue(record, field as RecordField)) : null;
  switch (code) {
    case 'job_title_mismatch':
    case 'department_mismatch':
    case 'branch_mismatch':
      // An empty value is never a mismatch: where it is required, the data checks said so.
      return recordValue === null ? null : makeError(code, field, recordValue, null, 'unknown');
    case 'duplicate_external_id': {
      const variant = id !== null && settings.repeatedIds.has(id) ? 'within_run' : 'across_runs';
      return makeError(code, field, id, null, variant);
    }
    case 'missing_required_field':
      return makeError(code, field);
    case 'archived_mandatory_field':
      return makeError(code, field, finding.value);
    default:
      return makeError(code, field, recordValue ?? finding.value);
  }
}

/**
 * An engine's archived field replaces the data checks' missing_required_field for that
 * field when the record's value is empty. Returns whether it did.
 */
function replaceMissingByArchived(errors: ClassifiedError[], finding: EngineFinding, record: FeedRecord): boolean {
  if (finding.field === null || !isBlank(fieldValue(record, finding.field))) return false;
  const index = errors.findIndex((error) => error.code === 'missing_required_field' && error.field === finding.field);
  if (index < 0) return false;
  errors[index] = makeError('archived_mandatory_field', finding.field, finding.value);
  return true;
}

function engineTexts(record: FeedRecord): string | null {
  const texts = (record.messages ?? [])
    .map((message) => presentString(message.text) ?? presentString(message.code))
    .filter((text): text is string => text !== null);
  return texts.length > 0 ? texts.join('; ') : null;
}

function classifyRecord(record: FeedRecord, id: string | null, settings: RunSettings): ClassifiedError[] {
  const checked = isChecked(record);
  const errors = checked ? dataErrors(record, id, settings) : [];
  const flaggedFields = errors.map((error) => error.field);
  addSilentErrors(errors, record, id, settings);

  if (checked) {
    for (const message of record.messages ?? []) {
      const finding = readEngineMessage(message);
      if (!finding) continue;
      if (finding.code === 'archived_mandatory_field') {
        if (settings.formFieldsKnown) continue;
        if (replaceMissingByArchived(errors, finding, record)) continue;
      }
      if (finding.field !== null && flaggedFields.includes(finding.field)) continue;
      // A silent check may have raised the same code already; that one knows more.
      if (hasError(errors, finding.code, finding.field)) continue;
      const error = engineError(finding, record, id, settings);
      if (error) errors.push(error);
    }
  }

  if (record.outcome === 'failed' && errors.length === 0) {
    errors.push(makeError('unclassified', null, engineTexts(record)));
  }
  return errors;
}

export function classifyRun(run: FeedRun, ctx: ClassifierContext): ClassifiedRun {
  const catalog = run.catalog ?? ctx.catalog ?? null;
  const formFields = run.form_fields ?? ctx.formFields ?? null;
  const records = run.records;
  const ids = records.map(idOf);
  const repeated = repeatedIds(ids);
  const settings: RunSettings = {
    ...recordCheckSettings(ctx.requiredFields, buildCatalogIndexes(catalog), formFields, run.started_at),
    formFieldsKnown: formFields !== null && formFields.length > 0,
    duplicateIds: withinRunDuplicateIds(records, ids, repeated),
    repeatedIds: repeated,
    ledger: new EmployeeLedger(ctx.employees),
  };

  const runErrors: ClassifiedError[] = [];
  if (run.status === 'failed') runErrors.push(makeError('run_failed', null, presentString(run.run_error)));
  for (const formField of formFields ?? []) {
    if (formField.mandatory && formField.archived) {
      runErrors.push(makeError('archived_mandatory_field', formField.maps_to, formField.name));
    }
  }

  const recordErrors = records.map((record, index) => {
    const id = ids[index] ?? null;
    const errors = classifyRecord(record, id, settings);
    if (isApplied(record)) settings.ledger.apply(record, id);
    return errors;
  });

  return { runErrors, recordErrors, employeeChanges: settings.ledger.changes(), catalog, formFields };
}
