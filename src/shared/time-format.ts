/**
 * How pages show a moment: relative to now ("12 min ago"), with the exact time
 * in the reader's time zone on hover. Pure functions, so views and tests agree.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * One formatter per locale, zone and options, made once: building an
 * Intl.DateTimeFormat costs far more than formatting with it, and pages and
 * emails format thousands of moments in the same few zones.
 */
export function zonedFormat(timeZone: string, options: Intl.DateTimeFormatOptions, locale = 'en-GB'): Intl.DateTimeFormat {
  const key = `${locale}\n${timeZone}\n${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formats.set(key, format);
  }
  return format;
}

/** Whether `name` is an IANA time zone this Node.js knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Every time zone a person may choose, UTC first. */
export function timeZoneChoices(): string[] {
  return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
}

/** "29 Nov 2026, 14:05:09 CET": the exact moment in `timeZone`. */
export function exactTime(at: Date, timeZone: string): string {
  return zonedFormat(timeZone, { dateStyle: 'medium', timeStyle: 'long' }).format(at);
}

const UNITS: ReadonlyArray<readonly [limitSeconds: number, perUnit: number, unit: string]> = [
  [60, 1, 's'],
  [3_600, 60, 'min'],
  [86_400, 3_600, 'h'],
  [86_400 * 45, 86_400, 'day'],
];

/** "just now", "12 min ago", "3 h ago", "2 days ago", "in 5 min"; beyond 45 days, the date in `timeZone`. */
export function relativeTime(at: Date, now: Date, timeZone: string): string {
  const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
  const size = Math.abs(seconds);
  if (size < 10) return 'just now';
  for (const [limit, perUnit, unit] of UNITS) {
    if (size >= limit) continue;
    const count = Math.floor(size / perUnit);
    const label = unit === 'day' && count !== 1 ? 'days' : unit;
    return seconds > 0 ? `${count} ${label} ago` : `in ${count} ${label}`;
  }
  return zonedFormat(timeZone, { dateStyle: 'medium' }).format(at);
}

/** "1.2 s", "3 min 5 s", "2 h 10 min": how long something took. */
export function duration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.max(0, Math.round(milliseconds))} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
