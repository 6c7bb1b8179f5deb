import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffEmployee } from './record-diff.js';

test('the diff lists the fields whose value changed, in the feed order, extra fields last', () => {
  const before = { external_id: '7781_10020', first_name: 'Aoife', job_title: 'Bartender ', branch: 'Dublin', shoe_size: 5 };
  const after = { external_id: '7781_10020', first_name: 'Aoife', job_title: 'Bartender', branch: 'Dublin', email: 'a@example.com', shoe_size: 6 };
  assert.deepEqual(diffEmployee(before, after), [
    { field: 'email', before: undefined, after: 'a@example.com' },
    { field: 'job_title', before: 'Bartender ', after: 'Bartender' },
    { field: 'shoe_size', before: 5, after: 6 },
  ]);
});

test('a first record has no diff, and equal records have none either', () => {
  assert.deepEqual(diffEmployee(null, { first_name: 'Aoife' }), []);
  assert.deepEqual(diffEmployee({ first_name: 'Aoife', end_date: null }, { first_name: 'Aoife' }), []);
});

test('a value that only changes by a trailing space is a change', () => {
  assert.deepEqual(diffEmployee({ job_title: 'Bartender' }, { job_title: 'Bartender ' }), [{ field: 'job_title', before: 'Bartender', after: 'Bartender ' }]);
});
