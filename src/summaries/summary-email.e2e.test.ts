/**
 * A daily summary from end to end: runs ingested over HTTP, an ops person's preferences,
 * the scheduler's two steps at a frozen time (due summaries, then the sender), a real
 * SMTP server. The email says what needs action with the actual values, its links open
 * the filtered pages for that person (and 404 for another organisation), and its
 * one-click unsubscribe link stops the next one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import type { ParsedMail } from 'mailparser';
import { type SmtpSink, smtpEmailSetup, startSmtpSink } from '../../test/helpers/email.js';
import { frozenClock } from '../shared/clock.js';
import { emailOf, signIn, startWithFixtureUsers } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';
import { composeDelivery } from '../scheduler/compose-delivery.js';
import type { Mailer } from '../email/mailer.js';
import { savePreferences, unsubscribe } from '../email/preferences.queries.js';
import { sendDueEmails } from '../email/sender.service.js';
import { enqueueDueSummaries } from './summaries.service.js';

const PUBLIC_URL = 'https://feedlog.example.com';
let db: TestDatabase;
let app: Express;
let orgAId: number;
let server: SmtpSink;
let mailer: Mailer;
const received: ParsedMail[] = [];
const quiet = { info() {}, warn() {}, error() {} };

before(async () => {
  const started = await startWithFixtureUsers();
  db = started.db;
  app = started.app;
  orgAId = started.orgA.organisation.id;
  const response = await postRun(app, started.orgA.token, makeRun({ run_id: 'r-1', started_at: '2026-11-29T10:00:00Z', finished_at: '2026-11-29T10:01:00Z' }));
  assert.equal(response.status, 201, response.text);
  // Ana's update fails two hours later: she is blocked since then (the create of Ben failed: he was never applied).
  const failed = makeRun({
    run_id: 'r-2',
    started_at: '2026-11-29T12:00:00Z',
    finished_at: '2026-11-29T12:01:00Z',
    records: [
      {
        external_id: '4512_1',
        action: 'update',
        outcome: 'failed',
        employee: { first_name: 'Ana', last_name: 'Lopez', email: 'ana@example.com', job_title: 'Head Chef', department: 'Kitchen', branch: 'London Soho' },
        messages: [{ code: 'TIMEOUT', text: 'The target timed out' }],
      },
    ],
  });
  const second = await postRun(app, started.orgA.token, failed);
  assert.equal(second.status, 201, second.text);
  const teammate = await db
    .knex('users')
    .where({ email: emailOf('teammate') })
    .first('id');
  await savePreferences(db.knex, orgAId, Number(teammate.id), {
    integration_ids: null,
    frequency: 'daily',
    local_time: '08:00',
    weekday: 1,
    min_severity: 'error',
    empty_summary: 'skip',
    alerts: [],
    alert_after_failures: 1,
    alert_repeat: 'daily',
  });
  server = await startSmtpSink(received);
  mailer = smtpEmailSetup(server.port).mailer;
});
after(async () => {
  mailer.close();
  await server.close();
  await db.drop();
});

async function tick(at: string) {
  const clock = frozenClock(at);
  await enqueueDueSummaries(db.knex, clock.now());
  return sendDueEmails(db.knex, { compose: (delivery) => composeDelivery(db.knex, delivery, { publicUrl: PUBLIC_URL }), mailer, clock, log: quiet });
}

describe('a daily summary by email', () => {
  test('arrives once, says what needs action with the actual values, and its links open the filtered pages', async () => {
    assert.deepEqual(await tick('2026-11-30T08:05:00Z'), { sent: 1, skipped: 0, failed: 0 });
    assert.deepEqual(await tick('2026-11-30T08:20:00Z'), { sent: 0, skipped: 0, failed: 0 }, 'once');
    assert.equal(received.length, 1);
    const mail = received[0]!;
    assert.equal(mail.subject, 'feedlog summary for org-a Ltd: 2 new error groups');
    const text = mail.text ?? '';
    const html = String(mail.html);
    assert.match(text, /^org-a Ltd, 2026-11-29 to 2026-11-30\n\n2 new, 0 resolved\.\n/);
    assert.match(
      text,
      /\nRuns\n- A flow: 2 runs, 100% succeeded \(no runs the period before\)\n {2}Runs of A flow: https:\/\/feedlog\.example\.com\/runs\?integration=\d+&from=2026-11-29T08%3A00%3A00Z&to=2026-11-30T08%3A00%3A00Z\n/,
    );
    assert.match(text, /\nError groups\n- 2 new \(0 the period before\)\n/);
    assert.match(text, /\nLargest open groups\n- [^\n]+: 1 employee blocked in A flow\n {2}[^\n]*'kitchen porter'[^\n]*'Kitchen Porter'/);
    assert.match(
      text,
      /\nEmployees blocked longest\n- Ana Lopez \(4512_1\), blocked since 2026-11-29\n {2}In A flow\n {2}Open the employee: https:\/\/feedlog\.example\.com\/employees\/4512_1\?integration=\d+\n/,
    );
    assert.doesNotMatch(text, /<[a-z/][^>]*>|&#?\w+;/i, 'the text has no HTML');

    // The HTML says the same: the title, every section, the same links, the footer's two links; no image, script or style sheet.
    assert.match(html, /<h1 [^>]*>org-a Ltd, 2026-11-29 to 2026-11-30<\/h1>/);
    for (const heading of ['Runs', 'Error groups', 'Largest open groups', 'Employees blocked longest'])
      assert.match(html, new RegExp(`<h2 [^>]*>${heading}</h2>`));
    assert.match(html, /&#39;kitchen porter&#39;/);
    assert.doesNotMatch(html, /<img|<script|<style|<link|\son\w+=/i);
    const htmlLinks = [...html.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((match) => ({
      url: match[1]!.replaceAll('&amp;', '&'),
      label: match[2]!,
    }));
    const textLinks = [...text.matchAll(/https:\/\/\S+/g)].map((match) => match[0]);
    assert.deepEqual(
      htmlLinks.map((link) => link.url),
      textLinks,
      'the HTML links are the text links, in the same order',
    );
    assert.deepEqual(htmlLinks.slice(-2), [
      { url: 'https://feedlog.example.com/settings/notifications', label: 'Email preferences' },
      { url: htmlLinks.at(-1)!.url, label: 'Unsubscribe' },
    ]);
    const listUnsubscribe = mail.headerLines.find((line) => line.key === 'list-unsubscribe')!.line;
    assert.ok(listUnsubscribe.includes(`<${htmlLinks.at(-1)!.url}>`), 'the footer unsubscribes as the header does');
    assert.match(html, /<a href="https:\/\/feedlog\.example\.com\/error-groups\/\d+"/);

    const links = textLinks.filter((url) => /\/(runs|error-groups|employees)\b/.test(url)).map((url) => url.slice(PUBLIC_URL.length));
    assert.ok(links.length >= 5, links.join(' '));
    const teammate = await signIn(app, emailOf('teammate'));
    const outsider = await signIn(app, emailOf('outsider'));
    for (const path of links) {
      assert.equal((await teammate.agent.get(path)).status, 200, path);
      const theirs = await outsider.agent.get(path);
      if (/^\/(error-groups\/\d+|employees\/[^?]+)/.test(path)) assert.equal(theirs.status, 404, `${path} is not the outsider's`);
      else assert.doesNotMatch(theirs.text, /kitchen porter/i, `${path} shows the outsider nothing of org-a`);
    }
  });

  test('the unsubscribe link of the email stops the next summary', async () => {
    const header = received[0]!.headerLines.find((line) => line.key === 'list-unsubscribe')!.line;
    const token = /\/unsubscribe\/(fl_uns_[^>]+)>/.exec(header)![1]!;
    assert.ok(await unsubscribe(db.knex, token, new Date('2026-11-30T09:00:00Z')));
    assert.deepEqual(await tick('2026-12-01T08:05:00Z'), { sent: 0, skipped: 0, failed: 0 });
    assert.equal(received.length, 1);
    assert.equal((await db.knex('email_deliveries').where({ org_id: orgAId }).count<{ count: string }[]>('* AS count'))[0]!.count, 1, 'no delivery recorded');
  });
});
