import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildCatalogIndex, buildCatalogIndexes, matchCatalog } from './catalog-match.js';
import type { CatalogMatch } from './catalog-match.js';

const JOB_TITLES = ['Head Chef', 'Kitchen Porter', 'Bar Staff', 'Café Manager', 'Waiter', 'Sous Chef', 'Bar'];

function match(value: string, catalog: readonly string[] = JOB_TITLES): CatalogMatch | null {
  return matchCatalog(buildCatalogIndex(catalog), value);
}

type Row = [description: string, value: string, variant: CatalogMatch['variant'] | null, expected: string | null];

function table(title: string, rows: Row[], catalog: readonly string[] = JOB_TITLES): void {
  describe(title, () => {
    for (const [description, value, variant, expected] of rows) {
      test(description, () => {
        assert.deepEqual(match(value, catalog), variant === null ? null : { variant, expected });
      });
    }
  });
}

table('exact values', [
  ['a value in the catalog letter for letter is no mismatch', 'Kitchen Porter', null, null],
  ['a catalog value with an accent, sent in the same NFC form, is no mismatch', 'Café Manager', null, null],
]);

table('spacing', [
  ['a value differing only by a trailing space is a spacing mismatch', 'Kitchen Porter ', 'spacing', 'Kitchen Porter'],
  ['a value differing only by a leading space is a spacing mismatch', ' Kitchen Porter', 'spacing', 'Kitchen Porter'],
  ['a doubled inner space is a spacing mismatch', 'Kitchen  Porter', 'spacing', 'Kitchen Porter'],
  ['a value with all whitespace removed is a spacing mismatch', 'KitchenPorter', 'spacing', 'Kitchen Porter'],
  ['a tab instead of a space is a spacing mismatch', 'Kitchen\tPorter', 'spacing', 'Kitchen Porter'],
  ['a value differing only by a trailing no-break space is a spacing mismatch', 'Kitchen Porter\u00A0', 'spacing', 'Kitchen Porter'],
  ['a no-break space U+00A0 inside the value is whitespace, so spacing', 'Kitchen\u00A0Porter', 'spacing', 'Kitchen Porter'],
  ['an ideographic space U+3000 is whitespace too', 'Kitchen\u3000Porter', 'spacing', 'Kitchen Porter'],
]);

table('case', [
  ['a value differing only in capitals is a case mismatch', 'kitchen porter', 'case', 'Kitchen Porter'],
  ['an all-capitals value is a case mismatch', 'KITCHEN PORTER', 'case', 'Kitchen Porter'],
  ['capitals of accented letters are folded by Unicode lower-casing', 'CAFÉ MANAGER', 'case', 'Café Manager'],
]);

table('case and spacing', [
  ['capitals and a doubled space together are case_and_spacing', 'kitchen  porter', 'case_and_spacing', 'Kitchen Porter'],
  ['capitals and no spaces at all are case_and_spacing', 'kitchenporter', 'case_and_spacing', 'Kitchen Porter'],
  ['capitals and a no-break space are case_and_spacing', 'KITCHEN\u00A0PORTER', 'case_and_spacing', 'Kitchen Porter'],
]);

table('unicode', [
  ['a byte order mark U+FEFF, which \\s calls a space, is unicode and not spacing', '\uFEFFKitchen Porter', 'unicode', 'Kitchen Porter'],
  ['a zero-width space U+200B is unicode', 'Kitchen\u200B Porter', 'unicode', 'Kitchen Porter'],
  ['a zero-width space standing in for the space is unicode', 'Kitchen\u200BPorter', 'unicode', 'Kitchen Porter'],
  ['a soft hyphen U+00AD is unicode', 'Kit\u00ADchen Porter', 'unicode', 'Kitchen Porter'],
  ['a zero-width non-joiner U+200C is unicode', 'Waiter\u200C', 'unicode', 'Waiter'],
  ['a zero-width joiner U+200D is unicode', 'Wai\u200Dter', 'unicode', 'Waiter'],
  ['a word joiner U+2060 is unicode', '\u2060Waiter', 'unicode', 'Waiter'],
  ['an accent stored as a combining mark (NFD) is unicode', 'Cafe\u0301 Manager', 'unicode', 'Café Manager'],
  ['NFD together with capitals and spacing is still unicode', 'CAFE\u0301  MANAGER', 'unicode', 'Café Manager'],
  ['an invisible character together with capitals is unicode', '\uFEFFkitchen porter', 'unicode', 'Kitchen Porter'],
]);

table('typo', [
  ['one swapped pair of letters is a typo (transposition counts one edit)', 'Kitchen Portre', 'typo', 'Kitchen Porter'],
  ['one wrong letter is a typo', 'Bar Stuff', 'typo', 'Bar Staff'],
  ['two edits within a quarter of a 9-letter value are a typo', 'Haed Cehf', 'typo', 'Head Chef'],
  ['a typo is measured after case and spacing are normalised', 'kitchen  portre', 'typo', 'Kitchen Porter'],
  ['a transposition in a 6-letter value is within its limit of 1', 'Watier', 'typo', 'Waiter'],
  ['two edits in a 6-letter value exceed a quarter of its length (1)', 'Wiatre', 'unknown', null],
  ['three edits exceed distance 2 even for a long value', 'Kicthen Protre s', 'unknown', null],
  ['a 3-letter catalog value allows no typo at all (a quarter of 3 is 0)', 'Baz', 'unknown', null],
]);

table('unknown', [['a value like nothing in the catalog is unknown, with no expected value', 'Sommelier', 'unknown', null]]);

describe('order and ties', () => {
  test('the variants are tried in order: spacing wins over case even when case fits another value', () => {
    assert.deepEqual(match('Kitchen Porter', ['kitchen porter', 'Kitchen  Porter']), {
      variant: 'spacing',
      expected: 'Kitchen  Porter',
    });
  });

  test('case wins over typo', () => {
    assert.deepEqual(match('waiter', ['Waiters', 'WAITER']), { variant: 'case', expected: 'WAITER' });
  });

  test('among values that fit the variant, the nearest by edit distance on the raw strings wins', () => {
    assert.deepEqual(match('Head Chef\u00A0', ['Head  Chef', 'Head Chef']), { variant: 'spacing', expected: 'Head Chef' });
    assert.deepEqual(match('Bar', ['BAR', 'bar']), { variant: 'case', expected: 'bar' });
  });

  test('an equal distance goes to the first value in catalog order', () => {
    assert.deepEqual(match('Bar Stiff', ['Bar Staff', 'Bar Stuff']), { variant: 'typo', expected: 'Bar Staff' });
    assert.deepEqual(match('Bar Stiff', ['Bar Stuff', 'Bar Staff']), { variant: 'typo', expected: 'Bar Stuff' });
    assert.deepEqual(match('Bar', ['bAr', 'baR']), { variant: 'case', expected: 'bAr' });
  });

  test('a repeated value gives the same answer from the per-run memo', () => {
    const index = buildCatalogIndex(JOB_TITLES);
    const first = matchCatalog(index, 'kitchen porter');
    assert.deepEqual(matchCatalog(index, 'kitchen porter'), first);
  });
});

describe('catalog lists in force', () => {
  test('an empty list counts as not known, so no value is checked against it', () => {
    const indexes = buildCatalogIndexes({ job_titles: ['Waiter'], departments: [], branches: ['London Soho'] });
    assert.deepEqual(Object.keys(indexes).sort(), ['branch', 'job_title']);
  });

  test('no catalog means no index at all', () => {
    assert.deepEqual(buildCatalogIndexes(null), {});
  });
});
