/**
 * Email preferences as a person uses them, in real Chromium under the real CSP: an ops
 * person chooses a weekly summary and alerts, saves, presses "Send me a test email",
 * and the email arrives at a real SMTP server; its one-click unsubscribe link works in
 * a browser that is not signed in; their page then says they unsubscribed; the admin's
 * Outbox lists the test email.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { emailOf, startWithFixtureUsers } from '../helpers/accounts.js';
import { launchBrowser, pathAndQuery, serveApp, signInAs, submit, withPage } from '../helpers/browser.js';
import { type SmtpSink, smtpEmailSetup, startSmtpSink } from '../helpers/email.js';

let suite: {
  fixtures: Awaited<ReturnType<typeof startWithFixtureUsers>>;
  served: Awaited<ReturnType<typeof serveApp>>;
  browser: Awaited<ReturnType<typeof launchBrowser>>;
};
let smtp: SmtpSink;
const received: ParsedMail[] = [];

before(async () => {
  smtp = await startSmtpSink(received);
  const fixtures = await startWithFixtureUsers({ email: smtpEmailSetup(smtp.port) });
  suite = { fixtures, served: await serveApp(fixtures.app), browser: await launchBrowser() };
});
after(async () => {
  await suite?.browser.close();
  await suite?.served.close();
  await suite?.fixtures.db.drop();
  await smtp.close();
});

test('an ops person sets preferences, sends a test email that arrives, and unsubscribes from it in one click', { timeout: 90_000 }, async () => {
  const { browser, served, fixtures } = suite;
  const orgId = fixtures.orgA.organisation.id;
  let unsubscribeUrl = '';

  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('teammate'), '/settings/profile');
    await submit(page, page.locator('nav.sub-nav').getByRole('link', { name: 'Email' }));
    assert.equal(pathAndQuery(page), '/settings/notifications');
    const section = page.locator(`section#org-${orgId}`);
    assert.match(await section.locator('.guidance').innerText(), /You have no email preferences here, so you get no email/);
    assert.match(await page.locator('main').innerText(), /your time zone, UTC/);

    await section.getByLabel('How often').selectOption('weekly');
    await section.getByLabel('Day (weekly summary)').selectOption({ label: 'Friday' });
    await section.getByLabel(/^At \(daily and weekly summary/).fill('16:45');
    await section.getByLabel('Least severity listed').selectOption('info');
    await section.getByLabel('When nothing needs action').selectOption('one_line');
    await section.getByLabel('A new error group appears').uncheck();
    await section.getByLabel('Records per run drop sharply').uncheck();
    await section.getByLabel('Alert about failed runs after this many in a row').fill('2');
    await section.getByLabel('Repeat an alert about the same thing at most').selectOption('hourly');
    await submit(page, section.getByRole('button', { name: /^Save my preferences/ }));
    assert.match(await section.getByRole('status').innerText(), /Saved\. Your email preferences for this organisation are in force\./);
    assert.match(await section.innerText(), /You get a summary every Friday at 16:45, 3 kinds of alert at teammate@example\.com\./);
    const stored = await fixtures.db.knex('email_preferences').where({ org_id: orgId }).first();
    assert.deepEqual(
      [stored.frequency, stored.weekday, stored.local_time, stored.min_severity, stored.empty_summary, stored.alert_after_failures, stored.alert_repeat],
      ['weekly', 5, '16:45', 'info', 'one_line', 2, 'hourly'],
    );
    assert.deepEqual(stored.alerts, ['missed_run', 'run_failed', 'recovery']);
    await watched.assertNoProblems();

    await submit(page, section.getByRole('button', { name: 'Send me a test email' }));
    assert.match(await section.getByRole('status').innerText(), /Test email sent to teammate@example\.com .* through the SMTP server\./);
    assert.equal(received.length, 1, 'the email arrived at the SMTP server');
    const mail = received[0]!;
    assert.match(mail.subject ?? '', /^feedlog test email for /);
    assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'teammate@example.com');
    const header = mail.headerLines.find((line) => line.key === 'list-unsubscribe')!.line;
    // The email links PUBLIC_URL; the test serves the app elsewhere.
    unsubscribeUrl = `${served.url}${new URL(/<([^>]+)>/.exec(header)![1]!).pathname}`;
    await watched.assertNoProblems();
  });

  // Someone reading their mail elsewhere, not signed in.
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await page.goto(unsubscribeUrl);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Stop these emails?');
    await submit(page, page.getByRole('button', { name: 'Unsubscribe' }));
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'You are unsubscribed');
    await watched.assertNoProblems();
  });

  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('teammate'), '/settings/notifications');
    assert.match(await page.locator(`section#org-${orgId} .guidance`).innerText(), /You unsubscribed (just now|.* ago): you get no email from/);
    await watched.assertNoProblems();
  });

  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/outbox');
    const row = page.locator('table.outbox tbody tr').first();
    assert.match(await row.innerText(), /teammate@example\.com\s+test\s+feedlog test email for .*\s+sent\s+1/);
    await watched.assertNoProblems();
  });
});
