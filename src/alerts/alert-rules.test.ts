import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AlertRecipient, failureStreak, median, recordsDrop, repeatPeriodKey, wantsAlert } from './alert-rules.js';
import { shortTime } from './alerts.compose.js';

const person: AlertRecipient = {
  org_id: 1,
  user_id: 2,
  time_zone: 'Europe/Copenhagen',
  alerts: ['missed_run', 'run_failed', 'new_group', 'records_drop', 'recovery'],
  integration_ids: null,
  min_severity: 'error',
  alert_after_failures: 1,
  alert_repeat: 'daily',
};

describe('records drop: under half the median of the previous 10 good runs (at least 5, median at least 10)', () => {
  test('a run with under half the usual records is a drop, with the figures it was judged on', () => {
    assert.deepEqual(recordsDrop(40, [100, 98, 103, 97, 101]), { recordCount: 40, median: 100, baselineRuns: 5 });
    assert.deepEqual(recordsDrop(0, [20, 20, 22, 18, 20, 20]), { recordCount: 0, median: 20, baselineRuns: 6 });
  });
  test('half the median or more is no drop', () => {
    assert.equal(recordsDrop(50, [100, 100, 100, 100, 100]), null);
    assert.deepEqual(recordsDrop(49, [100, 100, 100, 100, 100]), { recordCount: 49, median: 100, baselineRuns: 5 });
  });
  test('fewer than 5 previous runs, or a median under 10, is too little to judge', () => {
    assert.equal(recordsDrop(0, [100, 100, 100, 100]), null);
    assert.equal(recordsDrop(0, [9, 9, 9, 9, 9, 9]), null);
  });
  test('only the 10 newest previous runs count (newest first), so an old larger feed does not set the usual', () => {
    const recent = Array.from({ length: 10 }, () => 30);
    assert.equal(recordsDrop(20, [...recent, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]), null);
    assert.deepEqual(recordsDrop(10, [...recent, 1000]), { recordCount: 10, median: 30, baselineRuns: 10 });
  });
  test('the median of an even count is the mean of the middle two; one outlier does not move it', () => {
    assert.equal(median([1, 3, 2, 4]), 2.5);
    assert.equal(median([100, 100, 100, 100, 2]), 100);
  });
});

describe('consecutive failures', () => {
  test('counts the failed runs in a row from the newest', () => {
    assert.equal(failureStreak(['failed', 'failed', 'completed', 'failed']), 2);
    assert.equal(failureStreak(['completed_with_errors', 'failed']), 0);
    assert.equal(failureStreak([]), 0);
  });
});

describe('which alerts a person wants', () => {
  test('kinds, integrations and the minimum severity of new groups', () => {
    assert.equal(wantsAlert(person, 'run_failed', 7), true);
    assert.equal(wantsAlert({ ...person, alerts: ['missed_run'] }, 'run_failed', 7), false);
    assert.equal(wantsAlert({ ...person, integration_ids: [8] }, 'run_failed', 7), false);
    assert.equal(wantsAlert({ ...person, integration_ids: [7] }, 'run_failed', 7), true);
    assert.equal(wantsAlert(person, 'new_group', 7, 'info'), false);
    assert.equal(wantsAlert(person, 'new_group', 7, 'error'), true);
    assert.equal(wantsAlert({ ...person, min_severity: 'info' }, 'new_group', 7, 'info'), true);
  });
});

describe('the repeat period, in the person’s zone', () => {
  test('a day is the local day: 23:30 UTC is already the next day in Copenhagen', () => {
    assert.equal(repeatPeriodKey('daily', 'Europe/Copenhagen', new Date('2026-11-30T22:59:00Z')), 'day:2026-11-30');
    assert.equal(repeatPeriodKey('daily', 'Europe/Copenhagen', new Date('2026-11-30T23:30:00Z')), 'day:2026-12-01');
    assert.equal(repeatPeriodKey('daily', 'UTC', new Date('2026-11-30T23:30:00Z')), 'day:2026-11-30');
  });
  test('an hour is the local hour; a week starts on the local Monday', () => {
    assert.equal(repeatPeriodKey('hourly', 'Asia/Kolkata', new Date('2026-11-30T10:20:00Z')), 'hour:2026-11-30T09:30:00.000Z');
    assert.equal(repeatPeriodKey('hourly', 'Asia/Kolkata', new Date('2026-11-30T10:40:00Z')), 'hour:2026-11-30T10:30:00.000Z');
    // Monday 30 Nov 2026 to Sunday 6 Dec.
    assert.equal(repeatPeriodKey('weekly', 'UTC', new Date('2026-12-06T23:00:00Z')), 'week:2026-11-30');
    assert.equal(repeatPeriodKey('weekly', 'UTC', new Date('2026-12-07T00:00:00Z')), 'week:2026-12-07');
  });
  test('times in subjects: the time alone today, with the date otherwise', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    assert.equal(shortTime(new Date('2026-11-30T01:00:00Z'), 'Europe/Copenhagen', now), '02:00');
    assert.equal(shortTime(new Date('2026-11-29T01:00:00Z'), 'Europe/Copenhagen', now), '29 Nov 02:00');
  });
});
