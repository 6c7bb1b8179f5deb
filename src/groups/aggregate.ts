import type { Severity } from '../classify/error-enums.js';
import type { ClassifiedError } from '../classify/types.js';

/** One error of a run, with where it was found. */
export interface RunError extends ClassifiedError {
  record_index: number | null; // null for run-level errors
  external_id: string | null;
}

/** What one run contributes to one error group. */
export interface GroupOccurrence {
  key: string;
  code: string;
  field: string | null;
  value: string | null;
  expected: string | null;
  variant: string | null;
  severity: Severity;
  runLevel: boolean;
  occurrences: number;
  externalIds: Set<string>;
}

/** Run-level and record-level errors never share a group, even with equal code and value. */
export function groupKeyFor(error: RunError, keyOf: (error: ClassifiedError) => string): string {
  return `${error.record_index === null ? 'run' : 'record'}:${keyOf(error)}`;
}

/**
 * Folds a run's errors into one occurrence per group key. The first error seen
 * for a key supplies the group's sample value, so a group shows a real value.
 */
export function aggregateErrors(errors: RunError[], keys: string[]): Map<string, GroupOccurrence> {
  const groups = new Map<string, GroupOccurrence>();
  errors.forEach((error, index) => {
    const key = keys[index]!;
    let group = groups.get(key);
    if (!group) {
      const { code, field, value, expected, variant, severity } = error;
      group = { key, code, field, value, expected, variant, severity, runLevel: error.record_index === null, occurrences: 0, externalIds: new Set() };
      groups.set(key, group);
    }
    group.occurrences += 1;
    if (error.external_id) group.externalIds.add(error.external_id);
  });
  return groups;
}
