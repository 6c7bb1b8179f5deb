/**
 * An integration's health, pure: the caller passes the schedule, the last run,
 * the open missed_run event (if the scheduler stored one), the recent normal
 * failed-record share and `now`; nothing here reads a clock or the database,
 * so the page, the API and the tests agree.
 *
 * The states, worst first; when several apply the first one wins:
 * - missed: a slot passed its grace with no run (computed from the schedule,
 *   the last run and `now`, so it holds before the scheduler ever ticked), or
 *   the scheduler stored a missed_run gap that no run has ended yet.
 * - failing: the last run failed, or its failed-record share is above the
 *   integration's recent normal (see `isAboveNormal`).
 * - late: the slot after the last run has passed, but its grace has not.
 * - silent: no run ever (nothing to be late against: exclusive of the others).
 * - healthy: none of these.
 * Missed beats failing because nothing at all is arriving (whatever the last
 * run did, it is stale); failing beats late because a late run is usually
 * only a slow one, while a failure already happened.
 */
import { shorten } from '../shared/shorten.js';
import { awaitedSlot, describeExpected, type GapSchedule, missedBetween, type Missed, slotAfter } from '../runs/run-gaps.js';
import { zonedFormat } from '../shared/time-format.js';

export const HEALTH_STATES = ['missed', 'failing', 'late', 'silent', 'healthy'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export interface LastRun {
  startedAt: Date;
  status: 'completed' | 'completed_with_errors' | 'failed';
  recordCount: number;
  failedRecords: number;
  runError: string | null;
}

/** The newest missed_run event still open (resolved_at NULL). */
export interface OpenMissedRun {
  dueAt: Date;
  lastDueAt: Date | null;
  missedSlots: number | null;
}

export interface HealthInput {
  schedule: GapSchedule;
  lastRun: LastRun | null;
  openMissedRun: OpenMissedRun | null;
  /** The median failed-record share of the integration's hours in the 7 days before its last run; null without history. */
  normalFailedShare: number | null;
  now: Date;
}

/** Why, in parts a page words in its reader's time zone (`describeHealth`). */
export type HealthReason =
  | { kind: 'missed'; lastRunAt: Date; firstSlot: Date; count: number; atLeast: boolean; graceSeconds: number }
  | { kind: 'missed-recorded'; lastRunAt: Date | null; firstSlot: Date; count: number }
  | { kind: 'run-failed'; lastRunAt: Date; runError: string | null }
  | { kind: 'failed-share'; lastRunAt: Date; share: number; failed: number; records: number; normal: number | null }
  | { kind: 'late'; lastRunAt: Date; dueAt: Date; graceSeconds: number }
  | { kind: 'silent' }
  | { kind: 'healthy'; lastRunAt: Date; nextAt: Date | null };

export interface Health {
  state: HealthState;
  reason: HealthReason;
  /** The slot a run is awaited for now (may be a moment ago, when late); null when unknown (no run of an interval schedule). */
  nextExpectedAt: Date | null;
  /** "every 15m (grace 10m)". */
  expected: string;
}

/** A failed-record share counts as above normal only with at least this many failed records: a tiny feed does not flap. */
export const MIN_FAILED_RECORDS = 5;
/** ...and only this far above normal (an absolute floor, in share points), */
export const MIN_SHARE_RISE = 0.05;
/** ...and at least this many times the normal share. */
export const SHARE_FACTOR = 2;

/**
 * The rule for "error rate above its recent normal": the last run failed at
 * least MIN_FAILED_RECORDS records, and its failed share is above both twice
 * the normal share and the normal share plus 5 points. Without history the
 * normal share counts as 0 (a new integration failing a third of its records
 * is failing).
 */
export function isAboveNormal(run: LastRun, normalFailedShare: number | null): boolean {
  if (run.recordCount === 0 || run.failedRecords < MIN_FAILED_RECORDS) return false;
  const normal = normalFailedShare ?? 0;
  const share = run.failedRecords / run.recordCount;
  return share > Math.max(normal * SHARE_FACTOR, normal + MIN_SHARE_RISE);
}

export function healthOf(input: HealthInput): Health {
  const { schedule, lastRun, now } = input;
  const expected = describeExpected(schedule);
  if (!lastRun) {
    // A cron schedule has fixed slots; an interval counts from a run, and there is none.
    const nextExpectedAt = schedule.cron !== null ? slotAfter(schedule, now) : null;
    return { state: 'silent', reason: { kind: 'silent' }, nextExpectedAt, expected };
  }
  const lastRunAt = lastRun.startedAt;
  const nextExpectedAt = awaitedSlot(schedule, lastRunAt, now);
  const missed: Missed | null = missedBetween(schedule, lastRunAt, now);
  if (missed) {
    const reason = { kind: 'missed' as const, lastRunAt, ...missed, graceSeconds: schedule.graceSeconds };
    return { state: 'missed', reason, nextExpectedAt, expected };
  }
  // A gap the scheduler stored counts while no newer run ended it (the scheduler closes it on its next tick).
  const open = input.openMissedRun;
  if (open && open.dueAt > lastRunAt) {
    const reason = { kind: 'missed-recorded' as const, lastRunAt, firstSlot: open.dueAt, count: open.missedSlots ?? 1 };
    return { state: 'missed', reason, nextExpectedAt, expected };
  }
  if (lastRun.status === 'failed') {
    return { state: 'failing', reason: { kind: 'run-failed', lastRunAt, runError: lastRun.runError }, nextExpectedAt, expected };
  }
  if (isAboveNormal(lastRun, input.normalFailedShare)) {
    const reason = {
      kind: 'failed-share' as const,
      lastRunAt,
      share: lastRun.failedRecords / lastRun.recordCount,
      failed: lastRun.failedRecords,
      records: lastRun.recordCount,
      normal: input.normalFailedShare,
    };
    return { state: 'failing', reason, nextExpectedAt, expected };
  }
  if (nextExpectedAt && nextExpectedAt < now) {
    return { state: 'late', reason: { kind: 'late', lastRunAt, dueAt: nextExpectedAt, graceSeconds: schedule.graceSeconds }, nextExpectedAt, expected };
  }
  return { state: 'healthy', reason: { kind: 'healthy', lastRunAt, nextAt: nextExpectedAt }, nextExpectedAt, expected };
}

const DAY_MS = 86_400_000;

/** "02:00 today", "02:00 yesterday", "02:00 tomorrow", else "02:00 Mon 23 Nov": a moment near `now` in `timeZone`. */
export function nearTime(at: Date, now: Date, timeZone: string): string {
  const clock = zonedFormat(timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  // Calendar days in the zone, as day numbers: their difference says today, yesterday or tomorrow.
  const day = zonedFormat(timeZone, { year: 'numeric', month: 'numeric', day: 'numeric' });
  const dayNumber = (moment: Date) => {
    const parts = Object.fromEntries(day.formatToParts(moment).map((part) => [part.type, Number(part.value)]));
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!) / DAY_MS;
  };
  const words: Record<number, string> = { 0: 'today', [-1]: 'yesterday', 1: 'tomorrow' };
  const word = words[dayNumber(at) - dayNumber(now)];
  if (word) return `${clock} ${word}`;
  const date = zonedFormat(timeZone, { weekday: 'short', day: 'numeric', month: 'short' }).format(at);
  return `${clock} ${date}`;
}

function graceText(seconds: number): string {
  if (seconds === 0) return 'no grace';
  if (seconds % 3600 === 0) return `${seconds / 3600} h grace`;
  if (seconds % 60 === 0) return `${seconds / 60} min grace`;
  return `${seconds} s grace`;
}

const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;

/** The one-line reason a page shows next to the badge, with times in `timeZone`. */
export function describeHealth(health: Health, now: Date, timeZone: string): string {
  const when = (at: Date) => nearTime(at, now, timeZone);
  const reason = health.reason;
  switch (reason.kind) {
    case 'missed': {
      const count = reason.count === 1 ? '' : ` (${reason.atLeast ? 'at least ' : ''}${reason.count} runs missed)`;
      return `no run since ${when(reason.lastRunAt)}, expected ${when(reason.firstSlot)} + ${graceText(reason.graceSeconds)}${count}`;
    }
    case 'missed-recorded':
      return `missed the run expected ${when(reason.firstSlot)}${reason.count > 1 ? ` and ${reason.count - 1} more` : ''} (recorded by the scheduler)`;
    case 'run-failed':
      return `last run (${when(reason.lastRunAt)}) failed${reason.runError ? `: ${shorten(reason.runError, 120)}` : ''}`;
    case 'failed-share':
      return `last run (${when(reason.lastRunAt)}) failed ${reason.failed} of ${reason.records} records (${percent(reason.share)}), usually ${
        reason.normal === null ? 'no history' : percent(reason.normal)
      }`;
    case 'late':
      return `run expected ${when(reason.dueAt)} not in yet, ${graceText(reason.graceSeconds)} until ${when(new Date(reason.dueAt.getTime() + reason.graceSeconds * 1000))}`;
    case 'silent':
      return `no run received yet (${health.expected})`;
    case 'healthy':
      return `last run ${when(reason.lastRunAt)}${reason.nextAt ? `, next expected ${when(reason.nextAt)}` : ''}`;
  }
}

/** Worst first: the order the overview lists integrations in. */
export const healthRank = (state: HealthState): number => HEALTH_STATES.indexOf(state);
