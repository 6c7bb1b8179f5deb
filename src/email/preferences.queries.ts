import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { hashToken } from '../auth/tokens.js';
import type { Severity } from '../classify/error-enums.js';
import type { Frequency, Weekday } from './periods.js';
import type { ALERT_REPEATS, EMPTY_SUMMARIES, FREQUENCIES } from './preference-enums.js';

export interface EmailPreferences {
  integration_ids: number[] | null;
  frequency: (typeof FREQUENCIES)[number];
  local_time: string;
  weekday: Weekday;
  min_severity: Severity;
  empty_summary: (typeof EMPTY_SUMMARIES)[number];
  alerts: string[];
  alert_after_failures: number;
  alert_repeat: (typeof ALERT_REPEATS)[number];
  unsubscribed_at: Date | null;
}

/** The summary schedule preferences ask for, or null when they want none. */
export function frequencyOf(preferences: Pick<EmailPreferences, 'frequency' | 'local_time' | 'weekday'>): Frequency | null {
  switch (preferences.frequency) {
    case 'hourly':
      return { kind: 'hourly' };
    case 'daily':
      return { kind: 'daily', at: preferences.local_time };
    case 'weekly':
      return { kind: 'weekly', weekday: preferences.weekday, at: preferences.local_time };
    default:
      return null;
  }
}

/** A person's preferences for one organisation, with their address, zone and whether their account is disabled. */
export async function recipientOf(
  knex: Knex,
  orgId: number,
  userId: number,
): Promise<(EmailPreferences & { email: string; time_zone: string; disabled_at: Date | null }) | undefined> {
  return knex('email_preferences as p')
    .join('users as u', 'u.id', 'p.user_id')
    .where({ 'p.org_id': orgId, 'p.user_id': userId })
    .first('p.*', 'u.email', 'u.time_zone', 'u.disabled_at');
}

/** Saves a person's preferences for one organisation (subscribing again clears an unsubscribe). */
export async function savePreferences(knex: Knex, orgId: number, userId: number, preferences: Omit<EmailPreferences, 'unsubscribed_at'>): Promise<void> {
  const row = { ...preferences, integration_ids: preferences.integration_ids, unsubscribed_at: null, updated_at: knex.fn.now() };
  await knex('email_preferences')
    .insert({ org_id: orgId, user_id: userId, ...row })
    .onConflict(['org_id', 'user_id'])
    .merge(row);
}

/** The preferences of every person who wants summaries and has not unsubscribed, with their time zone. */
export async function summaryRecipients(knex: Knex): Promise<Array<EmailPreferences & { org_id: number; user_id: number; time_zone: string }>> {
  const rows = await knex('email_preferences as p')
    .join('users as u', 'u.id', 'p.user_id')
    .join('memberships as m', (join) => join.on('m.org_id', 'p.org_id').andOn('m.user_id', 'p.user_id'))
    .whereNot('p.frequency', 'off')
    .whereNull('p.unsubscribed_at')
    .whereNull('u.disabled_at')
    .select('p.*', 'u.time_zone');
  return rows.map((row) => ({ ...row, org_id: Number(row.org_id), user_id: Number(row.user_id) }));
}

/** Unsubscribe tokens are `fl_uns_<org id>_<secret>`, like the bearer tokens: the org id for the key, 256 random bits. */
export const UNSUBSCRIBE_TOKEN = /^fl_uns_(\d{1,15})_[A-Za-z0-9_-]{43}$/;

/** A new unsubscribe link for one email: the token goes into the email, only its hash stays here. */
export async function createUnsubscribeToken(knex: Knex, orgId: number, userId: number): Promise<string> {
  const token = `fl_uns_${orgId}_${randomBytes(32).toString('base64url')}`;
  await knex('unsubscribe_links').insert({ org_id: orgId, user_id: userId, token_hash: hashToken(token) });
  return token;
}

/**
 * One click, no sign-in: the link's person gets no more email from its organisation.
 * Returns who was unsubscribed, or null for a token that is not one of ours.
 */
export async function unsubscribe(knex: Knex, token: string, at: Date): Promise<{ orgId: number; userId: number } | null> {
  const orgId = UNSUBSCRIBE_TOKEN.exec(token)?.[1];
  if (orgId === undefined) return null;
  const link = await knex('unsubscribe_links')
    .where({ org_id: Number(orgId), token_hash: hashToken(token) })
    .first('org_id', 'user_id');
  if (!link) return null;
  const who = { org_id: Number(link.org_id), user_id: Number(link.user_id) };
  await knex('email_preferences')
    .insert({ ...who, unsubscribed_at: at })
    .onConflict(['org_id', 'user_id'])
    .merge({
      // A second click keeps the time of the first, which the preferences page shows.
      unsubscribed_at: knex.raw('coalesce(email_preferences.unsubscribed_at, excluded.unsubscribed_at)'),
      updated_at: knex.fn.now(),
    });
  return { orgId: who.org_id, userId: who.user_id };
}
