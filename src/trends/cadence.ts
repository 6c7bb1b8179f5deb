/**
 * The cadence chart's figures, pure: how many runs each bucket's schedules
 * called for, and where the scheduler's missed-run gaps put their missed slots.
 */
import { cronFor } from '../runs/run-gaps.js';
import type { Bucket } from './buckets.js';

export interface CadenceSchedule {
  intervalSeconds: number | null;
  cron: string | null;
  timeZone: string;
  /** Nothing is expected before the integration existed. */
  since: Date;
}

/** Slots of a cron schedule counted per call at most (a cron every minute over 400 days stops here). */
const SLOT_CAP = 100_000;

/** The slots of a cron schedule in [from, to), ascending. */
function cronSlots(expression: string, timeZone: string, from: number, to: number, cap = SLOT_CAP): number[] {
  const slots: number[] = [];
  const cron = cronFor(expression, timeZone);
  let next = cron.nextRun(new Date(from - 1));
  while (next && next.getTime() < to && slots.length < cap) {
    slots.push(next.getTime());
    next = cron.nextRun(next);
  }
  return slots;
}

/** Adds each time to the bucket it falls in (buckets ascending, contiguous). */
function addToBuckets(times: number[], buckets: Bucket[], into: number[]): void {
  let b = 0;
  for (const t of times) {
    while (b < buckets.length && t >= buckets[b]!.end.getTime()) b += 1;
    if (b === buckets.length) return;
    if (t >= buckets[b]!.start.getTime()) into[b]! += 1;
  }
}

/**
 * Runs the schedules expected in each bucket, from each integration's
 * creation up to `now`: an interval schedule expects the covered time divided
 * by its interval (its slots count from the last run, so only the rate is
 * known), a cron schedule its slots in its own time zone.
 */
export function expectedRuns(schedules: CadenceSchedule[], buckets: Bucket[], now: Date): number[] {
  const expected = buckets.map(() => 0);
  for (const schedule of schedules) {
    const since = schedule.since.getTime();
    const until = now.getTime();
    if (schedule.intervalSeconds !== null && schedule.intervalSeconds > 0) {
      const interval = schedule.intervalSeconds * 1000;
      buckets.forEach((bucket, i) => {
        const covered = Math.min(bucket.end.getTime(), until) - Math.max(bucket.start.getTime(), since);
        if (covered > 0) expected[i]! += covered / interval;
      });
    } else if (schedule.cron) {
      const first = buckets[0]?.start.getTime() ?? until;
      const last = buckets[buckets.length - 1]?.end.getTime() ?? until;
      const slots = cronSlots(schedule.cron, schedule.timeZone, Math.max(first, since), Math.min(last, until + 1));
      addToBuckets(slots, buckets, expected);
    }
  }
  return expected.map((value) => Math.round(value * 100) / 100);
}

export interface GapForCadence {
  schedule: Omit<CadenceSchedule, 'since'>;
  dueAt: Date;
  lastDueAt: Date | null;
  missedSlots: number | null;
}

/**
 * The missed slots of each bucket: a gap's slots run from its first missed
 * slot (`due_at`) to its last (`last_due_at`), `missed_slots` of them, on its
 * integration's schedule (every interval from the first, or the cron's slots).
 */
export function missedRuns(gaps: GapForCadence[], buckets: Bucket[]): number[] {
  const missed = buckets.map(() => 0);
  for (const gap of gaps) {
    const first = gap.dueAt.getTime();
    const last = (gap.lastDueAt ?? gap.dueAt).getTime();
    const count = Math.max(1, gap.missedSlots ?? 1);
    let slots: number[];
    if (gap.schedule.intervalSeconds !== null && gap.schedule.intervalSeconds > 0) {
      const interval = gap.schedule.intervalSeconds * 1000;
      slots = [];
      for (let k = 0; k < Math.min(count, SLOT_CAP); k += 1) slots.push(first + k * interval);
    } else if (gap.schedule.cron) {
      slots = cronSlots(gap.schedule.cron, gap.schedule.timeZone, first, last + 1, Math.min(count, SLOT_CAP));
      if (slots.length === 0) slots = [first];
    } else {
      slots = [first];
    }
    addToBuckets(slots, buckets, missed);
  }
  return missed;
}
