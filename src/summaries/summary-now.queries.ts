import type { Knex } from 'knex';
import type { DeliveryRow } from '../email/deliveries.queries.js';

/** A person by email (any case), with the organisations they belong to, by slug. */
export async function personByEmail(
  knex: Knex,
  email: string,
): Promise<
  { id: number; email: string; time_zone: string; disabled_at: Date | null; organisations: Array<{ id: number; slug: string; role: string }> } | undefined
> {
  const user = await knex('users').whereRaw('lower(email) = lower(?)', [email]).first('id', 'email', 'time_zone', 'disabled_at');
  if (!user) return undefined;
  const organisations = await knex('memberships as m')
    .join('organisations as o', 'o.id', 'm.org_id')
    .where('m.user_id', user.id)
    .orderBy('o.slug')
    .select('o.id', 'o.slug', 'm.role');
  return { ...user, id: Number(user.id), organisations: organisations.map((row) => ({ ...row, id: Number(row.id) })) };
}

/**
 * Claims one delivery, as the sender claims the due ones (marked sending, an attempt
 * counted, due again after the lease), unless another sender holds it: null then.
 */
export async function claimDelivery(knex: Knex, orgId: number, id: number, now: Date, leaseMs: number): Promise<DeliveryRow | null> {
  const { rows } = await knex.raw<{ rows: DeliveryRow[] }>(
    `UPDATE email_deliveries d SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = :leaseEnd
     FROM (
       SELECT org_id, id FROM email_deliveries
       WHERE org_id = :orgId AND id = :id AND status IN ('pending', 'sending') AND next_attempt_at <= :now
       FOR UPDATE SKIP LOCKED
     ) AS due
     WHERE d.org_id = due.org_id AND d.id = due.id
     RETURNING d.org_id, d.id, d.user_id, d.kind, d.dedupe_key, d.period_start, d.period_end, d.status, d.attempts, d.next_attempt_at, d.last_error`,
    { orgId, id, now, leaseEnd: new Date(now.getTime() + leaseMs) },
  );
  const row = rows[0];
  return row ? { ...row, org_id: Number(row.org_id), id: Number(row.id), user_id: Number(row.user_id) } : null;
}
