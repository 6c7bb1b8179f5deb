import { Cron } from 'croner';

export type Schedule = { kind: 'interval'; seconds: number } | { kind: 'cron'; expression: string; timeZone: string };

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION = /^(\d+)(s|m|h|d)$/;

/** Parses a duration such as `15m`, `90s`, `2h` or `1d` into seconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** An interval (`15m`) or a five-field cron expression (`0 2 * * *`) in a time zone. */
export function parseSchedule(text: string, timeZone = 'UTC'): Schedule {
  if (!isTimeZone(timeZone)) throw new Error(`unknown time zone '${timeZone}' (use an IANA name such as Europe/London)`);
  const seconds = parseDuration(text);
  if (seconds !== undefined) {
    if (seconds <= 0) throw new Error('the interval must be longer than zero');
    return { kind: 'interval', seconds };
  }
  const expression = text.trim().replace(/\s+/g, ' ');
  if (expression.split(' ').length !== 5) {
    throw new Error(`'${text}' is neither an interval (15m, 1h) nor a five-field cron expression ("0 2 * * *")`);
  }
  try {
    new Cron(expression, { timezone: timeZone, paused: true });
  } catch (error) {
    throw new Error(`'${text}' is not a valid cron expression: ${(error as Error).message}`);
  }
  return { kind: 'cron', expression, timeZone };
}

export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

export function describeSchedule(schedule: Schedule): string {
  return schedule.kind === 'interval' ? `every ${formatDuration(schedule.seconds)}` : `cron "${schedule.expression}" (${schedule.timeZone})`;
}
