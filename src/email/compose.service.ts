/**
 * What every email sent to a person carries, whatever composed it (summaries, alerts, the
 * test email): a link to their preferences, a new one-click unsubscribe link of their own,
 * and the List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058).
 */
import type { Knex } from 'knex';
import type { DeliveryRow } from './deliveries.queries.js';
import { createUnsubscribeToken, type recipientOf } from './preferences.queries.js';
import { type EmailContent, renderEmail } from './email-content.js';
import type { OutgoingEmail } from './mailer.js';

export type Recipient = NonNullable<Awaited<ReturnType<typeof recipientOf>>>;

/** Every email's footer: the person's preferences page and a new one-click unsubscribe link. */
export async function footerFor(knex: Knex, delivery: DeliveryRow, publicUrl: string): Promise<EmailContent['footer']> {
  const token = await createUnsubscribeToken(knex, delivery.org_id, delivery.user_id);
  return { preferencesUrl: `${publicUrl}/settings/notifications`, unsubscribeUrl: `${publicUrl}/unsubscribe/${token}` };
}

/** The email to send for a composed content, with the RFC 8058 one-click unsubscribe headers. */
export function emailOf(content: EmailContent, recipient: Pick<Recipient, 'email'>): { email: OutgoingEmail } {
  const rendered = renderEmail(content);
  return {
    email: {
      to: recipient.email,
      ...rendered,
      headers: { 'List-Unsubscribe': `<${content.footer.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    },
  };
}
