/**
 * Composes a claimed delivery into an email, by its kind: a summary (src/summaries) or an
 * alert (src/alerts). A person who unsubscribed from the organisation, or whose account is
 * disabled, gets nothing. The scheduler's sender calls it for every delivery it claims.
 */
import type { Knex } from 'knex';
import { composeAlert } from '../alerts/alerts.compose.js';
import { emailOf, footerFor } from '../email/compose.service.js';
import type { DeliveryRow } from '../email/deliveries.queries.js';
import { recipientOf } from '../email/preferences.queries.js';
import type { Composed } from '../email/sender.service.js';
import { composeSummary } from '../summaries/summary.compose.js';

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
