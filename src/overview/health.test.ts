import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GapSchedule } from '../runs/run-gaps.js';
import { frozenClock } from '../shared/clock.js';
import { describeHealth, type HealthInput, healthOf, isAboveNormal, type LastRun, nearTime } from './health.js';

const at = (iso: string) => new Date(iso);
const every15m: GapSchedule = { intervalSeconds: 900, cron: null, timeZone: 'UTC', graceSeconds: 600 };
const nightly: GapSchedule = { intervalSeconds: null, cron: '0 2 * * *', timeZone: 'Europe/Copenhagen', graceSeconds: 600 };

const run = (startedAt: string, overrides: Partial<LastRun> = {}): LastRun => ({
  startedAt: at(startedAt),
  status: 'completed',
  recordCount: 100,
  failedRecords: 0,
  runError: null,
  ...overrides,
});

/** The health at each moment the frozen clock is moved to. */
function healthAt(clock: ReturnType<typeof frozenClock>, input: Omit<HealthInput, 'now'>) {
  return healthOf({ ...input, now: clock.now() });
}

describe('an interval schedule (every 15 min, 10 min grace), counted from the last run', () => {
  const input = { schedule: every15m, lastRun: run('2026-11-29T10:00:00Z'), openMissedRun: null, normalFailedShare: 0 };

  test('healthy before the next slot, which is the last run plus the interval', () => {
    const clock = frozenClock('2026-11-29T10:14:00Z');
    const health = healthAt(clock, input);
    assert.equal(health.state, 'healthy');
    assert.deepEqual(health.nextExpectedAt, at('2026-11-29T10:15:00Z'));
    assert.equal(health.expected, 'every 15m (grace 10m)');
    assert.equal(describeHealth(health, clock.now(), 'UTC'), 'last run 10:00 today, next expected 10:15 today');
  });

  test('late once the slot passed, up to the end of its grace', () => {
    const clock = frozenClock('2026-11-29T10:15:01Z');
    assert.equal(healthAt(clock, input).state, 'late');
    clock.set('2026-11-29T10:25:00Z');
    const health = healthAt(clock, input);
    assert.equal(health.state, 'late', 'exactly at the end of grace is still in time');
    assert.deepEqual(health.nextExpectedAt, at('2026-11-29T10:15:00Z'), 'the awaited run is the 10:15 one');
    assert.equal(describeHealth(health, clock.now(), 'UTC'), 'run expected 10:15 today not in yet, 10 min grace until 10:25 today');
  });

  test('missed one second after the grace; the next expected run is the next slot still in grace', () => {
    const clock = frozenClock('2026-11-29T10:25:01Z');
    const health = healthAt(clock, input);
    assert.equal(health.state, 'missed');
    assert.deepEqual(health.nextExpectedAt, at('2026-11-29T10:30:00Z'));
    assert.equal(describeHealth(health, clock.now(), 'UTC'), 'no run since 10:00 today, expected 10:15 today + 10 min grace');
    clock.advance(60 * 60_000);
    const later = healthAt(clock, input);
    assert.equal(later.state, 'missed');
    assert.match(describeHealth(later, clock.now(), 'UTC'), /\(5 runs missed\)$/);
    assert.deepEqual(later.nextExpectedAt, at('2026-11-29T11:30:00Z'));
  });

  test('silent when no run ever came: nothing to count an interval from', () => {
    const health = healthOf({ ...input, lastRun: null, now: at('2026-11-29T10:00:00Z') });
    assert.equal(health.state, 'silent');
    assert.equal(health.nextExpectedAt, null);
    assert.equal(describeHealth(health, at('2026-11-29T10:00:00Z'), 'UTC'), 'no run received yet (every 15m (grace 10m))');
  });
});

describe('a cron schedule (02:00 Europe/Copenhagen, 10 min grace), fixed slots in its time zone', () => {
  const lastNight = run('2026-11-28T01:00:20Z'); // 02:00:20 CET
  const input = { schedule: nightly, lastRun: lastNight, openMissedRun: null, normalFailedShare: 0 };

  test('healthy during the day, the next slot tonight at 02:00 local time', () => {
    const clock = frozenClock('2026-11-28T15:00:00Z');
    const health = healthAt(clock, input);
    assert.equal(health.state, 'healthy');
    assert.deepEqual(health.nextExpectedAt, at('2026-11-29T01:00:00Z'));
    assert.equal(describeHealth(health, clock.now(), 'Europe/Copenhagen'), 'last run 02:00 today, next expected 02:00 tomorrow');
  });

  test("late at 02:05, missed at 02:10:01, with the reason worded in the reader's zone", () => {
    const clock = frozenClock('2026-11-29T01:05:00Z');
    assert.equal(healthAt(clock, input).state, 'late');
    clock.set('2026-11-29T01:10:01Z');
    const health = healthAt(clock, input);
    assert.equal(health.state, 'missed');
    assert.equal(describeHealth(health, clock.now(), 'Europe/Copenhagen'), 'no run since 02:00 yesterday, expected 02:00 today + 10 min grace');
    assert.deepEqual(health.nextExpectedAt, at('2026-11-30T01:00:00Z'), 'tomorrow night is awaited next');
    assert.equal(
      describeHealth(health, clock.now(), 'America/New_York'),
      'no run since 20:00 yesterday, expected 20:00 today + 10 min grace',
      'the same moments in New York',
    );
  });

  test('a run a little early covers the slot it came before', () => {
    const early = { ...input, lastRun: run('2026-11-29T00:58:00Z') };
    const health = healthOf({ ...early, now: at('2026-11-29T01:30:00Z') });
    assert.equal(health.state, 'healthy');
    assert.deepEqual(health.nextExpectedAt, at('2026-11-30T01:00:00Z'));
  });

  test('silent: the next slot is known without any run', () => {
    const health = healthOf({ ...input, lastRun: null, now: at('2026-11-28T15:00:00Z') });
    assert.equal(health.state, 'silent');
    assert.deepEqual(health.nextExpectedAt, at('2026-11-29T01:00:00Z'));
  });

  test('across the spring DST change: 02:00 does not exist, the 03:00 CEST run (01:00 UTC) is awaited', () => {
    const spring = { ...input, lastRun: run('2026-03-28T01:00:20Z') };
    const clock = frozenClock('2026-03-29T00:30:00Z');
    let health = healthAt(clock, spring);
    assert.equal(health.state, 'healthy');
    assert.deepEqual(health.nextExpectedAt, at('2026-03-29T01:00:00Z'));
    clock.set('2026-03-29T01:05:00Z');
    assert.equal(healthAt(clock, spring).state, 'late');
    clock.set('2026-03-29T01:10:01Z');
    health = healthAt(clock, spring);
    assert.equal(health.state, 'missed');
    // Next night is summer time: 02:00 CEST is 00:00 UTC.
    assert.deepEqual(health.nextExpectedAt, at('2026-03-30T00:00:00Z'));
  });

  test('across the autumn DST change: the day is 25 hours long and the 02:00 CET run is not late', () => {
    const autumn = { ...input, lastRun: run('2026-10-25T00:00:20Z') }; // 02:00 CEST
    const clock = frozenClock('2026-10-26T00:30:00Z'); // 24 h 30 min later: an interval of 24 h would be missed
    const health = healthAt(clock, autumn);
    assert.equal(health.state, 'healthy');
    assert.deepEqual(health.nextExpectedAt, at('2026-10-26T01:00:00Z'));
    assert.equal(describeHealth(health, clock.now(), 'Europe/Copenhagen'), 'last run 02:00 yesterday, next expected 02:00 today');
  });
});

describe('failing', () => {
  const base = { schedule: every15m, openMissedRun: null, normalFailedShare: 0.02, now: at('2026-11-29T10:05:00Z') };

  test('the last run failed', () => {
    const health = healthOf({ ...base, lastRun: run('2026-11-29T10:00:00Z', { status: 'failed', runError: 'HTTP 503 from Planday' }) });
    assert.equal(health.state, 'failing');
    assert.equal(describeHealth(health, base.now, 'UTC'), 'last run (10:00 today) failed: HTTP 503 from Planday');
  });

  test('the failed-record share rose above the normal: twice it, 5 points over it, and at least 5 records', () => {
    const failing = healthOf({ ...base, lastRun: run('2026-11-29T10:00:00Z', { failedRecords: 10 }) });
    assert.equal(failing.state, 'failing');
    assert.equal(describeHealth(failing, base.now, 'UTC'), 'last run (10:00 today) failed 10 of 100 records (10%), usually 2.0%');
    assert.equal(healthOf({ ...base, lastRun: run('2026-11-29T10:00:00Z', { failedRecords: 6 }) }).state, 'healthy', '6% is within 5 points of 2%');
  });

  test('a tiny integration does not flap: 3 of 4 records failed is below the floor of 5', () => {
    const tiny = run('2026-11-29T10:00:00Z', { recordCount: 4, failedRecords: 3 });
    assert.equal(healthOf({ ...base, lastRun: tiny, normalFailedShare: 0 }).state, 'healthy');
  });

  test('an integration that always fails a third of its records is at its normal', () => {
    assert.equal(isAboveNormal(run('2026-11-29T10:00:00Z', { failedRecords: 40 }), 0.33), false);
    assert.equal(isAboveNormal(run('2026-11-29T10:00:00Z', { failedRecords: 70 }), 0.33), true);
  });

  test('without history the normal is 0', () => {
    const health = healthOf({ ...base, normalFailedShare: null, lastRun: run('2026-11-29T10:00:00Z', { failedRecords: 30 }) });
    assert.equal(health.state, 'failing');
    assert.match(describeHealth(health, base.now, 'UTC'), /usually no history$/);
  });
});

describe('which state wins', () => {
  const failedRun = run('2026-11-29T10:00:00Z', { status: 'failed' });

  test('missed beats failing', () => {
    const health = healthOf({ schedule: every15m, lastRun: failedRun, openMissedRun: null, normalFailedShare: 0, now: at('2026-11-29T10:40:00Z') });
    assert.equal(health.state, 'missed');
  });

  test('failing beats late', () => {
    const health = healthOf({ schedule: every15m, lastRun: failedRun, openMissedRun: null, normalFailedShare: 0, now: at('2026-11-29T10:20:00Z') });
    assert.equal(health.state, 'failing');
  });

  test('an open missed_run event of the scheduler counts while no newer run ended it; an older one is stale', () => {
    const lastRun = run('2026-11-29T10:00:00Z');
    const now = at('2026-11-29T10:05:00Z');
    const open = { dueAt: at('2026-11-29T09:45:00Z'), lastDueAt: at('2026-11-29T09:45:00Z'), missedSlots: 1 };
    assert.equal(healthOf({ schedule: every15m, lastRun, openMissedRun: open, normalFailedShare: 0, now }).state, 'healthy', 'the 10:00 run ended that gap');
    // The schedule changed, or the scheduler saw what this computation no longer sees: the stored gap still shows.
    const newer = { dueAt: at('2026-11-29T10:01:00Z'), lastDueAt: at('2026-11-29T10:03:00Z'), missedSlots: 3 };
    const health = healthOf({ schedule: every15m, lastRun, openMissedRun: newer, normalFailedShare: 0, now });
    assert.equal(health.state, 'missed');
    assert.equal(describeHealth(health, now, 'UTC'), 'missed the run expected 10:01 today and 2 more (recorded by the scheduler)');
  });
});

test('nearTime words a moment by its calendar day in the zone', () => {
  const now = at('2026-11-29T23:30:00Z');
  assert.equal(nearTime(at('2026-11-29T23:10:00Z'), now, 'UTC'), '23:10 today');
  assert.equal(nearTime(at('2026-11-29T23:10:00Z'), now, 'Europe/Copenhagen'), '00:10 today', 'already the 30th in Copenhagen');
  assert.equal(nearTime(at('2026-11-29T22:10:00Z'), now, 'Europe/Copenhagen'), '23:10 yesterday');
  assert.equal(nearTime(at('2026-12-01T01:00:00Z'), now, 'UTC'), '01:00 Tue 1 Dec');
});
