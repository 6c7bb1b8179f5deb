import { hash } from 'node:crypto';

/**
 * Indexes hold this many leading characters of a free-text value (external ID,
 * email): a btree entry must stay under about 2,700 bytes, and a value of any
 * length must never fail a run. Queries compare the prefix, which the index
 * serves, then the whole value. Fixed by migration 2026-11-29-1610.
 */
export const INDEXED_PREFIX = 200;

/**
 * The md5 keys PostgreSQL stores for these values (`md5(external_id)`), computed
 * here so that a query gets them as one constant array: PostgreSQL then matches
 * `= ANY(array)` through the index or a hash, linear in the run's size whatever
 * the statistics say. An `ARRAY(SELECT md5(...))` is no constant, and a filter
 * on it scans the whole array per row: a second 100k-record run took minutes.
 */
export function md5Keys(values: string[]): string[] {
  return values.map((value) => hash('md5', value));
}

/** The indexed prefixes of these values, likewise as one constant array. */
export function indexedPrefixes(values: string[]): string[] {
  // PostgreSQL's left() counts characters, as spreading a string into code points does; a short value is its own prefix.
  const prefixOf = (value: string) => (value.length <= INDEXED_PREFIX ? value : [...value].slice(0, INDEXED_PREFIX).join(''));
  return [...new Set(values.map(prefixOf))];
}
