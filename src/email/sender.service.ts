/**
 * The sender: claims the due deliveries, has each composed, sends it, and records how it
 * went. Run by the scheduler in every process; the claim makes each delivery one sender's.
 * A failed send is logged and retried later (retry.ts), never swallowed.
 *
 * Exactly once, and where it cannot be: a sender that dies after the SMTP server accepted
 * a message but before it recorded so sends it again once its lease ends. The Message-ID
 * is made from the delivery's key, so that second copy carries the same Message-ID, which
 * mail servers and clients use to drop duplicates.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.js';
import { claimDueDeliveries, type DeliveryRow, markFailed, markSent, markSkipped } from './deliveries.queries.js';
import type { Mailer, OutgoingEmail } from './mailer.js';
import { retryAt } from './retry.js';

/** What a delivery says, or why there is nothing to send. */
export type Composed = { email: OutgoingEmail } | { skip: string };

export interface SenderOptions {
  compose: (delivery: DeliveryRow) => Promise<Composed>;
  mailer: Mailer;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Deliveries claimed per round (default 50), and how long a claim lasts (default 5 min). */
  batch?: number;
  leaseMs?: number;
  /** How many of a round's deliveries are composed and sent at once (default 4, the mailer's SMTP connections). */
  concurrency?: number;
}

export function messageIdOf(delivery: DeliveryRow): string {
  const key = createHash('sha256').update(`${delivery.org_id}:${delivery.user_id}:${delivery.dedupe_key}`).digest('hex').slice(0, 32);
  return `<${key}@feedlog>`;
}

/** How sending one claimed delivery went, as recorded. */
export type SendOutcome =
  | { sent: true; messageId: string /** The .eml file's path, without SMTP. */; outboxFile: string | null }
  | { sent: false; error: string; retryAt: Date | null };

/**
 * Sends one claimed delivery under its Message-ID and records how it went: sent (with
 * the outbox file's name when there is no SMTP server), or failed, due again after the
 * back-off when `retry` (the scheduler's and the CLI's), else failed for good (a test
 * email: the person presses again). Every path that sends an email goes through here.
 */
export async function sendClaimed(
  knex: Knex,
  claim: DeliveryRow,
  email: OutgoingEmail,
  options: { mailer: Mailer; clock: Clock; retry: boolean },
): Promise<SendOutcome> {
  const messageId = messageIdOf(claim);
  try {
    const sent = await options.mailer.send({ ...email, messageId });
    // The row keeps the file's name only: the Outbox page finds it in its own outbox folder.
    const outboxFile = sent.outboxFile ? path.basename(sent.outboxFile) : null;
    await markSent(knex, claim, { messageId, subject: email.subject, at: options.clock.now(), outboxFile });
    return { sent: true, messageId, outboxFile: sent.outboxFile };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const next = options.retry ? retryAt(claim.attempts, options.clock.now()) : null;
    await markFailed(knex, claim, message, next);
    return { sent: false, error: message, retryAt: next };
  }
}

export async function sendDueEmails(knex: Knex, options: SenderOptions): Promise<{ sent: number; skipped: number; failed: number }> {
  const counts = { sent: 0, skipped: 0, failed: 0 };
  const claims = await claimDueDeliveries(knex, options.clock.now(), options.leaseMs ?? 5 * 60_000, options.batch ?? 50);
  const sendOne = async (claim: DeliveryRow) => {
    const where = { orgId: claim.org_id, deliveryId: claim.id, kind: claim.kind, attempt: claim.attempts };
    let outcome: SendOutcome;
    try {
      const composed = await options.compose(claim);
      if ('skip' in composed) {
        await markSkipped(knex, claim, composed.skip);
        counts.skipped += 1;
        return;
      }
      outcome = await sendClaimed(knex, claim, composed.email, { ...options, retry: true });
    } catch (error) {
      // Composing failed (the database, a template): retried like a refused send.
      const message = error instanceof Error ? error.message : String(error);
      const next = retryAt(claim.attempts, options.clock.now());
      await markFailed(knex, claim, message, next);
      outcome = { sent: false, error: message, retryAt: next };
    }
    if (outcome.sent) {
      counts.sent += 1;
      return;
    }
    counts.failed += 1;
    if (outcome.retryAt) options.log.warn({ ...where, err: outcome.error, retryAt: outcome.retryAt.toISOString() }, 'email not sent; will retry');
    else options.log.error({ ...where, err: outcome.error }, 'email not sent after the last attempt; it stays failed');
  };
  // Each delivery is its own claim, so sending a few at once changes nothing about exactly once.
  const queue = [...claims];
  const worker = async () => {
    for (let claim = queue.shift(); claim; claim = queue.shift()) await sendOne(claim);
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, claims.length) }, worker));
  return counts;
}
