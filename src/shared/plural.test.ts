import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plural } from './plural.js';

test('a count with its noun: singular for one, the plural given or an s, thousands separated', () => {
  assert.equal(plural(1, 'run'), '1 run');
  assert.equal(plural(0, 'run'), '0 runs');
  assert.equal(plural(2, 'person', 'people'), '2 people');
  assert.equal(plural(12_345, 'record'), '12,345 records');
});
