import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeExpected, type GapSchedule, MISSED_COUNT_CAP, missedBetween, withGaps } from './run-gaps.js';

const at = (iso: string) => new Date(iso);
const every15m: GapSchedule = { intervalSeconds: 900, cron: null, timeZone: 'UTC', graceSeconds: 600 };
const nightly: GapSchedule = { intervalSeconds: null, cron: '0 2 * * *', timeZone: 'Europe/Copenhagen', graceSeconds: 600 };

describe('missed slots of an interval schedule', () => {
  test('a run within interval plus grace of the last one misses nothing', () => {
    assert.equal(missedBetween(every15m, at('2026-11-21T10:00:00Z'), at('2026-11-21T10:15:30Z')), null);
    assert.equal(missedBetween(every15m, at('2026-11-21T10:00:00Z'), at('2026-11-21T10:25:00Z')), null, 'exactly at the end of grace is in time');
  });

  test('each slot whose grace passed before the next run is missed, counted from the last run', () => {
    assert.deepEqual(missedBetween(every15m, at('2026-11-21T10:00:00Z'), at('2026-11-21T10:25:01Z')), {
      count: 1,
      atLeast: false,
      firstSlot: at('2026-11-21T10:15:00Z'),
      lastSlot: at('2026-11-21T10:15:00Z'),
    });
    // 10:15, 10:30 and 10:45 missed; the run at 11:00 is the 11:00 one.
    assert.equal(missedBetween(every15m, at('2026-11-21T10:00:00Z'), at('2026-11-21T11:00:00Z'))?.count, 3);
    assert.deepEqual(missedBetween(every15m, at('2026-11-21T10:00:00Z'), at('2026-11-21T11:00:00Z'))?.lastSlot, at('2026-11-21T10:45:00Z'));
  });

  test('no grace: one second late is a missed slot', () => {
    const strict = { ...every15m, graceSeconds: 0 };
    assert.equal(missedBetween(strict, at('2026-11-21T10:00:00Z'), at('2026-11-21T10:15:00Z')), null);
    assert.equal(missedBetween(strict, at('2026-11-21T10:00:00Z'), at('2026-11-21T10:15:01Z'))?.count, 1);
  });
});

describe('missed slots of a cron schedule', () => {
  test('nightly runs at 02:00 Copenhagen time across both DST changes miss nothing', () => {
    // 02:00 CET is 01:00 UTC, 02:00 CEST is 00:00 UTC. On 29 March 2026 02:00 does not
    // exist and croner runs at 03:00 CEST (01:00 UTC); on 25 October it comes twice and runs once.
    const runs = [
      '2026-03-27T01:00:20Z',
      '2026-03-28T01:00:20Z',
      '2026-03-29T01:00:20Z',
      '2026-03-30T00:00:20Z',
      '2026-10-24T00:00:20Z',
      '2026-10-25T00:00:20Z',
      '2026-10-26T01:00:20Z',
    ].map(at);
    for (let i = 1; i < runs.length; i += 1) {
      if (i === 4) continue; // the summer between
      assert.equal(missedBetween(nightly, runs[i - 1]!, runs[i]!), null, `${runs[i - 1]!.toISOString()} -> ${runs[i]!.toISOString()}`);
    }
  });

  test('an interval schedule of 24h would have flagged the DST night the cron schedule keeps', () => {
    const daily = { ...every15m, intervalSeconds: 86_400 };
    assert.equal(missedBetween(daily, at('2026-03-29T01:00:20Z'), at('2026-03-30T00:00:20Z')), null, 'an hour early is no gap');
    assert.equal(missedBetween(nightly, at('2026-10-25T00:00:20Z'), at('2026-10-26T01:00:20Z')), null, 'an hour "late" by UTC is on time');
    assert.equal(missedBetween({ ...daily, graceSeconds: 60 }, at('2026-10-25T00:00:20Z'), at('2026-10-26T01:00:20Z'))?.count, 1);
  });

  test('a night without a run is one missed slot, on the right local date', () => {
    const missed = missedBetween(nightly, at('2026-03-28T01:00:20Z'), at('2026-03-30T00:00:20Z'));
    assert.deepEqual(missed, { count: 1, atLeast: false, firstSlot: at('2026-03-29T01:00:00Z'), lastSlot: at('2026-03-29T01:00:00Z') });
  });

  test('a run that starts a little early covers the slot it came before; a late one past grace does not', () => {
    assert.equal(missedBetween(nightly, at('2026-11-20T00:59:58Z'), at('2026-11-21T01:00:05Z')), null);
    assert.equal(missedBetween(nightly, at('2026-11-20T01:00:05Z'), at('2026-11-21T01:15:00Z'))?.count, 1, '15 minutes late is past the 10 minute grace');
  });

  test('a manual run between two slots neither covers nor spoils the next slot', () => {
    assert.equal(missedBetween(nightly, at('2026-11-20T14:00:00Z'), at('2026-11-21T01:00:05Z')), null);
    assert.equal(missedBetween(nightly, at('2026-11-20T14:00:00Z'), at('2026-11-22T01:00:05Z'))?.count, 1);
  });

  test('counting stops at the cap, saying "at least"', () => {
    const everyMinute: GapSchedule = { intervalSeconds: null, cron: '* * * * *', timeZone: 'UTC', graceSeconds: 0 };
    const missed = missedBetween(everyMinute, at('2026-11-01T00:00:00Z'), at('2026-11-21T00:00:00Z'));
    assert.deepEqual(missed && [missed.count, missed.atLeast], [MISSED_COUNT_CAP, true]);
  });
});

test('the expected schedule reads as a person would say it', () => {
  assert.equal(describeExpected(every15m), 'every 15m (grace 10m)');
  assert.equal(describeExpected(nightly), 'at 02:00 Europe/Copenhagen (grace 10m)');
  assert.equal(describeExpected({ ...nightly, cron: '30 6 * * 1-5', graceSeconds: 0 }), 'on cron "30 6 * * 1-5" Europe/Copenhagen');
});

describe('gap rows among a page of runs', () => {
  const run = (integrationId: number, iso: string) => ({ integrationId, startedAt: at(iso) });
  const schedules = new Map([
    [1, every15m],
    [2, nightly],
  ]);
  const kinds = (rows: ReturnType<typeof withGaps>['rows']) =>
    rows.map((row) =>
      row.kind === 'run'
        ? `run ${row.run.integrationId} ${row.run.startedAt.toISOString().slice(11, 16)}`
        : `gap ${row.gap.integrationId} ${row.gap.missed.count}`,
    );

  test("a gap row follows the run that ended it, per integration, across another integration's runs", () => {
    const runs = [run(1, '2026-11-21T11:00:00Z'), run(2, '2026-11-21T01:00:10Z'), run(1, '2026-11-21T00:30:00Z'), run(1, '2026-11-21T00:15:00Z')];
    const { rows, hiddenGaps } = withGaps({ runs, schedules, olderRun: new Map(), latestRun: new Map(), now: at('2026-11-21T11:05:00Z') });
    assert.deepEqual(kinds(rows), ['run 1 11:00', 'gap 1 41', 'run 2 01:00', 'run 1 00:30', 'run 1 00:15']);
    assert.equal(hiddenGaps, 0);
    const row = rows[1]!;
    const gap = row.kind === 'gap' ? row.gap : assert.fail('a gap');
    assert.deepEqual([gap.from, gap.to], [at('2026-11-21T00:30:00Z'), at('2026-11-21T11:00:00Z')]);
  });

  test('first page: the gap still open is at the top; last page: the oldest run has no gap before it', () => {
    const runs = [run(1, '2026-11-21T10:00:00Z'), run(1, '2026-11-21T09:45:00Z')];
    const first = withGaps({
      runs,
      schedules,
      olderRun: new Map([[1, null]]),
      latestRun: new Map([[1, at('2026-11-21T10:00:00Z')]]),
      now: at('2026-11-21T11:00:00Z'),
    });
    assert.deepEqual(kinds(first.rows), ['gap 1 3', 'run 1 10:00', 'run 1 09:45']);
    const top = first.rows[0]!;
    const open = top.kind === 'gap' ? top.gap : assert.fail('a gap');
    assert.equal(open.to, null);
    const inTime = withGaps({ runs, schedules, olderRun: new Map(), latestRun: new Map([[1, at('2026-11-21T10:00:00Z')]]), now: at('2026-11-21T10:20:00Z') });
    assert.deepEqual(kinds(inTime.rows), ['run 1 10:00', 'run 1 09:45']);
  });

  test('a page edge: the gap to the run on the next page is shown after the last run of this one', () => {
    const runs = [run(1, '2026-11-21T10:00:00Z')];
    const { rows } = withGaps({ runs, schedules, olderRun: new Map([[1, at('2026-11-21T08:00:00Z')]]), latestRun: new Map(), now: at('2026-11-21T10:01:00Z') });
    assert.deepEqual(kinds(rows), ['run 1 10:00', 'gap 1 7']);
  });

  test('gap rows are capped per page, the newest kept, the rest counted', () => {
    const runs = Array.from({ length: 30 }, (_, i) => run(1, new Date(Date.UTC(2026, 10, 21, 23) - i * 3_600_000).toISOString()));
    const { rows, hiddenGaps } = withGaps({ runs, schedules, olderRun: new Map(), latestRun: new Map(), now: at('2026-11-21T23:01:00Z'), maxGaps: 5 });
    assert.equal(rows.filter((row) => row.kind === 'gap').length, 5);
    assert.equal(rows.filter((row) => row.kind === 'run').length, 30);
    assert.equal(hiddenGaps, 24);
    assert.deepEqual(kinds(rows).slice(0, 3), ['run 1 23:00', 'gap 1 3', 'run 1 22:00']);
  });

  test('an integration without a schedule on record gets no gaps', () => {
    const runs = [run(3, '2026-11-21T10:00:00Z'), run(3, '2026-11-01T10:00:00Z')];
    assert.deepEqual(kinds(withGaps({ runs, schedules, olderRun: new Map(), latestRun: new Map(), now: at('2026-11-22T00:00:00Z') }).rows), [
      'run 3 10:00',
      'run 3 10:00',
    ]);
  });
});
