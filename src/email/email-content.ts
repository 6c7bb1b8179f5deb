import { readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { ROOT_DIR } from '../config.js';
import { shorten } from '../shared/shorten.js';

/**
 * What every feedlog email says, as structure (pure: no I/O): a title, a few sections of
 * items, each item a line with an optional detail and a link to the page behind it, and
 * the footer every email carries (preferences, one-click unsubscribe). Summaries and
 * alerts both compose an EmailContent; renderEmail turns it into the plain text and the
 * HTML body (views/email/layout.ejs), so the two always say the same thing.
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

/** How much of one line an email shows: engine text can be 100,000 characters long. */
const MAX_LINE = 400;
const MAX_TITLE = 200;

/** Bidirectional embeddings, overrides and isolates: shown as their code point, so no value can reorder what is around it. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
/** Other control characters (line breaks, tabs, NUL, C1): one line is one line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed
const CONTROLS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;

/** One line of an email as both bodies show it: no control characters, bidi controls visible, cut when long. */
export function emailLine(text: string, max = MAX_LINE): string {
  const cleaned = text
    .replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`)
    .replace(CONTROLS, ' ')
    .trim();
  return shorten(cleaned, max);
}

/** Only absolute http(s) links: a link is always one of ours, never a value from a feed. */
function checkedUrl(url: string): string {
  if (!/^https?:\/\/[^\s<>"']+$/.test(url)) throw new Error(`an email link must be an absolute http(s) URL: ${JSON.stringify(url.slice(0, 100))}`);
  return url;
}

/** The content with every line cleaned and every link checked: what both bodies render. */
function cleaned(content: EmailContent): EmailContent {
  return {
    subject: emailLine(content.subject, MAX_TITLE),
    title: emailLine(content.title, MAX_TITLE),
    ...(content.intro ? { intro: emailLine(content.intro) } : {}),
    sections: content.sections.map((section) => ({
      heading: emailLine(section.heading, MAX_TITLE),
      items: section.items.map((item) => ({
        text: emailLine(item.text),
        ...(item.detail ? { detail: emailLine(item.detail) } : {}),
        ...(item.link ? { link: { url: checkedUrl(item.link.url), label: emailLine(item.link.label, 80) } } : {}),
      })),
    })),
    footer: { preferencesUrl: checkedUrl(content.footer.preferencesUrl), unsubscribeUrl: checkedUrl(content.footer.unsubscribeUrl) },
  };
}

function renderText(content: EmailContent): string {
  const lines = [content.title];
  if (content.intro) lines.push('', content.intro);
  for (const section of content.sections) {
    lines.push('', section.heading);
    for (const item of section.items) {
      lines.push(`- ${item.text}`);
      if (item.detail) lines.push(`  ${item.detail}`);
      if (item.link) lines.push(`  ${item.link.label}: ${item.link.url}`);
    }
  }
  lines.push('', '--', 'Email preferences:', `  ${content.footer.preferencesUrl}`, 'Unsubscribe in one click:', `  ${content.footer.unsubscribeUrl}`);
  return `${lines.join('\n')}\n`;
}

type Template = (data: Record<string, unknown>) => string;
let layout: Template | undefined;

/** views/email/layout.ejs, read and compiled once, on the first email. */
function emailLayout(): Template {
  if (!layout) {
    const filename = path.join(ROOT_DIR, 'views', 'email', 'layout.ejs');
    layout = ejs.compile(readFileSync(filename, 'utf8'), { filename, async: false }) as Template;
  }
  return layout;
}

/**
 * The plain text and the HTML body of an email, synchronously: both from the same cleaned
 * content, so they carry the same lines and the same links. The HTML is the template
 * views/email/layout.ejs (inline CSS, tables, no images or scripts), every value escaped.
 */
export function renderEmail(content: EmailContent): RenderedEmail {
  const clean = cleaned(content);
  const html = emailLayout()({ ...clean, intro: clean.intro ?? null, preheader: clean.intro ?? clean.title });
  return { subject: clean.subject, text: renderText(clean), html };
}
