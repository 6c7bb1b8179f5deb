import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { latestPeriod, wallClockMoment } from './periods.js';

const iso = (date: Date) => date.toISOString();
const period = (...args: Parameters<typeof latestPeriod>) => {
  const { key, start, end } = latestPeriod(...args);
  return [key, iso(start), iso(end)];
};

describe('summary periods in the reader’s time zone', () => {
  test('daily at 08:00 in Copenhagen: the summary of the day before until 08:00, today’s from then', () => {
    const daily = { kind: 'daily', at: '08:00' } as const;
    assert.deepEqual(period(daily, 'Europe/Copenhagen', new Date('2026-11-30T06:59:59Z')), [
      'daily:2026-11-29',
      '2026-11-28T07:00:00.000Z',
      '2026-11-29T07:00:00.000Z',
    ]);
    assert.deepEqual(period(daily, 'Europe/Copenhagen', new Date('2026-11-30T07:00:00Z')), [
      'daily:2026-11-30',
      '2026-11-29T07:00:00.000Z',
      '2026-11-30T07:00:00.000Z',
    ]);
  });

  test('the day summer time starts, the daily period is 23 hours; the day it ends, 25', () => {
    const daily = { kind: 'daily', at: '08:00' } as const;
    const spring = latestPeriod(daily, 'Europe/Copenhagen', new Date('2026-03-29T12:00:00Z'));
    assert.equal(spring.end.getTime() - spring.start.getTime(), 23 * 3_600_000);
    assert.equal(iso(spring.end), '2026-03-29T06:00:00.000Z');
    const autumn = latestPeriod(daily, 'Europe/Copenhagen', new Date('2026-10-25T12:00:00Z'));
    assert.equal(autumn.end.getTime() - autumn.start.getTime(), 25 * 3_600_000);
  });

  test('a time summer time skips is taken an hour later; one it repeats, at its first occurrence', () => {
    assert.equal(iso(wallClockMoment('2026-03-29', '02:30', 'Europe/Copenhagen')), '2026-03-29T01:30:00.000Z');
    assert.equal(iso(wallClockMoment('2026-10-25', '02:30', 'Europe/Copenhagen')), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(wallClockMoment('2026-11-30', '08:00', 'UTC')), '2026-11-30T08:00:00.000Z');
  });

  test('weekly on Monday at 08:00: the week that ended at the last Monday 08:00', () => {
    const weekly = { kind: 'weekly', weekday: 1, at: '08:00' } as const;
    // 2026-11-30 is a Monday.
    assert.deepEqual(period(weekly, 'Europe/London', new Date('2026-12-03T10:00:00Z')), [
      'weekly:2026-11-30',
      '2026-11-23T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
    ]);
    assert.equal(latestPeriod(weekly, 'Europe/London', new Date('2026-11-30T07:59:00Z')).key, 'weekly:2026-11-23');
  });

  test('hourly on the hour of the reader’s wall clock, in a half-hour zone too', () => {
    assert.deepEqual(period({ kind: 'hourly' }, 'Asia/Kolkata', new Date('2026-11-30T10:45:00Z')), [
      'hourly:2026-11-30T10:30:00.000Z',
      '2026-11-30T09:30:00.000Z',
      '2026-11-30T10:30:00.000Z',
    ]);
    assert.equal(latestPeriod({ kind: 'hourly' }, 'UTC', new Date('2026-11-30T10:45:00Z')).key, 'hourly:2026-11-30T10:00:00.000Z');
  });

  test('west of UTC, late evening belongs to the local day', () => {
    const daily = { kind: 'daily', at: '23:00' } as const;
    assert.deepEqual(period(daily, 'America/Los_Angeles', new Date('2026-12-01T07:30:00Z')), [
      'daily:2026-11-30',
      '2026-11-30T07:00:00.000Z',
      '2026-12-01T07:00:00.000Z',
    ]);
  });
});
