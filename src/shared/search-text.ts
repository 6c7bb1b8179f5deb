/**
 * How employee search reads text, shared by the employee search and the records'
 * `q` filter: accents, case and hidden characters never decide a match.
 */

/** A search key keeps at most this many code points of each part (name, email, external ID). */
export const SEARCH_PART = 200;

/**
 * Text as search compares it: NFKD with the combining marks removed (so
 * "Haddád" is "haddad"), lower case, control and format characters (zero-width
 * spaces, byte order marks, direction overrides) removed, whitespace runs made
 * one space, trimmed.
 */
export function normaliseSearchText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\p{White_Space}+/gu, ' ')
    .trim();
}

/** At most `max` code points, never half a surrogate pair. */
export const cutCodePoints = (text: string, max: number): string => (text.length <= max ? text : [...text].slice(0, max).join(''));

/**
 * The words of a query, each of which the search key must contain: "haddad
 * aoife" finds Aoife Haddad. At most 8 words, each at most 200 code points (the
 * key keeps no more of a value).
 */
export function searchWords(query: string): string[] {
  const words = normaliseSearchText(query).split(' ').filter(Boolean);
  return [...new Set(words.map((word) => cutCodePoints(word, SEARCH_PART)))].slice(0, 8);
}
