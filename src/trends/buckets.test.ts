import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketLabel, localMidnight, MAX_BUCKETS, planBuckets, sizeFor } from './buckets.js';
import { expectedRuns, missedRuns } from './cadence.js';
import { planOf } from './trends.read.js';

const hours = (b: { start: Date; end: Date }) => (b.end.getTime() - b.start.getTime()) / 3_600_000;
const now = new Date('2026-11-29T12:30:00Z');

describe('the buckets of a range', () => {
  test('presets: 24 hourly, 28 of 6 hours, 30 days; the last holds now; contiguous', () => {
    for (const [range, count, size] of [
      ['24h', 24, '1h'],
      ['7d', 28, '6h'],
      ['30d', 30, '1d'],
    ] as const) {
      const plan = planBuckets(range, 'UTC', now);
      assert.equal(plan.buckets.length, count, range);
      assert.equal(plan.size, size);
      const last = plan.buckets.at(-1)!;
      assert.ok(last.start <= now && now < last.end, `${range}: the last bucket holds now`);
      for (const [i, b] of plan.buckets.entries()) if (i > 0) assert.equal(b.start.getTime(), plan.buckets[i - 1]!.end.getTime());
      assert.equal(plan.from.getTime(), plan.buckets[0]!.start.getTime());
      assert.equal(plan.to.getTime(), last.end.getTime());
    }
  });

  test("days start at the reader's midnight: 23:00 UTC in Copenhagen's winter, 18:30 in Kolkata taken from the hour it starts in", () => {
    const copenhagen = planBuckets('30d', 'Europe/Copenhagen', now);
    assert.equal(copenhagen.to.toISOString(), '2026-11-29T23:00:00.000Z');
    assert.ok(copenhagen.buckets.every((b) => b.start.getUTCHours() === 23 && hours(b) === 24));
    // Kolkata is 5:30 ahead: the UTC hour 18:00-19:00 is 23:30-00:30 local and belongs to the day it starts in.
    const kolkata = planBuckets('30d', 'Asia/Kolkata', now);
    assert.ok(kolkata.buckets.every((b) => b.start.getUTCHours() === 19 && hours(b) === 24));
    assert.equal(bucketLabel(kolkata.buckets.at(-1)!, kolkata), 'Sun 29 Nov', '12:30 UTC is 18:00 on the 29th in Kolkata');
  });

  test('a day is 23 or 25 hours across a daylight-saving change', () => {
    const spring = planBuckets('custom', 'Europe/Copenhagen', now, {
      from: localMidnight('2026-03-27', 'Europe/Copenhagen'),
      to: localMidnight('2026-04-03', 'Europe/Copenhagen'),
    });
    assert.equal(spring.size, '3h');
    const month = planBuckets('custom', 'Europe/Copenhagen', now, {
      from: localMidnight('2026-03-01', 'Europe/Copenhagen'),
      to: localMidnight('2026-04-15', 'Europe/Copenhagen'),
    });
    assert.equal(month.size, '1d');
    const day = (iso: string) => month.buckets.find((b) => b.start.toISOString() === iso);
    assert.equal(hours(day('2026-03-28T23:00:00.000Z')!), 23, 'the spring day');
    const autumn = planBuckets('custom', 'America/New_York', now, { from: new Date('2026-10-20T04:00:00Z'), to: new Date('2026-11-20T05:00:00Z') });
    assert.equal(hours(autumn.buckets.find((b) => b.start.toISOString() === '2026-11-01T04:00:00.000Z')!), 25, 'the autumn day');
  });

  test('a custom range takes the smallest size that gives at most 60 buckets, from its hour down to its hour up', () => {
    assert.equal(sizeFor(60 * 3_600_000).name, '1h');
    assert.equal(sizeFor(61 * 3_600_000).name, '3h');
    assert.equal(sizeFor(400 * 86_400_000).name, '7d');
    const plan = planBuckets('custom', 'UTC', now, { from: new Date('2026-11-01T10:20:00Z'), to: new Date('2026-11-20T07:05:00Z') });
    assert.equal(plan.from.toISOString(), '2026-11-01T10:00:00.000Z');
    assert.equal(plan.to.toISOString(), '2026-11-20T08:00:00.000Z');
    assert.ok(plan.buckets.length <= MAX_BUCKETS);
    assert.equal(hours(plan.buckets[0]!), 2, 'the first bucket is cut at the range start');
  });
});

describe('the cadence figures', () => {
  const plan = planBuckets('24h', 'UTC', now);
  test('an interval schedule expects its rate, from its start and up to now; a cron schedule its slots in its zone', () => {
    const expected = expectedRuns(
      [
        { intervalSeconds: 900, cron: null, timeZone: 'UTC', since: new Date('2026-11-29T00:30:00Z') },
        { intervalSeconds: null, cron: '0 2 * * *', timeZone: 'Europe/Copenhagen', since: new Date('2026-01-01') },
      ],
      plan.buckets,
      now,
    );
    const at = (iso: string) => expected[plan.buckets.findIndex((b) => b.start.toISOString() === iso)];
    assert.equal(at('2026-11-28T23:00:00.000Z'), 0, 'before the integration existed');
    assert.equal(at('2026-11-29T00:00:00.000Z'), 2, 'half an hour of 15 minutes');
    assert.equal(at('2026-11-29T01:00:00.000Z'), 4 + 1, 'and the nightly 02:00 in Copenhagen, 01:00 UTC');
    assert.equal(at('2026-11-29T12:00:00.000Z'), 2, 'up to now (12:30)');
  });

  test("a gap's missed slots land in the buckets they were due in", () => {
    const missed = missedRuns(
      [
        {
          schedule: { intervalSeconds: 900, cron: null, timeZone: 'UTC' },
          dueAt: new Date('2026-11-29T10:15:00Z'),
          lastDueAt: new Date('2026-11-29T11:00:00Z'),
          missedSlots: 4,
        },
        {
          schedule: { intervalSeconds: null, cron: '0 2 * * *', timeZone: 'Europe/Copenhagen' },
          dueAt: new Date('2026-11-28T01:00:00Z'),
          lastDueAt: new Date('2026-11-29T01:00:00Z'),
          missedSlots: 2,
        },
      ],
      plan.buckets,
    );
    const at = (iso: string) => missed[plan.buckets.findIndex((b) => b.start.toISOString() === iso)];
    assert.deepEqual([at('2026-11-29T10:00:00.000Z'), at('2026-11-29T11:00:00.000Z'), at('2026-11-29T01:00:00.000Z')], [3, 1, 1]);
    assert.equal(
      missed.reduce((a, b) => a + b, 0),
      5,
      'the slot of the 28th is before the range',
    );
  });
});

describe('a custom range of days', () => {
  test('from one day to the same day is that whole local day, in zones far from UTC too', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const cases: [string, string, string][] = [
      ['Europe/Copenhagen', '2026-03-09T23:00:00.000Z', '2026-03-10T23:00:00.000Z'],
      ['Pacific/Kiritimati', '2026-03-09T10:00:00.000Z', '2026-03-10T10:00:00.000Z'],
      ['Etc/GMT+12', '2026-03-10T12:00:00.000Z', '2026-03-11T12:00:00.000Z'],
    ];
    for (const [zone, from, to] of cases) {
      const plan = planOf({ range: 'custom', from: '2026-03-10', to: '2026-03-10' }, zone, now);
      assert.deepEqual([plan.from.toISOString(), plan.to.toISOString()], [from, to], zone);
    }
  });
});
