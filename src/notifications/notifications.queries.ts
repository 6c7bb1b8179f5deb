/**
 * The SQL behind the email pages and API: a person's own preferences, the organisation
 * defaults for new members, the unsubscribe link lookup, the test email's delivery
 * row, and the outbox list. Every read is scoped by the caller's organisations.
 */
import type { Knex } from 'knex';
import { hashToken } from '../auth/tokens.js';
import type { DeliveryRow } from '../email/deliveries.queries.js';
import { type EmailPreferences, UNSUBSCRIBE_TOKEN } from '../email/preferences.queries.js';

/** The preference fields an organisation can set as its default (everything but the person's unsubscribe). */
export type PreferenceFields = Omit<EmailPreferences, 'unsubscribed_at'>;

const FIELDS = [
  'integration_ids',
  'frequency',
  'local_time',
  'weekday',
  'min_severity',
  'empty_summary',
  'alerts',
  'alert_after_failures',
  'alert_repeat',
] as const;

/** bigint[] comes back as strings; everything else is as stored. */
function fieldsOf(row: Record<string, unknown>): PreferenceFields {
  const ids = row.integration_ids as Array<string | number> | null;
  return {
    integration_ids: ids ? ids.map(Number) : null,
    frequency: row.frequency as PreferenceFields['frequency'],
    local_time: row.local_time as string,
    weekday: Number(row.weekday) as PreferenceFields['weekday'],
    min_severity: row.min_severity as PreferenceFields['min_severity'],
    empty_summary: row.empty_summary as PreferenceFields['empty_summary'],
    alerts: row.alerts as string[],
    alert_after_failures: Number(row.alert_after_failures),
    alert_repeat: row.alert_repeat as PreferenceFields['alert_repeat'],
  };
}

export interface OwnPreferences extends PreferenceFields {
  org_id: number;
  unsubscribed_at: Date | null;
  updated_at: Date;
}

/** A person's own preferences in the given organisations (theirs only: the user id is the caller's). */
export async function listOwnPreferences(knex: Knex, userId: number, orgIds: number[]): Promise<OwnPreferences[]> {
  const rows = await knex('email_preferences')
    .where({ user_id: userId })
    .whereIn('org_id', orgIds)
    .select('org_id', ...FIELDS, 'unsubscribed_at', 'updated_at');
  return rows.map((row) => ({ ...fieldsOf(row), org_id: Number(row.org_id), unsubscribed_at: row.unsubscribed_at, updated_at: row.updated_at }));
}

export interface OrgDefaults extends PreferenceFields {
  org_id: number;
  updated_at: Date;
}

export async function listOrgDefaults(knex: Knex, orgIds: number[]): Promise<OrgDefaults[]> {
  const rows = await knex('org_email_defaults')
    .whereIn('org_id', orgIds)
    .select('org_id', ...FIELDS, 'updated_at');
  return rows.map((row) => ({ ...fieldsOf(row), org_id: Number(row.org_id), updated_at: row.updated_at }));
}

export async function saveOrgDefaults(knex: Knex, orgId: number, byUserId: number, fields: PreferenceFields): Promise<void> {
  const row = { ...fields, updated_by: byUserId, updated_at: knex.fn.now() };
  await knex('org_email_defaults')
    .insert({ org_id: orgId, ...row })
    .onConflict('org_id')
    .merge(row);
}

/**
 * A person just added to an organisation gets its defaults as their preferences, once:
 * preferences they already have (from an earlier membership) are kept. Without defaults
 * nothing is written, and they get no email until they choose.
 */
export async function applyOrgEmailDefaults(knex: Knex, orgId: number, userId: number): Promise<boolean> {
  const columns = FIELDS.join(', ');
  const { rowCount } = await knex.raw<{ rowCount: number }>(
    `INSERT INTO email_preferences (org_id, user_id, ${columns})
     SELECT org_id, ?, ${columns} FROM org_email_defaults WHERE org_id = ?
     ON CONFLICT (org_id, user_id) DO NOTHING`,
    [userId, orgId],
  );
  return rowCount === 1;
}

/** Whose link an unsubscribe token is, without changing anything (the confirm page); undefined for a token that is not ours. */
export async function findUnsubscribeLink(knex: Knex, token: string): Promise<{ orgId: number; userId: number } | undefined> {
  const orgId = UNSUBSCRIBE_TOKEN.exec(token)?.[1];
  if (orgId === undefined) return undefined;
  const link = await knex('unsubscribe_links')
    .where({ org_id: Number(orgId), token_hash: hashToken(token) })
    .first('org_id', 'user_id');
  return link ? { orgId: Number(link.org_id), userId: Number(link.user_id) } : undefined;
}

/**
 * The test email's delivery, recorded as claimed by this request (status sending, one
 * attempt, a lease), so the scheduler's sender leaves it alone; markSent or markFailed
 * of deliveries.queries.ts then record how it went. Its key is unique per press.
 */
export async function insertTestDelivery(knex: Knex, orgId: number, userId: number, key: string, leaseEnd: Date): Promise<DeliveryRow> {
  const [row] = await knex('email_deliveries')
    .insert({ org_id: orgId, user_id: userId, kind: 'test', dedupe_key: key, status: 'sending', attempts: 1, next_attempt_at: leaseEnd })
    .returning(['org_id', 'id', 'user_id', 'kind', 'dedupe_key', 'period_start', 'period_end', 'status', 'attempts', 'next_attempt_at', 'last_error']);
  return { ...row, org_id: Number(row.org_id), id: Number(row.id), user_id: Number(row.user_id) };
}

/** A test email a person sent themselves, in one of the given organisations, to show how it went (theirs only). */
export async function findOwnTestDelivery(knex: Knex, userId: number, orgIds: number[], id: number): Promise<OutboxRow | undefined> {
  return outboxRows(knex).whereIn('d.org_id', orgIds).andWhere({ 'd.user_id': userId, 'd.id': id, 'd.kind': 'test' }).first();
}

export interface OutboxRow {
  org_id: number;
  id: number;
  user_id: number;
  to: string;
  kind: string;
  subject: string | null;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  created_at: Date;
  sent_at: Date | null;
  outbox_file: string | null;
}

const outboxRows = (knex: Knex) =>
  knex('email_deliveries as d')
    .join('users as u', 'u.id', 'd.user_id')
    .select(
      'd.org_id',
      'd.id',
      'd.user_id',
      'u.email as to',
      'd.kind',
      'd.subject',
      'd.status',
      'd.attempts',
      'd.last_error',
      'd.next_attempt_at',
      'd.created_at',
      'd.sent_at',
      'd.outbox_file',
    );

/**
 * One organisation's deliveries, newest first (by id, which grows with every delivery
 * recorded), `limit + 1` of them from after the cursor's id: the primary key
 * (org_id, id) read backwards, no sort.
 */
function outboxQuery(knex: Knex, orgId: number, limit: number, beforeId?: number) {
  const query = outboxRows(knex)
    .where('d.org_id', orgId)
    .orderBy('d.id', 'desc')
    .limit(limit + 1);
  if (beforeId !== undefined) query.andWhere('d.id', '<', beforeId);
  return query;
}

export async function listOutbox(knex: Knex, orgId: number, limit: number, beforeId?: number): Promise<OutboxRow[]> {
  return outboxQuery(knex, orgId, limit, beforeId);
}

/** The plan of the outbox list's query, for the test that checks it reads the primary key in its order. */
export async function explainOutbox(knex: Knex, orgId: number, limit: number, beforeId?: number): Promise<string> {
  const { sql, bindings } = outboxQuery(knex, orgId, limit, beforeId).toSQL();
  const { rows } = await knex.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN ${sql}`, bindings);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

/** One delivery, if it belongs to one of the given organisations. */
export async function findDeliveryIn(knex: Knex, orgIds: number[], id: number): Promise<OutboxRow | undefined> {
  return outboxRows(knex).whereIn('d.org_id', orgIds).andWhere('d.id', id).first();
}
