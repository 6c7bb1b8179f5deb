/**
 * `feedlog summary send`: one person's summary for their latest period, now, through the
 * configured mailer (SMTP or the outbox), recorded as a delivery under its own key
 * (`manual:<period>:<time>`, never the scheduled `summary:<period>`, so the scheduled one
 * still goes out); or, as a dry run, composed and returned without sending or recording
 * anything. A person without preferences for the organisation gets the defaults.
 */
import type { Knex } from 'knex';
import type { Clock } from '../shared/clock.js';
import { InvalidInputError, NotFoundError } from '../shared/errors.js';
import { emailOf, footerFor, type Recipient } from '../email/compose.service.js';
import { summaryFor } from './summary.compose.js';
import { claimDelivery, enqueueDelivery } from '../email/deliveries.queries.js';
import type { Mailer, OutgoingEmail } from '../email/mailer.js';
import { latestPeriod } from '../email/periods.js';
import { frequencyOf, recipientOf } from '../email/preferences.queries.js';
import { DEFAULT_PREFERENCES } from '../email/preference-enums.js';
import { sendClaimed } from '../email/sender.service.js';
import { personByEmail } from './summary-now.queries.js';

export interface SummaryNowResult {
  to: string;
  organisation: string;
  period: { start: Date; end: Date; key: string };
  /** Notes for the person running the command (defaults used, unsubscribed, frequency off). */
  notes: string[];
  email: OutgoingEmail;
  /** Set when sent: the delivery recorded and where the message went. */
  sent?: { deliveryId: number; messageId: string; outboxFile: string | null };
}

export async function sendSummaryNow(
  knex: Knex,
  options: { email: string; orgSlug?: string; dryRun: boolean; mailer?: Mailer; publicUrl: string; clock: Clock },
): Promise<SummaryNowResult> {
  const person = await personByEmail(knex, options.email);
  if (!person)
    throw new NotFoundError(
      `No user with email ${options.email}. List an organisation's people on its Members page, or create one with: feedlog user create --email ${options.email} --role ops --org <slug>`,
    );
  const slugs = person.organisations.map((o) => o.slug);
  if (person.organisations.length === 0)
    throw new InvalidInputError(
      `${person.email} belongs to no organisation (support users read every organisation but get no summaries). Give them a role with: feedlog user create --email ${person.email} --role ops --org <slug>`,
    );
  let organisation = person.organisations[0]!;
  if (options.orgSlug !== undefined) {
    const found = person.organisations.find((o) => o.slug === options.orgSlug);
    if (!found)
      throw new NotFoundError(
        `${person.email} is not a member of '${options.orgSlug}'. Their organisations: ${slugs.join(', ')}. Run again with --org ${slugs[0]}`,
      );
    organisation = found;
  } else if (person.organisations.length > 1) {
    throw new InvalidInputError(
      `${person.email} belongs to ${slugs.length} organisations (${slugs.join(', ')}): say which with --org <slug>, e.g. --org ${slugs[0]}`,
    );
  }
  if (person.disabled_at && !options.dryRun) throw new InvalidInputError(`${person.email}'s account is disabled: nothing sent. Preview it with --dry-run.`);

  const notes: string[] = [];
  const stored = await recipientOf(knex, organisation.id, person.id);
  const recipient: Recipient = stored ?? {
    ...DEFAULT_PREFERENCES,
    alerts: [...DEFAULT_PREFERENCES.alerts],
    unsubscribed_at: null,
    email: person.email,
    time_zone: person.time_zone,
    disabled_at: person.disabled_at,
  };
  if (!stored)
    notes.push(
      `${person.email} has no email preferences for '${organisation.slug}': using the defaults (daily at 08:00 in ${person.time_zone}, every integration, errors only). They can set theirs on ${options.publicUrl}/settings/notifications`,
    );
  if (stored?.unsubscribed_at) {
    if (!options.dryRun)
      throw new InvalidInputError(
        `${person.email} unsubscribed from '${organisation.slug}' emails on ${stored.unsubscribed_at.toISOString()}: nothing sent. They subscribe again by saving their preferences on ${options.publicUrl}/settings/notifications; --dry-run previews it.`,
      );
    notes.push(`${person.email} unsubscribed from '${organisation.slug}' emails: the scheduler sends them none.`);
  }
  const frequency = frequencyOf(recipient) ?? frequencyOf(DEFAULT_PREFERENCES)!;
  if (recipient.frequency === 'off') notes.push(`${person.email} gets no scheduled summaries (frequency off): this one covers a day.`);
  const now = options.clock.now();
  const period = latestPeriod(frequency, recipient.time_zone, now);
  // Asked for by name: a quiet period is sent as its one line, whatever the person chose for the scheduled ones.
  const summary = (await summaryFor(knex, organisation.id, { ...recipient, empty_summary: 'one_line' }, period, options.publicUrl))!;
  const { needsAction: _, ...content } = summary;
  const result = { to: person.email, organisation: organisation.slug, period, notes };

  if (options.dryRun) {
    const footer = { preferencesUrl: `${options.publicUrl}/settings/notifications`, unsubscribeUrl: `${options.publicUrl}/unsubscribe/(a-new-link-when-sent)` };
    const composed = emailOf({ ...content, footer }, recipient);
    return { ...result, email: composed.email };
  }

  if (!options.mailer) throw new Error('sendSummaryNow: a mailer is needed to send');
  const deliveryId = await enqueueDelivery(knex, {
    orgId: organisation.id,
    userId: person.id,
    kind: 'summary',
    dedupeKey: `manual:${period.key}:${now.toISOString()}`,
    periodStart: period.start,
    periodEnd: period.end,
    dueAt: now,
  });
  const claim = deliveryId === null ? null : await claimDelivery(knex, organisation.id, deliveryId, now, 5 * 60_000);
  if (!claim) throw new InvalidInputError(`A summary for ${person.email} was recorded at this very moment already: run the command again.`);
  const composed = emailOf({ ...content, footer: await footerFor(knex, claim, options.publicUrl) }, recipient);
  const email = composed.email;
  const outcome = await sendClaimed(knex, claim, email, { mailer: options.mailer, clock: options.clock, retry: true });
  if (outcome.sent) return { ...result, email, sent: { deliveryId: claim.id, messageId: outcome.messageId, outboxFile: outcome.outboxFile } };
  throw new SummaryNotSentError(
    `Could not send the summary to ${person.email}: ${outcome.error}. Check SMTP_URL and that the server accepts mail from SMTP_FROM. ` +
      (outcome.retryAt
        ? `Delivery ${claim.id} is kept: the scheduler of a running server tries again at ${outcome.retryAt.toISOString()}.`
        : `Delivery ${claim.id} failed for good.`),
  );
}

/** The mail server refused or could not be reached; the delivery is kept for the scheduler's retries. */
export class SummaryNotSentError extends InvalidInputError {}
