/**
 * The periods summaries cover, in the reader's own time zone: hourly (on the hour of their
 * wall clock, so a half-hour zone gets its summary at :00 local), daily at a local time, or
 * weekly on a day at a local time. A period ends at its send time and starts at the one
 * before, so across a change to or from summer time a daily period is 23 or 25 hours long
 * and still covers every run once. Its key names it for the exactly-once delivery claim.
 * Pure: the caller passes the time.
 */
import { dayOf, offsetAt } from '../shared/day-range.js';

export type Frequency = { kind: 'hourly' } | { kind: 'daily'; at: string } | { kind: 'weekly'; weekday: Weekday; at: string };

/** ISO weekday: 1 is Monday, 7 is Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface SummaryPeriod {
  /** Unique per recipient and period: `daily:2026-11-30`, `weekly:2026-11-30`, `hourly:2026-11-30T07:00:00.000Z`. */
  key: string;
  start: Date;
  end: Date;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The moment a wall-clock time (`HH:MM` on day YYYY-MM-DD) happens in `timeZone`. A time
 * that the change to summer time skips is taken an hour later; one that the change back
 * repeats, at its first occurrence.
 */
export function wallClockMoment(day: string, at: string, timeZone: string): Date {
  const wall = Date.parse(`${day}T${at}:00Z`);
  // The zone's offsets half a day before and after: the same unless the clocks change that day.
  const offsets = [offsetAt(wall - DAY / 2, timeZone), offsetAt(wall + DAY / 2, timeZone)];
  // The moments whose wall clock reads this time: none in the gap, two in the repeated hour.
  const moments = offsets.map((offset) => wall - offset).filter((moment) => moment + offsetAt(moment, timeZone) === wall);
  return new Date(moments.length > 0 ? Math.min(...moments) : wall - Math.min(...offsets));
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

function weekdayOf(day: string): Weekday {
  return (((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1) as Weekday;
}

/** The latest period whose send time has come at `now` (its end at or before `now`). */
export function latestPeriod(frequency: Frequency, timeZone: string, now: Date): SummaryPeriod {
  if (frequency.kind === 'hourly') {
    const offset = offsetAt(now.getTime(), timeZone);
    const end = new Date(Math.floor((now.getTime() + offset) / HOUR) * HOUR - offset);
    return { key: `hourly:${end.toISOString()}`, start: new Date(end.getTime() - HOUR), end };
  }
  const step = frequency.kind === 'daily' ? 1 : 7;
  let day = dayOf(now, timeZone);
  if (frequency.kind === 'weekly') day = addDays(day, -((weekdayOf(day) - frequency.weekday + 7) % 7));
  if (wallClockMoment(day, frequency.at, timeZone) > now) day = addDays(day, -step);
  return {
    key: `${frequency.kind}:${day}`,
    start: wallClockMoment(addDays(day, -step), frequency.at, timeZone),
    end: wallClockMoment(day, frequency.at, timeZone),
  };
}
