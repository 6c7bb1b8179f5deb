import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageLink } from './links.js';

test('pageLink keeps the set parameters in order, and a later query replaces or removes an earlier one', () => {
  assert.equal(pageLink('/runs'), '/runs');
  assert.equal(pageLink('/runs', { status: '', integration: undefined, limit: null }), '/runs');
  assert.equal(pageLink('/runs', { integration: 3, status: 'failed' }, { format: 'csv' }), '/runs?integration=3&status=failed&format=csv');
  assert.equal(pageLink('/error-groups', { cursor: 'abc', q: 'x' }, { cursor: undefined }), '/error-groups?q=x');
  assert.equal(pageLink('/error-groups', { status: 'open' }, { status: 'resolved' }), '/error-groups?status=resolved');
  assert.equal(pageLink('/search', { q: 'a&b=c é' }), '/search?q=a%26b%3Dc+%C3%A9');
  assert.equal(pageLink('/x', { words: ['a', 'b'], nested: { a: 1 } }), '/x');
});
