/**
 * What changed between two records of one employee: the fields of the employee
 * as sent, compared value by value. Pure, so the record page, the employee
 * timeline and the API agree.
 */
import { RECORD_FIELDS } from '../classify/feed-enums.js';

export interface FieldChange {
  field: string;
  /** The value in the previous record; undefined when that record did not send the field. */
  before: unknown;
  after: unknown;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The fields whose value differs, the known fields first in the feed's order,
 * then any extra field the engine sent, by name. No previous record: no diff
 * (the first record is not a change), so an empty list.
 */
export function diffEmployee(previous: Record<string, unknown> | null | undefined, current: Record<string, unknown>): FieldChange[] {
  if (!previous) return [];
  const known = new Set<string>(RECORD_FIELDS);
  const extra = [...new Set([...Object.keys(previous), ...Object.keys(current)])].filter((field) => !known.has(field)).sort();
  const changes: FieldChange[] = [];
  for (const field of [...RECORD_FIELDS, ...extra]) {
    if (!(field in previous) && !(field in current)) continue;
    if (!sameValue(previous[field], current[field])) changes.push({ field, before: previous[field], after: current[field] });
  }
  return changes;
}
