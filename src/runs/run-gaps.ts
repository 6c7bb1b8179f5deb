/**
 * Gaps in the feed logs: where a scheduled run did not arrive. Pure (the
 * caller passes the runs, the schedules and `now`), so the page and the tests
 * agree, DST included.
 *
 * A gap lies between two consecutive runs of one integration, `after` and
 * `before` (or `now` when no run came since `after`): the schedule's slots in
 * between, each given its grace, that no run met.
 * - An interval schedule counts from the last run: the slots are `after + k *
 *   interval`, and one is missed when `slot + grace` passed before the next run.
 * - A cron schedule has fixed slots in its time zone (croner, which follows
 *   Vixie cron across DST). A run that starts a little early, within grace of
 *   the next slot and nearer to it than to the slot before, covers that slot.
 * Any run counts, whatever its trigger: a manual push that arrives when the
 * scheduled one would have also brings the changes.
 */
import { Cron } from 'croner';
import { formatDuration } from '../integrations/schedule.js';

export interface GapSchedule {
  intervalSeconds: number | null;
  cron: string | null;
  timeZone: string;
  graceSeconds: number;
}

/** An integration row's schedule columns, as every query of them selects them. */
export interface ScheduleColumns {
  schedule_interval_seconds: number | null;
  schedule_cron: string | null;
  schedule_time_zone: string;
  grace_seconds: number;
}

/** The schedule of an integration row. */
export function scheduleOf(row: ScheduleColumns): GapSchedule {
  return { intervalSeconds: row.schedule_interval_seconds, cron: row.schedule_cron, timeZone: row.schedule_time_zone, graceSeconds: row.grace_seconds };
}

/** Counting the missed slots of a cron schedule stops here: a gap that long says "at least". */
export const MISSED_COUNT_CAP = 1_000;

/** Gap rows on one page of the feed logs; the rest are summed up in one line. */
export const GAP_ROWS_PER_PAGE = 20;

export interface Missed {
  /** Slots that passed their grace with no run. */
  count: number;
  /** True when counting stopped at MISSED_COUNT_CAP. */
  atLeast: boolean;
  /** The first slot that no run met. */
  firstSlot: Date;
  /** The latest slot that passed its grace with no run (the last one counted). */
  lastSlot: Date;
}

const HH_MM = /^(\d{1,2}) (\d{1,2}) \* \* \*$/;

/** "every 15m" or "at 02:00 Europe/Copenhagen" (daily), or the cron expression itself. */
export function describeExpected(schedule: GapSchedule): string {
  const grace = schedule.graceSeconds > 0 ? ` (grace ${formatDuration(schedule.graceSeconds)})` : '';
  if (schedule.intervalSeconds !== null) return `every ${formatDuration(schedule.intervalSeconds)}${grace}`;
  const daily = HH_MM.exec(schedule.cron ?? '');
  if (daily) return `at ${daily[2]!.padStart(2, '0')}:${daily[1]!.padStart(2, '0')} ${schedule.timeZone}${grace}`;
  return `on cron "${schedule.cron}" ${schedule.timeZone}${grace}`;
}

const crons = new Map<string, Cron>();
/** One paused croner per expression and time zone, kept: building one parses the expression. */
export function cronFor(expression: string, timeZone: string): Cron {
  const key = `${expression}\n${timeZone}`;
  let cron = crons.get(key);
  if (!cron) {
    cron = new Cron(expression, { timezone: timeZone, paused: true });
    crons.set(key, cron);
  }
  return cron;
}
const cronOf = (schedule: GapSchedule) => cronFor(schedule.cron!, schedule.timeZone);

/**
 * A cron schedule's slots from the first one a run that started at `after` did
 * not cover: an early run (within grace of the next slot, and nearer to it than
 * to the slot before) covers the slot it came just before.
 */
function cronSlotsAfterRun(schedule: GapSchedule, after: Date): Generator<Date> | null {
  if (!schedule.cron) return null;
  const grace = schedule.graceSeconds * 1000;
  const cron = cronOf(schedule);
  const slots = cron.enumerate(after);
  const first = slots.next();
  if (first.done) return null;
  const previous = cron.previousRuns(1, after)[0]?.getTime();
  const untilFirst = first.value.getTime() - after.getTime();
  const covered = untilFirst <= grace && (previous === undefined || after.getTime() - previous > untilFirst);
  return (function* () {
    if (!covered) yield first.value;
    yield* slots;
  })();
}

/**
 * The slot a run is awaited for now: the first one after the run that started
 * at `after` whose grace has not passed at `now` (the slots before it, if any,
 * are missed). It may lie before `now` (the run is late, within its grace).
 * Null for a cron expression that has no further slot.
 */
export function awaitedSlot(schedule: GapSchedule, after: Date, now: Date): Date | null {
  const grace = schedule.graceSeconds * 1000;
  if (schedule.intervalSeconds !== null) {
    const interval = schedule.intervalSeconds * 1000;
    const k = Math.max(1, Math.ceil((now.getTime() - grace - after.getTime()) / interval));
    return new Date(after.getTime() + k * interval);
  }
  const slots = cronSlotsAfterRun(schedule, after);
  if (!slots) return null;
  const first = slots.next();
  if (first.done) return null;
  if (first.value.getTime() + grace >= now.getTime()) return first.value;
  // Past slots are skipped by asking croner for the first slot whose grace has not passed.
  return cronOf(schedule).nextRun(new Date(now.getTime() - grace - 1)) ?? null;
}

/** The next slot of a schedule after `at`: for an interval, `at` plus the interval. */
export function slotAfter(schedule: GapSchedule, at: Date): Date | null {
  if (schedule.intervalSeconds !== null) return new Date(at.getTime() + schedule.intervalSeconds * 1000);
  if (!schedule.cron) return null;
  return cronOf(schedule).nextRun(at) ?? null;
}

/**
 * The slots missed between a run that started at `after` and the next run,
 * which started at `before` (or, when none has come yet, `now`); null when the
 * schedule was kept.
 */
export function missedBetween(schedule: GapSchedule, after: Date, before: Date): Missed | null {
  const grace = schedule.graceSeconds * 1000;
  const end = before.getTime();
  if (schedule.intervalSeconds !== null) {
    const interval = schedule.intervalSeconds * 1000;
    const count = Math.ceil((end - after.getTime() - grace) / interval) - 1;
    return count > 0
      ? { count, atLeast: false, firstSlot: new Date(after.getTime() + interval), lastSlot: new Date(after.getTime() + count * interval) }
      : null;
  }
  const slots = cronSlotsAfterRun(schedule, after);
  if (!slots) return null;
  let next = slots.next();
  let count = 0;
  let firstSlot: Date | undefined;
  let lastSlot: Date | undefined;
  while (!next.done && next.value.getTime() + grace < end) {
    firstSlot ??= next.value;
    lastSlot = next.value;
    count += 1;
    if (count === MISSED_COUNT_CAP) return { count, atLeast: true, firstSlot, lastSlot };
    next = slots.next();
  }
  return firstSlot && lastSlot ? { count, atLeast: false, firstSlot, lastSlot } : null;
}

/**
 * When the gap after a run that started at `after` grows next: the moment the
 * next slot (after `missed`'s last one, or the first slot when none was missed
 * yet) passes its grace; null when the schedule has no slot to come.
 */
export function nextMissDeadline(schedule: GapSchedule, after: Date, missed: Missed | null): Date | null {
  const grace = schedule.graceSeconds * 1000;
  if (schedule.intervalSeconds !== null) {
    const interval = schedule.intervalSeconds * 1000;
    return new Date(after.getTime() + ((missed?.count ?? 0) + 1) * interval + grace);
  }
  if (!schedule.cron) return null;
  const slot = missed ? cronOf(schedule).nextRun(missed.lastSlot) : cronSlotsAfterRun(schedule, after)?.next().value;
  return slot ? new Date(slot.getTime() + grace) : null;
}

export interface GapRun {
  integrationId: number;
  startedAt: Date;
}

export interface Gap {
  integrationId: number;
  /** The start of the last run before the gap. */
  from: Date;
  /** The start of the run that ended it; null while it lasts (no run since `from`). */
  to: Date | null;
  missed: Missed;
  expected: string;
}

export type FeedLogRow<R> = { kind: 'run'; run: R } | { kind: 'gap'; gap: Gap };

export interface GapInput<R extends GapRun> {
  /** One page of runs, newest first, as the list shows them (not filtered by status or trigger). */
  runs: R[];
  schedules: ReadonlyMap<number, GapSchedule>;
  /** Per integration on the page: the start of its run just older than its oldest run on the page (null: none). */
  olderRun: ReadonlyMap<number, Date | null>;
  /**
   * Per integration whose open gap belongs on this page (the first page, when
   * the list reaches up to now): the start of its latest run.
   */
  latestRun: ReadonlyMap<number, Date>;
  now: Date;
  maxGaps?: number;
}

/**
 * The page's rows: its runs with a gap row after each run that came late (the
 * gap reaching back to the integration's previous run), and the gaps still
 * open at the top, newest last run first. At most `maxGaps` gap rows, the
 * newest; `hiddenGaps` says how many more there were.
 */
export function withGaps<R extends GapRun>(input: GapInput<R>): { rows: FeedLogRow<R>[]; hiddenGaps: number } {
  const max = input.maxGaps ?? GAP_ROWS_PER_PAGE;
  let shown = 0;
  let hiddenGaps = 0;
  const rows: FeedLogRow<R>[] = [];
  const add = (integrationId: number, from: Date, to: Date | null) => {
    const schedule = input.schedules.get(integrationId);
    if (!schedule) return;
    const missed = missedBetween(schedule, from, to ?? input.now);
    if (!missed) return;
    if (shown >= max) {
      hiddenGaps += 1;
      return;
    }
    shown += 1;
    rows.push({ kind: 'gap', gap: { integrationId, from, to, missed, expected: describeExpected(schedule) } });
  };
  const open = [...input.latestRun.entries()].sort(([, a], [, b]) => b.getTime() - a.getTime());
  for (const [integrationId, latest] of open) add(integrationId, latest, null);
  input.runs.forEach((run, i) => {
    rows.push({ kind: 'run', run });
    const older = input.runs.slice(i + 1).find((other) => other.integrationId === run.integrationId)?.startedAt ?? input.olderRun.get(run.integrationId);
    if (older) add(run.integrationId, older, run.startedAt);
  });
  return { rows, hiddenGaps };
}
