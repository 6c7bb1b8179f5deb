/**
 * What every feedlog email says, as structure (pure: no I/O): a title, a few sections of
 * items, each item a line with an optional detail and a link to the page behind it, and
 * the footer every email carries (preferences, one-click unsubscribe). Summaries and
 * alerts both compose an EmailContent; renderEmail turns it into the plain text and the
 * HTML body, so the two always say the same thing.
 */

export interface EmailItem {
  /** The line itself ("Planday: 96 runs, 94% succeeded"). */
  text: string;
  /** A second line: guidance, the actual values. */
  detail?: string;
  /** The dashboard page behind the figure, absolute. */
  link?: { url: string; label: string };
}

export interface EmailSection {
  heading: string;
  items: EmailItem[];
}

export interface EmailContent {
  subject: string;
  /** The first line of the body ("Acme, 29 Nov to 30 Nov"). */
  title: string;
  /** One or two sentences under the title. */
  intro?: string;
  sections: EmailSection[];
  footer: { preferencesUrl: string; unsubscribeUrl: string };
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

function renderText(content: EmailContent): string {
  const lines = [content.title];
  if (content.intro) lines.push('', content.intro);
  for (const section of content.sections) {
    lines.push('', section.heading);
    for (const item of section.items) {
      lines.push(`- ${item.text}`);
      if (item.detail) lines.push(`  ${item.detail}`);
      if (item.link) lines.push(`  ${item.link.url}`);
    }
  }
  lines.push('', 'Your email preferences:', `  ${content.footer.preferencesUrl}`, 'Unsubscribe in one click:', `  ${content.footer.unsubscribeUrl}`);
  return `${lines.join('\n')}\n`;
}

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

/** The plain text and the HTML body of an email (the HTML is replaced by views/email templates). */
export function renderEmail(content: EmailContent): RenderedEmail {
  const text = renderText(content);
  return { subject: content.subject, text, html: textToHtml(text) };
}
