/**
 * The time buckets of the trends charts. Pure: the caller passes `now` and the
 * reader's time zone. The rollups hold UTC hours, so a bucket is a run of
 * whole UTC hours: each hour belongs to the bucket its local wall-clock time
 * falls in (a day is the reader's local day, 23 or 25 hours across a
 * daylight-saving change; in a zone with a half-hour offset an hour belongs to
 * the local hour it starts in).
 */

import { offsetAt, utc } from '../shared/day-range.js';
import { zonedFormat } from '../shared/time-format.js';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const RANGES = ['24h', '7d', '30d', 'custom'] as const;
export type RangeName = (typeof RANGES)[number];

/** Bucket sizes, smallest first: a custom range takes the first that gives at most MAX_BUCKETS buckets. */
export const BUCKET_SIZES = [
  { name: '1h', hours: 1 },
  { name: '3h', hours: 3 },
  { name: '6h', hours: 6 },
  { name: '12h', hours: 12 },
  { name: '1d', hours: 24 },
  { name: '7d', hours: 168 },
] as const;
export type BucketSize = (typeof BUCKET_SIZES)[number];
export type BucketSizeName = BucketSize['name'];

const sizeNamed = (name: BucketSizeName): BucketSize => BUCKET_SIZES.find((size) => size.name === name)!;

/** The preset ranges: how many buckets of which size, the last one holding now. */
export const PRESETS: Readonly<Record<Exclude<RangeName, 'custom'>, { size: BucketSizeName; count: number }>> = {
  '24h': { size: '1h', count: 24 },
  '7d': { size: '6h', count: 28 },
  '30d': { size: '1d', count: 30 },
};

/** A custom range is cut into at most this many buckets (a chart stays legible). */
export const MAX_BUCKETS = 60;
/** The longest custom range: 400 days. */
export const MAX_RANGE_MS = 400 * DAY_MS;

export interface Bucket {
  start: Date;
  end: Date;
}

export interface BucketPlan {
  range: RangeName;
  size: BucketSizeName;
  timeZone: string;
  from: Date;
  to: Date;
  buckets: Bucket[];
}

const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
const ceilHour = (ms: number) => Math.ceil(ms / HOUR_MS) * HOUR_MS;

// Per zone and UTC day: the zone's offset when the same all day, NaN when it changes that day (then each hour asks Intl).
const dayOffsets = new Map<string, number>();
const DAY_OFFSETS_KEPT = 100_000;

/** The zone's wall-clock time at the hour `hour`, as milliseconds read with the UTC getters. */
function wallClock(hour: number, timeZone: string): number {
  const day = Math.floor(hour / DAY_MS) * DAY_MS;
  const key = `${timeZone}|${day}`;
  let offset = dayOffsets.get(key);
  if (offset === undefined) {
    const first = offsetAt(day, timeZone);
    offset = first === offsetAt(day + DAY_MS - HOUR_MS, timeZone) ? first : Number.NaN;
    if (dayOffsets.size >= DAY_OFFSETS_KEPT) dayOffsets.clear();
    dayOffsets.set(key, offset);
  }
  return hour + (Number.isNaN(offset) ? offsetAt(hour, timeZone) : offset);
}

/** The bucket an hour (a UTC hour start) belongs to, as a key that changes exactly at bucket boundaries. */
export function bucketKey(hour: number, size: BucketSize, timeZone: string): string {
  const local = new Date(wallClock(hour, timeZone));
  const localDay = utc(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
  // Weeks start on Monday (getUTCDay: 0 is Sunday).
  if (size.hours === 168) return String(localDay - ((local.getUTCDay() + 6) % 7) * DAY_MS);
  if (size.hours === 24) return String(localDay);
  return `${localDay}/${Math.floor(local.getUTCHours() / size.hours)}`;
}

/** The start of the bucket that holds `at`: walking back hour by hour while the key stays the same. */
function bucketStart(at: number, size: BucketSize, timeZone: string): number {
  let start = floorHour(at);
  const key = bucketKey(start, size, timeZone);
  while (bucketKey(start - HOUR_MS, size, timeZone) === key) start -= HOUR_MS;
  return start;
}

/** The end of the bucket that holds `at` (the start of the next one). */
function bucketEnd(at: number, size: BucketSize, timeZone: string): number {
  let end = floorHour(at) + HOUR_MS;
  const key = bucketKey(floorHour(at), size, timeZone);
  while (bucketKey(end, size, timeZone) === key) end += HOUR_MS;
  return end;
}

/** Cuts [from, to) (whole hours) into the buckets of `size`; the first and last may be partial. */
export function cut(from: number, to: number, size: BucketSize, timeZone: string): Bucket[] {
  const buckets: Bucket[] = [];
  let start = from;
  let key = bucketKey(from, size, timeZone);
  for (let hour = from + HOUR_MS; hour < to; hour += HOUR_MS) {
    const next = bucketKey(hour, size, timeZone);
    if (next === key) continue;
    buckets.push({ start: new Date(start), end: new Date(hour) });
    start = hour;
    key = next;
  }
  if (start < to) buckets.push({ start: new Date(start), end: new Date(to) });
  return buckets;
}

/** The smallest bucket size that cuts a span of `ms` into at most MAX_BUCKETS buckets. */
export function sizeFor(ms: number): BucketSize {
  return BUCKET_SIZES.find((size) => ms / (size.hours * HOUR_MS) <= MAX_BUCKETS) ?? BUCKET_SIZES[BUCKET_SIZES.length - 1]!;
}

/**
 * The buckets of a range. A preset ends with the bucket that holds `now` and
 * reaches back its count of buckets; a custom range runs from `from` (down to
 * its hour) to `to` (up to its hour), in buckets sized to its length.
 */
export function planBuckets(range: RangeName, timeZone: string, now: Date, custom?: { from: Date; to: Date }): BucketPlan {
  if (range === 'custom') {
    if (!custom) throw new Error('a custom range needs from and to');
    const from = floorHour(custom.from.getTime());
    const to = Math.max(ceilHour(custom.to.getTime()), from + HOUR_MS);
    const size = sizeFor(to - from);
    return { range, size: size.name, timeZone, from: new Date(from), to: new Date(to), buckets: cut(from, to, size, timeZone) };
  }
  const preset = PRESETS[range];
  const size = sizeNamed(preset.size);
  const to = bucketEnd(now.getTime(), size, timeZone);
  let from = bucketStart(now.getTime(), size, timeZone);
  for (let i = 1; i < preset.count; i += 1) from = bucketStart(from - HOUR_MS, size, timeZone);
  return { range, size: size.name, timeZone, from: new Date(from), to: new Date(to), buckets: cut(from, to, size, timeZone) };
}

/** Midnight starting the local day `date` (YYYY-MM-DD) in `timeZone`, as the first UTC hour whose local date it is. */
export function localMidnight(date: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = utc(year, month, day);
  const day1 = sizeNamed('1d');
  // Local midnight is within 14 hours of UTC midnight: find the first hour of that local day.
  for (let hour = target - 15 * HOUR_MS; hour <= target + 15 * HOUR_MS; hour += HOUR_MS) {
    if (bucketKey(hour, day1, timeZone) === String(target)) return new Date(hour);
  }
  return new Date(target);
}

function labelFormat(timeZone: string, size: BucketSizeName, withDate: boolean): Intl.DateTimeFormat {
  const day = { weekday: 'short', day: 'numeric', month: 'short' } as const;
  const time = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
  return zonedFormat(timeZone, size === '1d' || size === '7d' ? { ...day } : withDate ? { ...day, ...time } : { ...time });
}

/** A bucket's label in the reader's zone: "14:00" within a day, "Mon 3 Nov 12:00" across days, "Mon 3 Nov" for days and weeks. */
export function bucketLabel(bucket: Bucket, plan: Pick<BucketPlan, 'size' | 'timeZone' | 'range'>): string {
  const withDate = plan.range !== '24h';
  const label = labelFormat(plan.timeZone, plan.size, withDate).format(bucket.start);
  return plan.size === '7d' ? `week of ${label}` : label;
}
