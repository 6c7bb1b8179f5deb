/**
 * A person's summary email for a delivery's period: their organisation, integrations and
 * minimum severity, in their own zone. A summary with nothing that needs action is not
 * sent to a person who asked for no empty summaries.
 */
import type { Knex } from 'knex';
import { emailOf, footerFor, type Recipient } from '../email/compose.service.js';
import type { DeliveryRow } from '../email/deliveries.queries.js';
import type { Composed } from '../email/sender.service.js';
import { dayOf } from '../shared/day-range.js';
import { buildSummary, type SummaryEmail } from './summary.js';
import { summaryData } from './summary.queries.js';

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

export async function composeSummary(knex: Knex, delivery: DeliveryRow, recipient: Recipient, publicUrl: string): Promise<Composed> {
  if (!delivery.period_start || !delivery.period_end) return { skip: 'a summary without a period' };
  const summary = await summaryFor(knex, delivery.org_id, recipient, { start: delivery.period_start, end: delivery.period_end }, publicUrl);
  if (!summary) return { skip: 'nothing needs action' };
  const { needsAction: _, ...content } = summary;
  return emailOf({ ...content, footer: await footerFor(knex, delivery, publicUrl) }, recipient);
}
