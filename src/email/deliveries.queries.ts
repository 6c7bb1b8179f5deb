import type { Knex } from 'knex';

export type DeliveryKind = 'summary' | 'alert' | 'test';

export interface DeliveryRow {
  org_id: number;
  id: number;
  user_id: number;
  kind: DeliveryKind;
  dedupe_key: string;
  period_start: Date | null;
  period_end: Date | null;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
}

export interface NewDelivery {
  orgId: number;
  userId: number;
  kind: DeliveryKind;
  dedupeKey: string;
  periodStart?: Date;
  periodEnd?: Date;
  dueAt: Date;
  /** What an alert is about (stored as jsonb; the first one recorded under a key wins). */
  payload?: Record<string, unknown>;
}

/** Rows per INSERT: a scheduler tick for thousands of people writes them in a few statements, not one each. */
const ENQUEUE_BATCH = 1000;

/**
 * Records emails to send, once per recipient and key: returns how many were new
 * (a key recorded already, by another scheduler or an earlier tick, is skipped).
 */
export async function enqueueDeliveries(knex: Knex, deliveries: readonly NewDelivery[]): Promise<number> {
  let added = 0;
  for (let at = 0; at < deliveries.length; at += ENQUEUE_BATCH) {
    added += (await insertDeliveries(knex, deliveries.slice(at, at + ENQUEUE_BATCH))).length;
  }
  return added;
}

/**
 * Records an email to send, once per recipient and key: returns its id, or null when
 * it was recorded already (another scheduler, or an earlier tick, got there first).
 */
export async function enqueueDelivery(knex: Knex, delivery: NewDelivery): Promise<number | null> {
  const [id] = await insertDeliveries(knex, [delivery]);
  return id ?? null;
}

async function insertDeliveries(knex: Knex, deliveries: readonly NewDelivery[]): Promise<number[]> {
  // Knex types an array binding as all of one type; an array with nulls is valid for PostgreSQL all the same.
  const column = <T>(pick: (delivery: NewDelivery) => T) => deliveries.map(pick) as unknown as Knex.Value;
  const { rows } = await knex.raw<{ rows: { id: string }[] }>(
    `INSERT INTO email_deliveries (org_id, user_id, kind, dedupe_key, period_start, period_end, next_attempt_at, payload)
     SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::jsonb[])
     ON CONFLICT (org_id, user_id, dedupe_key) DO NOTHING
     RETURNING id`,
    [
      column((delivery) => delivery.orgId),
      column((delivery) => delivery.userId),
      column((delivery) => delivery.kind),
      column((delivery) => delivery.dedupeKey),
      column((delivery) => delivery.periodStart ?? null),
      column((delivery) => delivery.periodEnd ?? null),
      column((delivery) => delivery.dueAt),
      column((delivery) => (delivery.payload === undefined ? null : JSON.stringify(delivery.payload))),
    ],
  );
  return rows.map((row) => Number(row.id));
}

/**
 * Claims due deliveries for this sender: each is taken by one sender only (SKIP LOCKED),
 * marked sending, counted as an attempt, and due again after `leaseMs` in case this
 * sender dies before it says how the send went. `only` narrows the claim to one delivery.
 */
async function claimDue(knex: Knex, now: Date, leaseMs: number, limit: number, only?: { orgId: number; id: number }): Promise<DeliveryRow[]> {
  const { rows } = await knex.raw<{ rows: DeliveryRow[] }>(
    `UPDATE email_deliveries d SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = :leaseEnd
     FROM (
       SELECT org_id, id FROM email_deliveries
       WHERE status IN ('pending', 'sending') AND next_attempt_at <= :now ${only ? 'AND org_id = :orgId AND id = :id' : ''}
       ORDER BY next_attempt_at
       LIMIT :limit
       FOR UPDATE SKIP LOCKED
     ) AS due
     WHERE d.org_id = due.org_id AND d.id = due.id
     RETURNING d.org_id, d.id, d.user_id, d.kind, d.dedupe_key, d.period_start, d.period_end, d.status, d.attempts, d.next_attempt_at, d.last_error`,
    { now, leaseEnd: new Date(now.getTime() + leaseMs), limit, ...(only ?? {}) },
  );
  return rows.map((row) => ({ ...row, org_id: Number(row.org_id), id: Number(row.id), user_id: Number(row.user_id) }));
}

/** Up to `limit` due deliveries of every organisation, the longest due first. */
export function claimDueDeliveries(knex: Knex, now: Date, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
  return claimDue(knex, now, leaseMs, limit);
}

/** One delivery, as the sender claims the due ones, unless another sender holds it: null then. */
export async function claimDelivery(knex: Knex, orgId: number, id: number, now: Date, leaseMs: number): Promise<DeliveryRow | null> {
  return (await claimDue(knex, now, leaseMs, 1, { orgId, id }))[0] ?? null;
}

/** The claim's own attempt only: a sender whose lease ran out, and whose row was claimed again, changes nothing. */
const ownClaim = (knex: Knex, claim: DeliveryRow) =>
  knex('email_deliveries').where({ org_id: claim.org_id, id: claim.id, status: 'sending', attempts: claim.attempts });

/** `outboxFile`: the .eml file's name (no path) when the message went into the outbox rather than over SMTP. */
export async function markSent(
  knex: Knex,
  claim: DeliveryRow,
  sent: { messageId: string; subject: string; at: Date; outboxFile?: string | null },
): Promise<boolean> {
  const updated = await ownClaim(knex, claim).update({
    status: 'sent',
    message_id: sent.messageId,
    subject: sent.subject,
    sent_at: sent.at,
    last_error: null,
    outbox_file: sent.outboxFile ?? null,
  });
  return updated === 1;
}

/** Nothing to send after all (the person unsubscribed, or the summary is empty and they want none). */
export async function markSkipped(knex: Knex, claim: DeliveryRow, reason: string): Promise<boolean> {
  const updated = await ownClaim(knex, claim).update({ status: 'skipped', last_error: reason });
  return updated === 1;
}

/** A failed send: due again at `retryAt`, or failed for good when there is none. */
export async function markFailed(knex: Knex, claim: DeliveryRow, error: string, retryAt: Date | null): Promise<boolean> {
  const updated = await ownClaim(knex, claim).update(
    retryAt ? { status: 'pending', next_attempt_at: retryAt, last_error: error } : { status: 'failed', last_error: error },
  );
  return updated === 1;
}
