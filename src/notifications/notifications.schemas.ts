/**
 * What a person (or an admin, for the organisation's default) may choose about email,
 * one schema for the JSON API and one for the page's form, which say the same thing
 * (the form sends text and repeated fields, the API JSON types).
 */
import { z } from 'zod';
import { pageSchema } from '../http/query.js';
import type { Weekday } from '../email/periods.js';
import { ALERT_KINDS, ALERT_REPEATS, DEFAULT_PREFERENCES, EMPTY_SUMMARIES, FREQUENCIES } from '../email/preference-enums.js';
import { SEVERITIES } from '../classify/error-enums.js';

export { ALERT_KINDS, ALERT_REPEATS, EMPTY_SUMMARIES, FREQUENCIES } from '../email/preference-enums.js';
export { SEVERITIES } from '../classify/error-enums.js';
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** The words the page uses for each alert. */
export const ALERT_LABELS: Record<(typeof ALERT_KINDS)[number], string> = {
  missed_run: 'A run is missed (none arrived on schedule)',
  run_failed: 'A run failed',
  new_group: 'A new error group appears',
  records_drop: 'Records per run drop sharply',
  recovery: 'Runs arrive again after a missed run (recovery)',
};

const localTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'expected a local time as HH:MM (24-hour clock), such as 08:00');
const integrationId = z.int().positive().max(Number.MAX_SAFE_INTEGER);
/** The API gives ids out as strings; either form comes back. */
const apiIntegrationId = z
  .union([integrationId, z.string().regex(/^[1-9][0-9]{0,14}$/, 'expected an integration id')])
  .transform((id) => Number(id))
  .pipe(integrationId);

/** The body of PUT /api/v1/me/email-preferences/{org}: the whole preferences; a field left out takes its default. */
export const preferencesBodySchema = z.strictObject({
  integration_ids: z
    .array(apiIntegrationId)
    .max(1000)
    .nullable()
    .default(null)
    .describe('The integrations to hear about (ids); null for every integration of the organisation, now and later.'),
  frequency: z.enum(FREQUENCIES).default(DEFAULT_PREFERENCES.frequency).describe('How often a summary comes: never, hourly, daily or weekly.'),
  local_time: localTime.default(DEFAULT_PREFERENCES.local_time).describe("When a daily or weekly summary comes, in the person's time zone (their profile's)."),
  weekday: z
    .int()
    .min(1)
    .max(7)
    .default(DEFAULT_PREFERENCES.weekday)
    .transform((day) => day as Weekday)
    .describe('The day of a weekly summary: 1 Monday ... 7 Sunday.'),
  min_severity: z.enum(SEVERITIES).default(DEFAULT_PREFERENCES.min_severity).describe('The least severity a summary lists.'),
  empty_summary: z.enum(EMPTY_SUMMARIES).default(DEFAULT_PREFERENCES.empty_summary).describe('When nothing needs action: send nothing (skip), or one line.'),
  alerts: z
    .array(z.enum(ALERT_KINDS))
    .max(ALERT_KINDS.length * 4)
    .default([...DEFAULT_PREFERENCES.alerts])
    .transform((kinds) => [...new Set(kinds)])
    .describe('The alerts to send at once.'),
  alert_after_failures: z
    .int()
    .min(1)
    .max(100)
    .default(DEFAULT_PREFERENCES.alert_after_failures)
    .describe('Alert about failed runs only after this many in a row.'),
  alert_repeat: z.enum(ALERT_REPEATS).default(DEFAULT_PREFERENCES.alert_repeat).describe('At most one alert per error group or integration in this period.'),
});

/** A form field that may be sent once (a string) or several times (an array), as checkboxes are. */
const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

/** The page's form for one organisation: text fields, checkboxes, and `integrations` all or chosen. */
export const preferencesFormSchema = z
  .object({
    integrations: z.enum(['all', 'chosen'], 'Choose every integration, or the ones ticked.').default('all'),
    integration_ids: many.transform((values) => values.map(Number)).pipe(z.array(z.int('Choose integrations from the list.').pipe(integrationId)).max(1000)),
    frequency: z.enum(FREQUENCIES, 'Choose how often a summary comes.'),
    local_time: localTime.default(DEFAULT_PREFERENCES.local_time),
    weekday: z.coerce
      .number()
      .pipe(z.int().min(1, 'Choose a day of the week.').max(7, 'Choose a day of the week.'))
      .default(DEFAULT_PREFERENCES.weekday)
      .transform((day) => day as Weekday),
    min_severity: z.enum(SEVERITIES, 'Choose errors only, or errors and information.'),
    empty_summary: z.enum(EMPTY_SUMMARIES, 'Choose what an empty summary does.'),
    alerts: many.pipe(z.array(z.enum(ALERT_KINDS, 'Choose alerts from the list.'))),
    alert_after_failures: z.coerce
      .number()
      .pipe(z.int('Enter a whole number of failed runs.').min(1, 'Alert after 1 to 100 failed runs.').max(100, 'Alert after 1 to 100 failed runs.')),
    alert_repeat: z.enum(ALERT_REPEATS, 'Choose how often an alert may repeat.'),
  })
  .transform(({ integrations, integration_ids, ...rest }) => ({
    ...rest,
    integration_ids: integrations === 'all' ? null : [...new Set(integration_ids)],
    alerts: [...new Set(rest.alerts)],
  }));

/** GET /outbox: which organisation (an admin of several chooses), and a page of it. */
export const outboxPageSchema = z.object({
  org: z.coerce.number().pipe(integrationId).optional(),
  ...pageSchema,
});
