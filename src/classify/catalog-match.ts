/**
 * Exact-match catalog checks of error-codes.md: a value not in the catalog letter for
 * letter is a mismatch, and the variant says how it differs from the value it was meant
 * to be. The variants are tried in order (spacing, case, case_and_spacing, unicode, typo,
 * unknown); the first that fits any catalog value wins, and among the values that fit,
 * the nearest by edit distance on the raw strings wins, ties going to the first in
 * catalog order.
 *
 * Where the spec leaves room: the typo step compares the value and each catalog value
 * with whitespace collapsed and lower-cased ("case and spacing normalised"), and limits
 * the distance to 2 and to a quarter of the catalog value's own code-point length, so a
 * catalog value shorter than 4 allows no typo. Which of several fitting values is meant is
 * decided, for typo as for the other variants, by the distance on the raw strings.
 *
 * An index is built once per run and list, so spacing, case and unicode look-ups are one
 * Map access per value; only the typo step scans the catalog. Results are memoised per
 * value, since a large run repeats the same few wrong values many times.
 */
import type { ErrorCode, MismatchVariant } from './error-enums.js';
import type { EmployeeAttribute } from './feed-enums.js';
import type { Catalog } from './types.js';
import { codePointLength, codePoints, collapseWhitespace, osaDistance, removeInvisible, removeWhitespace } from './normalise.js';

/** The attributes checked against a catalog list, and the list each is checked against. */
export const CATALOG_LIST_OF = {
  job_title: 'job_titles',
  department: 'departments',
  branch: 'branches',
} as const satisfies Partial<Record<EmployeeAttribute, keyof Catalog>>;
export type CatalogAttribute = keyof typeof CATALOG_LIST_OF;
export const CATALOG_ATTRIBUTES = Object.keys(CATALOG_LIST_OF) as CatalogAttribute[];

/** The error code of a value missing from each list. */
export const MISMATCH_CODE_OF: Readonly<Record<CatalogAttribute, ErrorCode>> = {
  job_title: 'job_title_mismatch',
  department: 'department_mismatch',
  branch: 'branch_mismatch',
};

export interface CatalogMatch {
  variant: MismatchVariant;
  /** The catalog value it was meant to be; null for `unknown`. */
  expected: string | null;
}

type KeyedVariant = Exclude<MismatchVariant, 'typo' | 'unknown'>;

/** The comparison key of each variant; two strings fit the variant when their keys are equal. */
const VARIANT_KEYS: ReadonlyArray<readonly [KeyedVariant, (value: string) => string]> = [
  // Equal after collapsing whitespace implies equal after removing it, so removing all
  // whitespace covers both readings of "spacing" in the spec.
  ['spacing', (value) => removeWhitespace(value)],
  ['case', (value) => value.toLowerCase()],
  ['case_and_spacing', (value) => removeWhitespace(value).toLowerCase()],
  // The weakest of "with or without the case and spacing steps": it holds whenever any of
  // the four combinations does. NFC is applied again after lower-casing, which can decompose.
  ['unicode', (value) => removeWhitespace(removeInvisible(value).normalize('NFC')).toLowerCase().normalize('NFC')],
];

/** Case and spacing normalised, as the typo step compares. */
function typoKey(value: string): string {
  return collapseWhitespace(value).toLowerCase();
}

interface TypoEntry {
  position: number;
  key: number[];
  /** Edit distance 2, and at most a quarter of the catalog value's length, rounded down. */
  limit: number;
}

export interface CatalogIndex {
  readonly values: readonly string[];
  readonly exact: ReadonlySet<string>;
  readonly byVariant: ReadonlyArray<readonly [KeyedVariant, (value: string) => string, ReadonlyMap<string, number[]>]>;
  readonly typo: readonly TypoEntry[];
  readonly memo: Map<string, CatalogMatch | null>;
}

export function buildCatalogIndex(values: readonly string[]): CatalogIndex {
  const byVariant = VARIANT_KEYS.map(([variant, keyOf]) => {
    const positions = new Map<string, number[]>();
    values.forEach((value, position) => {
      const key = keyOf(value);
      const list = positions.get(key);
      if (list) list.push(position);
      else positions.set(key, [position]);
    });
    return [variant, keyOf, positions] as const;
  });
  const typo = values
    .map((value, position) => ({
      position,
      key: codePoints(typoKey(value)),
      limit: Math.min(2, Math.floor(codePointLength(value) / 4)),
    }))
    .filter((entry) => entry.limit >= 1);
  return { values, exact: new Set(values), byVariant, typo, memo: new Map() };
}

/** The nearest candidate by edit distance on the raw strings; ties go to the first in catalog order. */
function nearest(index: CatalogIndex, value: string, positions: readonly number[]): string {
  const raw = positions.length > 1 ? codePoints(value) : [];
  let best = '';
  let bestDistance = Infinity;
  for (const position of positions) {
    const candidate = index.values[position]!;
    const distance = positions.length > 1 ? osaDistance(raw, candidate) : 0;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

function matchUncached(index: CatalogIndex, value: string): CatalogMatch | null {
  if (index.exact.has(value)) return null;
  for (const [variant, keyOf, positions] of index.byVariant) {
    const found = positions.get(keyOf(value));
    if (found) return { variant, expected: nearest(index, value, found) };
  }
  const key = codePoints(typoKey(value));
  const fits: number[] = [];
  for (const entry of index.typo) {
    if (osaDistance(key, entry.key, entry.limit) <= entry.limit) fits.push(entry.position);
  }
  if (fits.length > 0) return { variant: 'typo', expected: nearest(index, value, fits) };
  return { variant: 'unknown', expected: null };
}

/**
 * How a non-empty value differs from the catalog: null when it is in the catalog exactly,
 * else the variant and the value it was meant to be.
 */
export function matchCatalog(index: CatalogIndex, value: string): CatalogMatch | null {
  if (index.memo.has(value)) return index.memo.get(value) as CatalogMatch | null;
  const match = matchUncached(index, value);
  index.memo.set(value, match);
  return match;
}

export type CatalogIndexes = Partial<Record<CatalogAttribute, CatalogIndex>>;

/**
 * One index per catalog list in force. An empty list counts as not known: an engine that
 * sends `departments: []` most likely does not report that list, and flagging every
 * department as unknown would bury the real errors (the engine's own message still
 * flags a value the target lacks).
 */
export function buildCatalogIndexes(catalog: Catalog | null): CatalogIndexes {
  const indexes: CatalogIndexes = {};
  if (!catalog) return indexes;
  for (const attribute of CATALOG_ATTRIBUTES) {
    const list = catalog[CATALOG_LIST_OF[attribute]];
    if (Array.isArray(list) && list.length > 0) indexes[attribute] = buildCatalogIndex(list);
  }
  return indexes;
}
