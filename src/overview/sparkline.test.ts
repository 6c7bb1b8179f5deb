import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPARK_BUCKETS, SPARK_HEIGHT, sparklineOf, sparkWindowStart } from './sparkline.js';

const now = new Date('2026-11-29T21:40:00Z');

test('the window is the 7 days that end with the current hour', () => {
  assert.deepEqual(sparkWindowStart(now), new Date('2026-11-22T22:00:00Z'));
});

test('hours fall into bars of 6 hours; older and newer hours are left out; the tallest bar fills the height', () => {
  const spark = sparklineOf(
    [
      { hour: new Date('2026-11-22T21:00:00Z'), errors: 500 }, // before the window
      { hour: new Date('2026-11-22T22:00:00Z'), errors: 3 },
      { hour: new Date('2026-11-23T03:00:00Z'), errors: 1 }, // same bar as 22:00
      { hour: new Date('2026-11-29T21:00:00Z'), errors: 40 }, // the current hour: the last bar
      { hour: new Date('2026-11-29T22:00:00Z'), errors: 7 }, // the future (a clock ahead): out
    ],
    now,
  );
  assert.equal(spark.total, 44);
  assert.equal(spark.peak, 40);
  assert.deepEqual(
    spark.bars.map((bar) => [bar.x, bar.errors, bar.height]),
    [
      [0, 4, 2],
      [(SPARK_BUCKETS - 1) * 3, 40, SPARK_HEIGHT - 1],
    ],
  );
  assert.equal(spark.label, '44 errors in 7 days, at most 40 in 6 hours');
  for (const bar of spark.bars) assert.equal(bar.y + bar.height, SPARK_HEIGHT - 1, 'bars stand on the baseline');
});

test('no errors: no bars and a label that says so', () => {
  const spark = sparklineOf([], now);
  assert.deepEqual(spark.bars, []);
  assert.equal(spark.label, 'No errors in 7 days');
});
