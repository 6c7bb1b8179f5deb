/**
 * The "same person" rule of error-codes.md and the duplicate_external_id checks built on it.
 * Two records are different people only when both have a non-empty email and those differ
 * (trim, lower-case) and both have a non-empty full name and those differ (trim, collapse
 * whitespace, lower-case). An empty email or name is never a difference.
 */
import type { FeedRecord } from './types.js';
import { collapseWhitespace, emailKey, presentString } from './normalise.js';

/** Whatever carries a person: a record's employee, or an employee state. */
export interface Person {
  first_name?: unknown;
  last_name?: unknown;
  email?: unknown;
}

function nameKey(person: Person): string | null {
  const first = typeof person.first_name === 'string' ? person.first_name : '';
  const last = typeof person.last_name === 'string' ? person.last_name : '';
  const name = collapseWhitespace(`${first} ${last}`).toLowerCase();
  return name.length > 0 ? name : null;
}

/**
 * Emails are compared first and names only when the emails differ, since most records
 * carry the email the state already has: one trim and lower-case each, no more.
 */
export function differentPeople(a: Person, b: Person): boolean {
  const emailA = emailKey(a.email);
  if (emailA === null) return false;
  const emailB = emailKey(b.email);
  if (emailB === null || emailA === emailB) return false;
  const nameA = nameKey(a);
  if (nameA === null) return false;
  const nameB = nameKey(b);
  return nameB !== null && nameA !== nameB;
}

/** The record's external_id as the key records and states share; blank IDs have none. */
export function idOf(record: FeedRecord): string | null {
  return presentString(record.external_id);
}

/** External IDs that more than one record of the run carries. */
export function repeatedIds(ids: ReadonlyArray<string | null>): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) {
    if (id === null) continue;
    if (seen.has(id)) repeated.add(id);
    else seen.add(id);
  }
  return repeated;
}

/**
 * The external_ids whose records in this run include at least two different people.
 * `ids[i]` is idOf(records[i]); `repeated` the IDs that occur more than once.
 *
 * Only records with both an email and a name can differ from anyone. Among those, some
 * pair differs in both exactly when there are at least two distinct emails and at least
 * two distinct names: if every pair shared one or the other, a record (e1, n1), one with
 * another email (which must then be named n1) and one with another name (which must then
 * have e1) would give (e2, n1) and (e1, n2), a pair that shares neither. So one pass per
 * group decides it, however large the group.
 */
export function withinRunDuplicateIds(records: readonly FeedRecord[], ids: ReadonlyArray<string | null>, repeated: ReadonlySet<string>): Set<string> {
  const groups = new Map<string, { emails: Set<string>; names: Set<string> }>();
  records.forEach((record, index) => {
    const id = ids[index];
    if (id === null || id === undefined || !repeated.has(id)) return;
    const email = emailKey(record.employee.email);
    const name = nameKey(record.employee);
    if (email === null || name === null) return;
    let group = groups.get(id);
    if (!group) {
      group = { emails: new Set(), names: new Set() };
      groups.set(id, group);
    }
    group.emails.add(email);
    group.names.add(name);
  });
  const duplicates = new Set<string>();
  for (const [id, group] of groups) {
    if (group.emails.size >= 2 && group.names.size >= 2) duplicates.add(id);
  }
  return duplicates;
}
