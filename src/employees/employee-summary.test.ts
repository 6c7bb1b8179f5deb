import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { employeeState, normaliseSearchText, type RunRecord, searchKeyOf, searchWords, sortKeyOf, summariseRun } from './employee-summary.js';

describe('search normalisation', () => {
  test('lower-cases and removes accents, so that "aoife" finds "Aoife" and "haddad" finds "Haddád"', () => {
    assert.equal(normaliseSearchText('Aoife'), 'aoife');
    assert.equal(normaliseSearchText('Haddád'), 'haddad');
    assert.equal(normaliseSearchText('ZOË Ñúñez-Çelik'), 'zoe nunez-celik');
    // Decomposed input (e + combining acute) is the same as composed.
    assert.equal(normaliseSearchText('Zoe\u0301'), normaliseSearchText('Zoé'));
  });

  test('compatibility forms fold too (NFKD): ligatures, full-width letters', () => {
    assert.equal(normaliseSearchText('ﬁona'), 'fiona');
    assert.equal(normaliseSearchText('ＡＢＣ'), 'abc');
  });

  test('drops invisible characters and makes whitespace runs one space', () => {
    assert.equal(normaliseSearchText('\uFEFFAnna\u200B  \u00A0Lee \t'), 'anna lee');
    assert.equal(normaliseSearchText('Anna \u202Egnp.exe\u202C Lee'), 'anna gnp.exe lee');
  });

  test('letters without a decomposition stay as they are', () => {
    assert.equal(normaliseSearchText('Øyvind Łukasz ß'), 'øyvind łukasz ß');
  });

  test('a query is its distinct words, each normalised; at most eight', () => {
    assert.deepEqual(searchWords('  Haddád   AOIFE '), ['haddad', 'aoife']);
    assert.deepEqual(searchWords('a a A'), ['a']);
    assert.deepEqual(searchWords(''), []);
    assert.deepEqual(searchWords('\u200B'), []);
    assert.equal(searchWords('1 2 3 4 5 6 7 8 9 10').length, 8);
  });

  test('the search key holds name, email and external ID, one per line, each cut to 200 code points', () => {
    assert.equal(
      searchKeyOf({ external_id: '7781_10020', first_name: 'Aoife', last_name: 'Haddád', email: 'Aoife.Haddad20@Example.com' }),
      'aoife haddad\naoife.haddad20@example.com\n7781_10020',
    );
    assert.equal(searchKeyOf({ external_id: 'X', first_name: null, last_name: null, email: null }), '\n\nx');
    const long = searchKeyOf({ external_id: '😀'.repeat(5000), first_name: null, last_name: null, email: null });
    assert.equal([...long.split('\n')[2]!].length, 200);
  });

  test('the sort key is last name then first name, letters, digits and spaces only, at most 60 code points', () => {
    assert.equal(sortKeyOf({ first_name: 'Aoife', last_name: "O'Haddád" }), 'ohaddad aoife');
    assert.equal(sortKeyOf({ first_name: null, last_name: null }), '');
    assert.equal([...sortKeyOf({ first_name: 'x', last_name: '漢'.repeat(500) })].length, 60);
  });
});

describe('the state rules', () => {
  const base = { everApplied: true, lastOutcome: 'succeeded', openErrors: 0, active: true } as const;

  test('applied last and active: synced', () => {
    assert.equal(employeeState(base), 'synced');
    assert.equal(employeeState({ ...base, lastOutcome: 'warning' }), 'synced');
  });

  test('the last record failed, or errors are open: blocked', () => {
    assert.equal(employeeState({ ...base, lastOutcome: 'failed' }), 'blocked');
    assert.equal(employeeState({ ...base, openErrors: 2 }), 'blocked');
    assert.equal(employeeState({ ...base, lastOutcome: 'warning', openErrors: 1 }), 'blocked');
    // A failed deactivation leaves them active in the target, and blocked.
    assert.equal(employeeState({ ...base, active: false, lastOutcome: 'failed' }), 'blocked');
  });

  test('deactivated, nothing failing: inactive', () => {
    assert.equal(employeeState({ ...base, active: false }), 'inactive');
  });

  test('never applied wins over blocked: the target does not hold them at all', () => {
    assert.equal(employeeState({ everApplied: false, lastOutcome: 'failed', openErrors: 3, active: null }), 'never_applied');
  });
});

describe('what one run says of each employee', () => {
  const record = (
    external_id: string | null,
    action: RunRecord['action'],
    outcome: RunRecord['outcome'],
    employee: Record<string, unknown> = {},
  ): RunRecord => ({
    external_id,
    action,
    outcome,
    employee,
  });

  test('one entry per external ID with the values of their last record; records without an ID are left out', () => {
    const entries = summariseRun(
      [
        record('a', 'create', 'succeeded', { first_name: 'Ann', job_title: 'Chef' }),
        record(null, 'create', 'failed'),
        record('', 'create', 'failed'),
        record('b', 'update', 'failed', { first_name: 'Bo' }),
        record('a', 'update', 'failed', { first_name: 'Anne', job_title: 'Chef ', department: 42 }),
      ],
      [0, 1, 1, 1, 1],
    );
    assert.deepEqual(
      entries.map((e) => e.external_id),
      ['a', 'b'],
    );
    const a = entries[0]!;
    assert.equal(a.first_name, 'Anne');
    assert.equal(a.job_title, 'Chef ');
    assert.equal(a.department, null, 'a value that is not a string is no value');
    assert.equal(a.last_index, 4);
    assert.equal(a.last_outcome, 'failed');
    assert.equal(a.applied_index, 0);
    assert.equal(a.active, true);
    assert.equal(a.errored, true);
    assert.equal(a.search_key, 'anne\n\na');
    const b = entries[1]!;
    assert.equal(b.applied_index, null);
    assert.equal(b.active, null);
    assert.equal(b.any_applied, false);
  });

  test('activity follows the last applied record other than a skip; a skip alone counts as applied', () => {
    const [deactivated, skipped, failedDeactivation] = summariseRun(
      [
        record('d', 'create', 'succeeded'),
        record('d', 'deactivate', 'warning'),
        record('d', 'skip', 'succeeded'),
        record('s', 'skip', 'succeeded'),
        record('f', 'deactivate', 'failed'),
      ],
      [0, 0, 0, 0, 1],
    );
    assert.equal(deactivated!.active, false);
    assert.equal(deactivated!.applied_index, 2);
    assert.equal(skipped!.active, null);
    assert.equal(skipped!.any_applied, true);
    assert.equal(skipped!.errored, false);
    assert.equal(failedDeactivation!.active, null);
    assert.equal(failedDeactivation!.any_applied, false);
  });
});
