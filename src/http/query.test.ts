import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor, encodeCursor, timeIdCursor } from './query.js';

test('a cursor time is read back in UTC, so an offset PostgreSQL refuses (beyond ±15:59) never reaches it', () => {
  // Found by test/read-api.property.test.ts: '-23:59' is RFC 3339, and PostgreSQL failed on it (a 500).
  assert.deepEqual(decodeCursor(encodeCursor(['0001-01-01T00:00:00-23:59', 1]), timeIdCursor), ['0001-01-01T23:59:00.000Z', 1]);
  assert.deepEqual(decodeCursor(encodeCursor(['2026-11-29T12:00:00.000Z', 7]), timeIdCursor), ['2026-11-29T12:00:00.000Z', 7]);
});

test('a cursor time that falls in year 0 once read in UTC is refused as a 400', () => {
  assert.throws(() => decodeCursor(encodeCursor(['0001-01-01T00:00:00+23:59', 1]), timeIdCursor), /cursor/);
  assert.throws(() => decodeCursor(encodeCursor(['0000-06-01T00:00:00Z', 1]), timeIdCursor), /cursor/);
});
