import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor, encodeCursor, timeIdCursor } from './query.js';

test('a cursor time is accepted only as toISOString() writes it', () => {
  assert.deepEqual(decodeCursor(encodeCursor(['2026-11-29T12:00:00.000Z', 7]), timeIdCursor), ['2026-11-29T12:00:00.000Z', 7]);
});

test('other RFC 3339 forms, which PostgreSQL may refuse, are a 400 naming cursor, never a 500', () => {
  // Found by test/read-api.property.test.ts: '-23:59' is RFC 3339, and PostgreSQL failed on it (a 500).
  for (const time of [
    '0001-01-01T00:00:00-23:59',
    '2026-11-29T12:00:00+01:00',
    '0000-06-01T00:00:00.000Z',
    '2026-02-30T00:00:00.000Z',
    '2026-11-29T12:00:00Z',
  ]) {
    assert.throws(() => decodeCursor(encodeCursor([time, 1]), timeIdCursor), /cursor/, time);
  }
});
