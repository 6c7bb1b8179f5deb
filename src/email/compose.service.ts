/**
 * Composes a claimed delivery into an email: the summary's figures for the person's
 * organisation, integrations and period, in their own time zone, with a one-click
 * unsubscribe link (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058) and a link to
 * their preferences. A person who unsubscribed, or whose empty summary they asked not to
 * get, gets nothing.
 */
import type { Knex } from 'knex';
import { dayOf } from '../shared/day-range.js';
import type { DeliveryRow } from './deliveries.queries.js';
import { createUnsubscribeToken, recipientOf } from './preferences.queries.js';
import type { Composed } from './sender.service.js';
import { buildSummary } from './summary.js';
import { summaryData } from './summary.queries.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The text as HTML: a paragraph a line, links made links, inline CSS only (mail clients drop style sheets). */
export function textToHtml(text: string): string {
  const lines = text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (/^https?:\/\/\S+$/.test(trimmed))
        return `<p style="margin:0 0 8px 16px"><a href="${escapeHtml(trimmed)}" style="color:#0b57d0">Open in feedlog</a></p>`;
      if (trimmed === '') return '';
      return `<p style="margin:${line.startsWith(' ') ? '0 0 2px 16px' : '12px 0 2px'}">${escapeHtml(trimmed)}</p>`;
    });
  return `<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;color:#1f1f1f">${lines.join('\n')}</div>`;
}

export async function composeDelivery(knex: Knex, delivery: DeliveryRow, options: { publicUrl: string }): Promise<Composed> {
  const preferences = await recipientOf(knex, delivery.org_id, delivery.user_id);
  if (!preferences) return { skip: 'no preferences' };
  if (preferences.unsubscribed_at || preferences.disabled_at) return { skip: 'unsubscribed' };
  if (delivery.kind !== 'summary' || !delivery.period_start || !delivery.period_end) return { skip: `nothing composes a ${delivery.kind} yet` };

  const data = await summaryData(knex, delivery.org_id, preferences.integration_ids?.map(Number) ?? null, {
    start: delivery.period_start,
    end: delivery.period_end,
  });
  const summary = buildSummary(data, { publicUrl: options.publicUrl, day: (at) => dayOf(at, preferences.time_zone) });
  if (!summary.needsAction && preferences.empty_summary === 'skip') return { skip: 'nothing needs action' };
  const unsubscribeUrl = `${options.publicUrl}/unsubscribe/${await createUnsubscribeToken(knex, delivery.org_id, delivery.user_id)}`;
  const body = summary.needsAction ? summary.text : `${summary.subject}\n`;
  const text = `${body}\nYour email preferences:\n  ${options.publicUrl}/settings/notifications\nUnsubscribe in one click:\n  ${unsubscribeUrl}\n`;
  return {
    email: {
      to: preferences.email,
      subject: summary.subject,
      text,
      html: textToHtml(text),
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    },
  };
}
