import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayOf, endOfDay, startOfDay } from './day-range.js';

test('a day begins at midnight in the reader’s time zone, DST included', () => {
  assert.equal(startOfDay('2026-11-21', 'UTC').toISOString(), '2026-11-21T00:00:00.000Z');
  assert.equal(startOfDay('2026-11-21', 'Europe/Copenhagen').toISOString(), '2026-11-20T23:00:00.000Z');
  assert.equal(startOfDay('2026-07-01', 'Europe/Copenhagen').toISOString(), '2026-06-30T22:00:00.000Z');
  assert.equal(startOfDay('2026-11-21', 'America/New_York').toISOString(), '2026-11-21T05:00:00.000Z');
  // The day DST starts in Copenhagen is 23 hours long.
  assert.equal(endOfDay('2026-03-29', 'Europe/Copenhagen').getTime() - startOfDay('2026-03-29', 'Europe/Copenhagen').getTime(), 23 * 3_600_000);
});

test('the date of a moment is read in the time zone', () => {
  assert.equal(dayOf(new Date('2026-11-20T23:30:00Z'), 'Europe/Copenhagen'), '2026-11-21');
  assert.equal(dayOf(new Date('2026-11-20T23:30:00Z'), 'UTC'), '2026-11-20');
});
