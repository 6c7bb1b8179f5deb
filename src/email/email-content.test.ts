import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type EmailContent, emailLine, renderEmail } from './email-content.js';

const URL_BASE = 'https://feedlog.example.com';
const footer = { preferencesUrl: `${URL_BASE}/settings/notifications`, unsubscribeUrl: `${URL_BASE}/unsubscribe/fl_uns_1_${'a'.repeat(43)}` };

const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'title', 'body', 'div', 'table', 'tr', 'td', 'p', 'h1', 'h2', 'a']);
const ALLOWED_ATTRIBUTES = new Set(['lang', 'charset', 'name', 'content', 'style', 'role', 'width', 'cellpadding', 'cellspacing', 'border', 'align', 'href']);

/**
 * The HTML's tags, read strictly: outside comments and the doctype, every `<` must open a
 * known tag with known, quoted attributes, so an unescaped value shows up as a leftover `<`.
 */
function tagsOf(html: string): Array<{ name: string; attributes: Record<string, string> }> {
  const tags: Array<{ name: string; attributes: Record<string, string> }> = [];
  const rest = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^<!DOCTYPE html>/, '')
    .replace(/<(\/?)([a-z0-9]+)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/g, (_tag, close: string, name: string, attributes: string) => {
      const parsed: Record<string, string> = {};
      for (const match of attributes.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) parsed[match[1]!] = match[2] ?? '';
      assert.ok(ALLOWED_TAGS.has(name), `unexpected tag <${close}${name}>`);
      if (!close) tags.push({ name, attributes: parsed });
      return '';
    });
  assert.doesNotMatch(rest, /[<>]/, 'every < and > outside the template is escaped');
  for (const tag of tags) {
    for (const attribute of Object.keys(tag.attributes)) assert.ok(ALLOWED_ATTRIBUTES.has(attribute), `unexpected attribute ${attribute} on <${tag.name}>`);
  }
  return tags;
}

const decode = (text: string) =>
  text.replace(/&#(\d+);|&amp;|&lt;|&gt;|&quot;/g, (entity, code: string | undefined) =>
    code ? String.fromCharCode(Number(code)) : ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' } as Record<string, string>)[entity]!,
  );

function linksOf(html: string): string[] {
  return tagsOf(html)
    .filter((tag) => tag.name === 'a')
    .map((tag) => decode(tag.attributes.href!));
}

const CONTENT: EmailContent = {
  subject: 'feedlog summary for Acme: 12 new error groups',
  title: 'Acme, 29 Nov to 30 Nov',
  intro: '12 new error groups, 30 resolved.',
  sections: [
    {
      heading: 'Runs',
      items: [
        {
          text: 'Planday to Flow: 96 runs, 94% succeeded',
          link: { url: `${URL_BASE}/runs?integration=3&from=2026-11-29T07:00:00.000Z`, label: 'Open the runs' },
        },
        { text: 'Mapal OS: no runs', detail: 'No run arrived in the period.' },
      ],
    },
  ],
  footer,
};

describe('an email rendered from its content', () => {
  test('the HTML is the layout: tables, inline CSS only, no style sheet, image or script; a preferences and an unsubscribe link', () => {
    const { subject, text, html } = renderEmail(CONTENT);
    assert.equal(subject, CONTENT.subject);
    const tags = tagsOf(html);
    assert.ok(tags.some((tag) => tag.name === 'table' && tag.attributes.role === 'presentation'));
    assert.doesNotMatch(html, /<style|<img|<script|<link|\son[a-z]+=|javascript:/i);
    assert.match(html, /<h1 [^>]*>Acme, 29 Nov to 30 Nov<\/h1>/);
    assert.match(html, /<a href="https:\/\/feedlog\.example\.com\/runs\?integration=3&amp;from=2026-11-29T07:00:00\.000Z" [^>]*>Open the runs<\/a>/);
    assert.match(html, new RegExp(`<a href="${footer.preferencesUrl}" [^>]*>Email preferences</a>`));
    assert.match(html, new RegExp(`<a href="${footer.unsubscribeUrl}" [^>]*>Unsubscribe</a>`));
    assert.match(html, /max-width:600px/, 'fluid below 600px, for phones');
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);

    assert.equal(
      text,
      [
        'Acme, 29 Nov to 30 Nov',
        '',
        '12 new error groups, 30 resolved.',
        '',
        'Runs',
        '- Planday to Flow: 96 runs, 94% succeeded',
        `  Open the runs: ${URL_BASE}/runs?integration=3&from=2026-11-29T07:00:00.000Z`,
        '- Mapal OS: no runs',
        '  No run arrived in the period.',
        '',
        '--',
        'Email preferences:',
        `  ${footer.preferencesUrl}`,
        'Unsubscribe in one click:',
        `  ${footer.unsubscribeUrl}`,
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(text, /<[a-z/!][^>]*>|&[a-z]+;|&#\d+;/i, 'the text has no HTML');
    const links = linksOf(html);
    assert.equal(links.length, 3);
    for (const link of links) assert.ok(text.includes(link), `${link} is in the text too`);
  });

  test('hostile values are escaped in the HTML, kept as plain text, long ones cut and bidi controls shown', () => {
    const script = '<script>alert(1)</script>';
    const img = '"><img src=x onerror=alert(document.cookie)>';
    const long = `value ${'x'.repeat(100_000)}`;
    const rtl = 'Ana \u202Egnp.exe\u202C Lopez \u2067isolated\u2069';
    const hostile: EmailContent = {
      subject: `${script} ${img}`,
      title: `${img}\r\nBcc: someone@example.com`,
      intro: script,
      sections: [
        {
          heading: `${script}<h1>`,
          items: [
            { text: img, detail: long, link: { url: `${URL_BASE}/employees?q=${encodeURIComponent(img)}`, label: script } },
            { text: rtl, detail: `'${script}' should be '${img}'`, link: { url: `${URL_BASE}/error-groups/7?a=1&b=2`, label: 'Open the group' } },
          ],
        },
      ],
      footer,
    };
    const { subject, text, html } = renderEmail(hostile);
    tagsOf(html);
    assert.doesNotMatch(html, /<script|<img|<h1>/i);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('&#34;&gt;&lt;img src=x onerror=alert(document.cookie)&gt;'));
    assert.ok(html.length < 20_000, `the HTML stays small (${html.length} characters)`);
    assert.ok(text.length < 5_000, `the text stays small (${text.length} characters)`);
    assert.match(text, /value x{300}.*… \(100,006 characters\)/);
    for (const body of [subject, text, html]) assert.doesNotMatch(body, /[\u202A-\u202E\u2066-\u2069\r]/, 'no bidi control or line break from a value');
    assert.ok(text.includes('Ana [U+202E]gnp.exe[U+202C] Lopez [U+2067]isolated[U+2069]'));
    assert.ok(html.includes('Ana [U+202E]gnp.exe[U+202C] Lopez [U+2067]isolated[U+2069]'));
    assert.equal(text.split('\n')[0], `${img} Bcc: someone@example.com`, 'a value cannot add a line');
    assert.ok(text.includes(`- ${img}`), 'the text keeps the value as it is: plain text is not interpreted');
    const links = linksOf(html);
    assert.deepEqual(links, [
      `${URL_BASE}/employees?q=${encodeURIComponent(img)}`,
      `${URL_BASE}/error-groups/7?a=1&b=2`,
      footer.preferencesUrl,
      footer.unsubscribeUrl,
    ]);
    for (const link of links) assert.ok(text.includes(link), `${link} is in the text too`);
  });

  test('a link that is not an absolute http(s) URL is refused, never rendered', () => {
    for (const url of ['javascript:alert(1)', '/runs', `${URL_BASE}/runs" onclick="x`]) {
      assert.throws(
        () => renderEmail({ ...CONTENT, sections: [{ heading: 'x', items: [{ text: 'x', link: { url, label: 'x' } }] }] }),
        /absolute http\(s\) URL/,
        url,
      );
    }
  });

  test('emailLine keeps short lines, cuts long ones without splitting a surrogate pair', () => {
    assert.equal(emailLine('  fine  '), 'fine');
    assert.equal(emailLine(`${'a'.repeat(9)}😀tail`, 10), `${'a'.repeat(9)}… (15 characters)`);
  });
});
