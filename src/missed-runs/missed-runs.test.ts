import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GapSchedule } from '../runs/run-gaps.js';
import { checkIntegration } from './missed-runs.js';

const at = (iso: string) => new Date(iso);
const every15m: GapSchedule = { intervalSeconds: 900, cron: null, timeZone: 'UTC', graceSeconds: 600 };
const nightly: GapSchedule = { intervalSeconds: null, cron: '0 2 * * *', timeZone: 'Europe/Copenhagen', graceSeconds: 1800 };
const HOUR = 3_600_000;
const runs = (...starts: string[]) => starts.map((start, i) => ({ id: i + 1, startedAt: at(start) }));

describe('checkIntegration', () => {
  test('no run ever: silent, no gap, looked at again after the longest wait', () => {
    const result = checkIntegration({ schedule: every15m, checkpoint: null, runs: [], complete: true, now: at('2026-11-21T10:00:00Z'), maxWaitMs: HOUR });
    assert.deepEqual(result.gaps, []);
    assert.equal(result.examined, null);
    assert.deepEqual(result.nextCheckAt, at('2026-11-21T11:00:00Z'));
  });

  test('in time: no gap, next check just after the next slot passes its grace', () => {
    const result = checkIntegration({
      schedule: every15m,
      checkpoint: null,
      runs: runs('2026-11-21T10:00:00Z'),
      complete: true,
      now: at('2026-11-21T10:20:00Z'),
      maxWaitMs: HOUR,
    });
    assert.deepEqual(result.gaps, []);
    assert.deepEqual(result.checkpoint, at('2026-11-21T10:00:00Z'));
    assert.deepEqual(result.nextCheckAt, at('2026-11-21T10:25:01Z'));
  });

  test('past gaps between runs are closed by the run after them, the open one lasts until now', () => {
    const result = checkIntegration({
      schedule: every15m,
      checkpoint: null,
      runs: runs('2026-11-21T08:00:00Z', '2026-11-21T09:00:00Z', '2026-11-21T09:15:00Z'),
      complete: true,
      now: at('2026-11-21T10:00:00Z'),
      maxWaitMs: HOUR,
    });
    assert.deepEqual(result.gaps, [
      {
        dueAt: at('2026-11-21T08:15:00Z'),
        lastDueAt: at('2026-11-21T08:45:00Z'),
        missedSlots: 3,
        resolvedAt: at('2026-11-21T09:00:00Z'),
        resolvedBySyncRunId: 2,
      },
      { dueAt: at('2026-11-21T09:30:00Z'), lastDueAt: at('2026-11-21T09:45:00Z'), missedSlots: 2, resolvedAt: null, resolvedBySyncRunId: null },
    ]);
    assert.deepEqual(result.examined, { after: null, before: null });
    assert.equal(result.expected, 'every 15m (grace 10m)');
    // 10:00's slot passes its grace at 10:10.
    assert.deepEqual(result.nextCheckAt, at('2026-11-21T10:10:01Z'));
  });

  test('a read cut at its limit examines what it read and goes on at once, with no open gap yet', () => {
    const result = checkIntegration({
      schedule: every15m,
      checkpoint: at('2026-11-21T08:00:00Z'),
      runs: runs('2026-11-21T08:00:00Z', '2026-11-21T09:00:00Z'),
      complete: false,
      now: at('2026-11-22T00:00:00Z'),
      maxWaitMs: HOUR,
    });
    assert.equal(result.gaps.length, 1);
    assert.deepEqual(result.examined, { after: at('2026-11-21T08:00:00Z'), before: at('2026-11-21T09:00:00Z') });
    assert.deepEqual(result.checkpoint, at('2026-11-21T09:00:00Z'));
    assert.deepEqual(result.nextCheckAt, at('2026-11-22T00:00:00Z'));
  });

  test('nightly 02:00 in Copenhagen across the spring change: the night of the change is due at 03:00 CEST', () => {
    const result = checkIntegration({
      schedule: nightly,
      checkpoint: null,
      // 02:00 CET on the 27th, then nothing until 02:00 CEST on the 31st.
      runs: runs('2026-03-27T01:00:00Z', '2026-03-31T00:00:00Z'),
      complete: true,
      now: at('2026-03-31T06:00:00Z'),
      maxWaitMs: 24 * HOUR,
    });
    assert.deepEqual(result.gaps, [
      {
        dueAt: at('2026-03-28T01:00:00Z'),
        lastDueAt: at('2026-03-30T00:00:00Z'),
        missedSlots: 3,
        resolvedAt: at('2026-03-31T00:00:00Z'),
        resolvedBySyncRunId: 2,
      },
    ]);
    assert.equal(result.expected, 'at 02:00 Europe/Copenhagen (grace 30m)');
    // 02:00 CEST on April 1st, plus grace.
    assert.deepEqual(result.nextCheckAt, at('2026-04-01T00:30:01Z'));
  });

  test('nightly 02:00 in Copenhagen across the autumn change: 02:00 comes twice, the slot once', () => {
    const result = checkIntegration({
      schedule: nightly,
      checkpoint: null,
      runs: runs('2026-10-24T00:00:00Z'),
      complete: true,
      now: at('2026-10-27T12:00:00Z'),
      maxWaitMs: 24 * HOUR,
    });
    // The 25th (first 02:00, CEST), the 26th and 27th (02:00 CET).
    assert.deepEqual(result.gaps, [
      { dueAt: at('2026-10-25T00:00:00Z'), lastDueAt: at('2026-10-27T01:00:00Z'), missedSlots: 3, resolvedAt: null, resolvedBySyncRunId: null },
    ]);
    assert.deepEqual(result.nextCheckAt, at('2026-10-28T01:30:01Z'));
  });

  test('a cron run a little early covers its slot', () => {
    const result = checkIntegration({
      schedule: nightly,
      checkpoint: null,
      runs: runs('2026-11-20T01:00:00Z', '2026-11-21T00:55:00Z'),
      complete: true,
      now: at('2026-11-21T06:00:00Z'),
      maxWaitMs: 24 * HOUR,
    });
    assert.deepEqual(result.gaps, []);
    // The early run covered the 21st's 02:00: the next slot is the 22nd's.
    assert.deepEqual(result.nextCheckAt, at('2026-11-22T01:30:01Z'));
  });

  test('a gap counted to the cap is looked at again after the longest wait, not at once', () => {
    const result = checkIntegration({
      schedule: { ...nightly, cron: '* * * * *' },
      checkpoint: null,
      runs: runs('2026-11-01T00:00:00Z'),
      complete: true,
      now: at('2026-11-21T00:00:00Z'),
      maxWaitMs: HOUR,
    });
    assert.equal(result.gaps[0]!.missedSlots, 1000);
    assert.deepEqual(result.nextCheckAt, at('2026-11-21T01:00:00Z'));
  });
});
