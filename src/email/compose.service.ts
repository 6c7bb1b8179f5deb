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
import { buildSummary } from './summary.js';
import { summaryData } from './summary.queries.js';

type Recipient = NonNullable<Awaited<ReturnType<typeof recipientOf>>>;

/** Every email's footer: the person's preferences page and a new one-click unsubscribe link. */
async function footerFor(knex: Knex, delivery: DeliveryRow, publicUrl: string): Promise<EmailContent['footer']> {
  const token = await createUnsubscribeToken(knex, delivery.org_id, delivery.user_id);
  return { preferencesUrl: `${publicUrl}/settings/notifications`, unsubscribeUrl: `${publicUrl}/unsubscribe/${token}` };
}

/** The email to send for a composed content, with the RFC 8058 one-click unsubscribe headers. */
function emailOf(content: EmailContent, recipient: Recipient): Composed {
  const rendered = renderEmail(content);
  return {
    email: {
      to: recipient.email,
      ...rendered,
      headers: { 'List-Unsubscribe': `<${content.footer.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    },
  };
}

async function composeSummary(knex: Knex, delivery: DeliveryRow, recipient: Recipient, publicUrl: string): Promise<Composed> {
  if (!delivery.period_start || !delivery.period_end) return { skip: 'a summary without a period' };
  const data = await summaryData(knex, delivery.org_id, recipient.integration_ids?.map(Number) ?? null, {
    start: delivery.period_start,
    end: delivery.period_end,
  });
  const summary = buildSummary(data, { publicUrl, day: (at) => dayOf(at, recipient.time_zone) });
  if (!summary.needsAction && recipient.empty_summary === 'skip') return { skip: 'nothing needs action' };
  const footer = await footerFor(knex, delivery, publicUrl);
  const body = summary.needsAction ? summary.text : `${summary.subject}\n`;
  // Until the summary composes an EmailContent itself, its text is the content's title.
  return emailOf({ subject: summary.subject, title: body.trimEnd(), sections: [], footer }, recipient);
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
