/**
 * Composes a claimed delivery into an email: the summary's figures for the person's
 * organisation, integrations and period, in their own time zone, with a one-click
 * unsubscribe link (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058) and a link to
 * their preferences. A person who unsubscribed, or whose empty summary they asked not to
 * get, gets nothing.
 */
import type { Knex } from 'knex';
import { dayOf } from '../shared/day-range.js';
import { composeAlert } from './alerts.compose.js';
import type { DeliveryRow } from './deliveries.queries.js';
import { createUnsubscribeToken, recipientOf } from './preferences.queries.js';
import { type EmailContent, renderEmail } from './email-content.js';
import type { Composed } from './sender.service.js';
import { buildSummary, type SummaryEmail } from './summary.js';
import { summaryData } from './summary.queries.js';

export type Recipient = NonNullable<Awaited<ReturnType<typeof recipientOf>>>;

/** Every email's footer: the person's preferences page and a new one-click unsubscribe link. */
export async function footerFor(knex: Knex, delivery: DeliveryRow, publicUrl: string): Promise<EmailContent['footer']> {
  const token = await createUnsubscribeToken(knex, delivery.org_id, delivery.user_id);
  return { preferencesUrl: `${publicUrl}/settings/notifications`, unsubscribeUrl: `${publicUrl}/unsubscribe/${token}` };
}

/** The email to send for a composed content, with the RFC 8058 one-click unsubscribe headers. */
export function emailOf(content: EmailContent, recipient: Recipient): Composed {
  const rendered = renderEmail(content);
  return {
    email: {
      to: recipient.email,
      ...rendered,
      headers: { 'List-Unsubscribe': `<${content.footer.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    },
  };
}

/**
 * A person's summary for a delivery's period, as it would be sent: their organisation,
 * integrations and minimum severity, in their zone. `null` content means nothing needs
 * action and they asked for no empty summaries. The CLI's preview uses it too.
 */
export async function summaryFor(
  knex: Knex,
  orgId: number,
  recipient: Pick<Recipient, 'integration_ids' | 'min_severity' | 'time_zone' | 'empty_summary'>,
  period: { start: Date; end: Date },
  publicUrl: string,
): Promise<SummaryEmail | null> {
  const data = await summaryData(knex, orgId, { integrationIds: recipient.integration_ids?.map(Number) ?? null, minSeverity: recipient.min_severity }, period);
  const summary = buildSummary(data, { publicUrl, day: (at) => dayOf(at, recipient.time_zone) });
  return !summary.needsAction && recipient.empty_summary === 'skip' ? null : summary;
}

async function composeSummary(knex: Knex, delivery: DeliveryRow, recipient: Recipient, publicUrl: string): Promise<Composed> {
  if (!delivery.period_start || !delivery.period_end) return { skip: 'a summary without a period' };
  const summary = await summaryFor(knex, delivery.org_id, recipient, { start: delivery.period_start, end: delivery.period_end }, publicUrl);
  if (!summary) return { skip: 'nothing needs action' };
  const { needsAction: _, ...content } = summary;
  return emailOf({ ...content, footer: await footerFor(knex, delivery, publicUrl) }, recipient);
}

export async function composeDelivery(knex: Knex, delivery: DeliveryRow, options: { publicUrl: string; now?: Date }): Promise<Composed> {
  const recipient = await recipientOf(knex, delivery.org_id, delivery.user_id);
  if (!recipient) return { skip: 'no preferences' };
  if (recipient.unsubscribed_at || recipient.disabled_at) return { skip: 'unsubscribed' };
  switch (delivery.kind) {
    case 'summary':
      return composeSummary(knex, delivery, recipient, options.publicUrl);
    case 'alert': {
      const content = await composeAlert(knex, delivery, recipient, { publicUrl: options.publicUrl, now: options.now ?? new Date() });
      if ('skip' in content) return content;
      return emailOf({ ...content, footer: await footerFor(knex, delivery, options.publicUrl) }, recipient);
    }
    default:
      return { skip: `nothing composes a ${delivery.kind} yet` };
  }
}
