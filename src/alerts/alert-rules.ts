/**
 * The alert rules (pure: the caller reads the figures). Which alert kinds a person gets
 * for an integration, when failed runs are enough to alert, when a run's record count
 * has dropped sharply against the integration's own recent runs, and the period within
 * which a repeat of an alert is held back, in the person's own time zone.
 */
import { latestPeriod } from '../email/periods.js';

import type { AlertKind } from '../email/preference-enums.js';

export { ALERT_KINDS, type AlertKind } from '../email/preference-enums.js';

export interface AlertRecipient {
  org_id: number;
  user_id: number;
  time_zone: string;
  alerts: string[];
  integration_ids: number[] | null;
  min_severity: 'error' | 'info';
  alert_after_failures: number;
  alert_repeat: 'hourly' | 'daily' | 'weekly';
}

/** Whether this person wants this kind of alert about this integration (and, for a group, of this severity). */
export function wantsAlert(recipient: AlertRecipient, kind: AlertKind, integrationId: number, severity?: 'error' | 'info'): boolean {
  if (!recipient.alerts.includes(kind)) return false;
  if (recipient.integration_ids !== null && !recipient.integration_ids.map(Number).includes(integrationId)) return false;
  if (kind === 'new_group' && recipient.min_severity === 'error' && severity !== 'error') return false;
  return true;
}

/**
 * The period an alert's repeats are held back for (one alert per error group, or per
 * integration and kind, per period): the hour, the day or the week (from Monday) of the
 * person's wall clock at `now`. Its key goes into the delivery's dedupe key.
 */
export function repeatPeriodKey(repeat: AlertRecipient['alert_repeat'], timeZone: string, now: Date): string {
  if (repeat === 'hourly') {
    // The hour under way: its end is the next hour's start.
    return latestPeriod({ kind: 'hourly' }, timeZone, now).key.replace(/^hourly:/, 'hour:');
  }
  const period =
    repeat === 'daily' ? latestPeriod({ kind: 'daily', at: '00:00' }, timeZone, now) : latestPeriod({ kind: 'weekly', weekday: 1, at: '00:00' }, timeZone, now);
  // latestPeriod names a period by the day it ends on, which is the day (or Monday) under way at `now`.
  return period.key.replace(/^daily:/, 'day:').replace(/^weekly:/, 'week:');
}

/** How many runs in a row failed, newest first, from the statuses of the latest runs (newest first). */
export function failureStreak(statusesNewestFirst: readonly string[]): number {
  let streak = 0;
  for (const status of statusesNewestFirst) {
    if (status !== 'failed') break;
    streak += 1;
  }
  return streak;
}

/** Runs compared against, and at least how many of them a judgement needs. */
export const DROP_BASELINE_RUNS = 10;
export const DROP_MIN_BASELINE_RUNS = 5;
/** A baseline this small is noise (a feed of a few changes a run): no alert under it. */
export const DROP_MIN_MEDIAN = 10;

export interface RecordsDrop {
  recordCount: number;
  median: number;
  baselineRuns: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * A sharp drop in records: the run sent fewer than half the median record count of the
 * integration's previous successful runs (up to 10, at least 5 of them), when that median
 * is at least 10. Null when there is no drop, or too little history to judge.
 */
export function recordsDrop(recordCount: number, previousCounts: readonly number[]): RecordsDrop | null {
  const baseline = previousCounts.slice(0, DROP_BASELINE_RUNS);
  if (baseline.length < DROP_MIN_BASELINE_RUNS) return null;
  const usual = median(baseline);
  if (usual < DROP_MIN_MEDIAN || recordCount >= usual / 2) return null;
  return { recordCount, median: usual, baselineRuns: baseline.length };
}
