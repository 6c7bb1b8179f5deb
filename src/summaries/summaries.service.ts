/**
 * Which summaries are due: for every person who wants them, the latest period their
 * frequency gives in their own time zone, recorded as a delivery once per person and
 * period (deliveries.queries.ts), however many schedulers tick at once. The sender
 * composes and sends them.
 */
import type { Knex } from 'knex';
import { enqueueDeliveries, type NewDelivery } from '../email/deliveries.queries.js';
import { latestPeriod } from '../email/periods.js';
import { frequencyOf, summaryRecipients } from '../email/preferences.queries.js';

export async function enqueueDueSummaries(knex: Knex, now: Date): Promise<number> {
  const due: NewDelivery[] = [];
  for (const recipient of await summaryRecipients(knex)) {
    const frequency = frequencyOf(recipient);
    if (!frequency) continue;
    const period = latestPeriod(frequency, recipient.time_zone, now);
    due.push({
      orgId: recipient.org_id,
      userId: recipient.user_id,
      kind: 'summary',
      dedupeKey: `summary:${period.key}`,
      periodStart: period.start,
      periodEnd: period.end,
      dueAt: period.end,
    });
  }
  return enqueueDeliveries(knex, due);
}
