/**
 * Dates as a person types them in an `<input type="date">` (YYYY-MM-DD), read
 * in their own time zone: a filter "from 21 Nov to 21 Nov" means that whole
 * day where they are.
 */

import { zonedFormat } from './time-format.js';

/** Date.UTC without its two-digit-year quirk (year 50 is not 1950). */
export function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at` (taken to its whole second), in milliseconds. */
export function offsetAt(at: number, timeZone: string): number {
  const format = zonedFormat(
    timeZone,
    {
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    },
    'en-US',
  );
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((part) => [part.type, part.value]));
  const wall = utc(Number(parts.year), Number(parts.month), Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The moment a day (YYYY-MM-DD) begins in `timeZone` (DST-safe: the offset is read at that moment). */
export function startOfDay(day: string, timeZone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  const guess = midnightUtc - offsetAt(midnightUtc, timeZone);
  return new Date(midnightUtc - offsetAt(guess, timeZone));
}

/** The date after `day` (YYYY-MM-DD), whatever the time zone: calendar arithmetic on the date itself. */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The moment the day after `day` begins: the end of `day`, exclusive. */
export function endOfDay(day: string, timeZone: string): Date {
  return startOfDay(nextDay(day), timeZone);
}

/** The date (YYYY-MM-DD) of a moment in `timeZone`, as a date input shows it. */
export function dayOf(at: Date, timeZone: string): string {
  return new Date(at.getTime() + offsetAt(at.getTime(), timeZone)).toISOString().slice(0, 10);
}
