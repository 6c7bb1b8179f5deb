import assert from 'node:assert/strict';
import { test } from 'node:test';
import { touchIsDue } from './touch.js';

test('a last-used time is written when there is none, or when it is a minute old or more, and not sooner', () => {
  assert.equal(touchIsDue(null), true);
  assert.equal(touchIsDue(new Date(Date.now() - 61_000)), true);
  assert.equal(touchIsDue(new Date(Date.now() - 5_000)), false);
  assert.equal(touchIsDue(new Date()), false);
});
