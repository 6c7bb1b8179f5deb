/**
 * What a person may choose about email, each as one `as const` list: the types, the zod
 * schemas (hence the OpenAPI enums), the page's options and the alert rules all come from
 * these lists. DEFAULT_PREFERENCES are the email_preferences table's column defaults
 * (migration 0200), which the API and the CLI apply too.
 */
import type { Weekday } from './periods.js';

export const FREQUENCIES = ['off', 'hourly', 'daily', 'weekly'] as const;
export const EMPTY_SUMMARIES = ['skip', 'one_line'] as const;
export const ALERT_KINDS = ['missed_run', 'run_failed', 'new_group', 'records_drop', 'recovery'] as const;
export const ALERT_REPEATS = ['hourly', 'daily', 'weekly'] as const;

export type AlertKind = (typeof ALERT_KINDS)[number];

export const DEFAULT_PREFERENCES = {
  integration_ids: null,
  frequency: 'daily',
  local_time: '08:00',
  weekday: 1 as Weekday,
  min_severity: 'error',
  empty_summary: 'skip',
  alerts: [...ALERT_KINDS],
  alert_after_failures: 1,
  alert_repeat: 'daily',
} as const;
