/**
 * What one missed-run check of an integration finds. Pure: the caller reads the
 * integration's runs from its checkpoint on and stores the result.
 *
 * Each pair of consecutive runs is examined with the feed logs' own gap logic
 * (src/runs/run-gaps.ts `missedBetween`): slots that passed their grace between
 * them make one gap, closed by the later run. After the latest run the gap is
 * open while it lasts (up to `now`). A gap is identified by its first missed
 * slot (`dueAt`), which depends only on the run before it, so a gap found open
 * and later closed, or found twice, is the same gap.
 */
import { describeExpected, type GapSchedule, missedBetween, nextMissDeadline } from '../runs/run-gaps.js';

export interface CheckedRun {
  id: number;
  startedAt: Date;
}

export interface MissedRunGap {
  /** The first slot that no run met. */
  dueAt: Date;
  /** The latest slot that passed its grace in the gap. */
  lastDueAt: Date;
  missedSlots: number;
  /** The start of the run that ended the gap; null while it lasts. */
  resolvedAt: Date | null;
  resolvedBySyncRunId: number | null;
}

export interface CheckInput {
  schedule: GapSchedule;
  /** The start of the last run examined by the previous check (null: none yet). */
  checkpoint: Date | null;
  /** The runs from the checkpoint on (the checkpoint's own run first), oldest first. */
  runs: CheckedRun[];
  /** True when `runs` reach the latest run; false when the read stopped at its limit. */
  complete: boolean;
  now: Date;
  /** The longest wait before the next check (a schedule edited meanwhile is seen then). */
  maxWaitMs: number;
}

export interface CheckResult {
  gaps: MissedRunGap[];
  /** "every 15m (grace 10m)": stored with each gap. */
  expected: string;
  /**
   * The stored gaps with a first slot in (after, before) are exactly `gaps`:
   * any other there was a false alarm (a run that came in time was posted
   * late) and goes. Null when no run was examined.
   */
  examined: { after: Date | null; before: Date | null } | null;
  /** The new checkpoint: the start of the last run examined. */
  checkpoint: Date | null;
  /** When to look again: when the open gap grows, or a new one would open. */
  nextCheckAt: Date;
}

export function checkIntegration(input: CheckInput): CheckResult {
  const { schedule, runs, now } = input;
  const expected = describeExpected(schedule);
  const latest = new Date(now.getTime() + input.maxWaitMs);
  if (runs.length === 0) return { gaps: [], expected, examined: null, checkpoint: input.checkpoint, nextCheckAt: latest };
  const gaps: MissedRunGap[] = [];
  for (let i = 1; i < runs.length; i += 1) {
    const before = runs[i - 1]!;
    const after = runs[i]!;
    const missed = missedBetween(schedule, before.startedAt, after.startedAt);
    if (missed) {
      gaps.push({
        dueAt: missed.firstSlot,
        lastDueAt: missed.lastSlot,
        missedSlots: missed.count,
        resolvedAt: after.startedAt,
        resolvedBySyncRunId: after.id,
      });
    }
  }
  const last = runs[runs.length - 1]!;
  if (!input.complete) {
    // More runs to examine: the next tick goes on from here.
    return { gaps, expected, examined: { after: input.checkpoint, before: last.startedAt }, checkpoint: last.startedAt, nextCheckAt: now };
  }
  const open = last.startedAt < now ? missedBetween(schedule, last.startedAt, now) : null;
  if (open) gaps.push({ dueAt: open.firstSlot, lastDueAt: open.lastSlot, missedSlots: open.count, resolvedAt: null, resolvedBySyncRunId: null });
  const deadline = open?.atLeast ? null : nextMissDeadline(schedule, last.startedAt, open);
  // One second past the deadline: exactly at it, the slot is still in time.
  const next = deadline === null ? latest : new Date(Math.min(Math.max(deadline.getTime() + 1000, now.getTime()), latest.getTime()));
  return { gaps, expected, examined: { after: input.checkpoint, before: null }, checkpoint: last.startedAt, nextCheckAt: next };
}
