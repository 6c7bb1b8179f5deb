/**
 * `feedlog summary send`: as a command (a child process on real PostgreSQL: its errors,
 * the dry run that sends and records nothing, a send into the outbox recorded as a
 * delivery), and its service at a frozen time against a real SMTP server: the person's
 * summary arrives under its own key, the scheduled one still goes out, and a refusing
 * server leaves the delivery to the scheduler's retries.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { type SmtpSink, startSmtpSink } from '../../test/helpers/email.js';
import { createUser } from '../accounts/accounts.service.js';
import { createApp } from '../app/app.js';
import { createMailer } from '../email/mailer.js';
import { type EmailPreferences, savePreferences } from '../email/preferences.queries.js';
import { sendDueEmails } from '../email/sender.service.js';
import { composeDelivery } from '../scheduler/compose-delivery.js';
import { enqueueDueSummaries } from '../summaries/summaries.service.js';
import { SummaryNotSentError, sendSummaryNow } from '../summaries/summary-now.service.js';
import { createIntegration } from '../integrations/integrations.service.js';
import { createOrganisation } from '../orgs/orgs.service.js';
import { frozenClock } from '../shared/clock.js';
import { runCli } from '../../test/helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';

const PUBLIC_URL = 'https://feedlog.example.com';
let db: TestDatabase;
let dataDir: string;
let env: Record<string, string | undefined>;
let server: SmtpSink;
let smtpUrl: string;
const received: ParsedMail[] = [];
const quiet = { info() {}, warn() {}, error() {} };
const preferences: Omit<EmailPreferences, 'unsubscribed_at'> = {
  integration_ids: null,
  frequency: 'daily',
  local_time: '08:00',
  weekday: 1,
  min_severity: 'error',
  empty_summary: 'skip',
  alerts: [],
  alert_after_failures: 1,
  alert_repeat: 'daily',
};

before(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'feedlog-summary-send-'));
  env = { DATABASE_URL: db.url, DATA_DIR: dataDir, PUBLIC_URL, SMTP_URL: undefined };
  await createOrganisation(db.knex, 'acme', 'Acme Hotels');
  await createOrganisation(db.knex, 'beta', 'Beta Bars');
  const { token } = await createIntegration(db.knex, { orgSlug: 'acme', name: 'Planday to Flow', schedule: '1d' });
  await createUser(db.knex, { email: 'ops@example.com', role: 'ops', orgSlug: 'acme' });
  await createUser(db.knex, { email: 'both@example.com', role: 'ops', orgSlug: 'acme' });
  await createUser(db.knex, { email: 'both@example.com', role: 'ops', orgSlug: 'beta' });
  await createUser(db.knex, { email: 'help@example.com', role: 'support' });
  const ops = await db.knex('users').where({ email: 'ops@example.com' }).first('id');
  const acme = await db.knex('organisations').where({ slug: 'acme' }).first('id');
  await savePreferences(db.knex, Number(acme.id), Number(ops.id), preferences);
  const response = await postRun(
    createApp({ knex: db.knex }),
    token,
    makeRun({ run_id: 'r-1', started_at: '2026-11-29T10:00:00Z', finished_at: '2026-11-29T10:01:00Z' }),
  );
  assert.equal(response.status, 201, response.text);

  server = await startSmtpSink(received);
  smtpUrl = `smtp://127.0.0.1:${server.port}`;
});
after(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
  await db.drop();
});

const cli = (...args: string[]) => runCli(['summary', 'send', ...args], env);
const deliveries = () => db.knex('email_deliveries').orderBy('id').select('dedupe_key', 'status', 'kind', 'subject', 'last_error', 'attempts');

describe('feedlog summary send', () => {
  test('mistakes exit 1 and say what to do next; a missing --user exits 2 with the usage', async () => {
    const missing = await cli();
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Missing --user/);
    assert.match(missing.stderr, /Usage: feedlog summary send --user <email> \[--org <slug>\] \[--dry-run\]/);

    const unknown = await cli('--user', 'nobody@example.com');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No user with email nobody@example.com\. .*feedlog user create --email nobody@example.com --role ops --org <slug>/);

    const several = await cli('--user', 'both@example.com');
    assert.equal(several.code, 1);
    assert.match(several.stderr, /both@example\.com belongs to 2 organisations \(acme, beta\): say which with --org <slug>, e\.g\. --org acme/);

    const notTheirs = await cli('--user', 'ops@example.com', '--org', 'beta');
    assert.equal(notTheirs.code, 1);
    assert.match(notTheirs.stderr, /ops@example\.com is not a member of 'beta'\. Their organisations: acme\. Run again with --org acme/);

    const support = await cli('--user', 'help@example.com');
    assert.equal(support.code, 1);
    assert.match(support.stderr, /belongs to no organisation/);
    assert.deepEqual(await deliveries(), [], 'nothing recorded');
  });

  test('--dry-run prints the subject, the text and the HTML size; nothing is sent or recorded', async () => {
    const dry = await cli('--user', 'OPS@example.com', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /^Summary for ops@example\.com in 'acme', \S+ to \S+ \(dry run: nothing sent or recorded\)\nTo: ops@example\.com\nSubject: feedlog summary for Acme Hotels: /,
    );
    assert.match(dry.stdout, /\nEmail preferences:\n {2}https:\/\/feedlog\.example\.com\/settings\/notifications\n/);
    assert.match(dry.stdout, /\nHTML: [\d,]+ bytes/);
    assert.match(dry.stdout, /Send it with: feedlog summary send --user ops@example\.com --org acme/);
    assert.doesNotMatch(dry.stdout, /<[a-z][^>]*>/i, 'the text, not the HTML');
    assert.deepEqual(await deliveries(), []);
    assert.equal(
      await db
        .knex('unsubscribe_links')
        .count<{ count: string }[]>('* AS count')
        .then((rows) => Number(rows[0]!.count)),
      0,
      'no link made',
    );
    assert.deepEqual(await readdir(dataDir).catch(() => []), [], 'no outbox file');

    const defaults = await cli('--user', 'both@example.com', '--org', 'beta', '--dry-run');
    assert.equal(defaults.code, 0, defaults.stderr);
    assert.match(
      defaults.stderr,
      /note: both@example\.com has no email preferences for 'beta': using the defaults \(daily at 08:00 in UTC, every integration, errors only\)/,
    );
    assert.match(defaults.stdout, /Subject: feedlog summary for Beta Bars: /);
  });

  test('without SMTP it writes the email to the outbox and records it as a delivery under its own key', async () => {
    const sent = await cli('--user', 'ops@example.com');
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /Wrote the summary for ops@example\.com in 'acme' \(.*\) to the outbox: (\S+\.eml) \(no SMTP_URL is set/);
    const file = /to the outbox: (\S+\.eml)/.exec(sent.stdout)![1]!;
    const mail = await simpleParser(await readFile(file));
    assert.match(mail.subject ?? '', /^feedlog summary for Acme Hotels/);
    assert.match(String(mail.html), /<a href="https:\/\/feedlog\.example\.com\/unsubscribe\/fl_uns_\d+_[A-Za-z0-9_-]{43}"[^>]*>Unsubscribe<\/a>/);
    assert.match(sent.stdout, /Recorded as delivery \d+, Message-ID <[0-9a-f]{32}@feedlog>\./);
    const [delivery] = await deliveries();
    assert.equal(delivery.status, 'sent');
    assert.match(delivery.dedupe_key, /^manual:daily:\d{4}-\d{2}-\d{2}:\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
    assert.equal(delivery.subject, mail.subject);
    const [{ outbox_file }] = await db.knex('email_deliveries').where({ dedupe_key: delivery.dedupe_key }).select('outbox_file');
    assert.equal(outbox_file, path.basename(file), 'the Outbox page can open it');
  });

  test('at a frozen time, over SMTP: the summary with the period’s figures, and the scheduled one still goes out', async () => {
    await db.knex('email_deliveries').delete();
    const mailer = createMailer({ smtpUrl, smtpTlsRejectUnauthorized: true, from: 'feedlog <feedlog@example.com>', outboxDir: '/nonexistent' });
    try {
      const clock = frozenClock('2026-11-30T08:30:00Z');
      const result = await sendSummaryNow(db.knex, { email: 'ops@example.com', dryRun: false, mailer, publicUrl: PUBLIC_URL, clock });
      assert.equal(result.sent?.outboxFile, null);
      assert.equal(received.length, 1);
      assert.match(received[0]!.text ?? '', /Planday to Flow: 1 run, 100% succeeded/);
      assert.match(received[0]!.text ?? '', /'kitchen porter'.*'Kitchen Porter'/);
      assert.ok(received[0]!.headerLines.some((line) => line.line === 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'));

      await enqueueDueSummaries(db.knex, clock.now());
      const counts = await sendDueEmails(db.knex, {
        compose: (delivery) => composeDelivery(db.knex, delivery, { publicUrl: PUBLIC_URL }),
        mailer,
        clock,
        log: quiet,
      });
      assert.deepEqual(counts, { sent: 1, skipped: 0, failed: 0 }, 'the scheduled summary of the same period is its own delivery');
      assert.deepEqual(
        (await deliveries()).map((d) => [d.dedupe_key.split(':')[0], d.status]),
        [
          ['manual', 'sent'],
          ['summary', 'sent'],
        ],
      );
      assert.equal(received.length, 2);
      assert.notEqual(received[0]!.messageId, received[1]!.messageId);
    } finally {
      mailer.close();
    }
  });

  test('a mail server that cannot be reached: an error that says what to check, and the delivery kept for a retry', async () => {
    await db.knex('email_deliveries').delete();
    const closed = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', smtpTlsRejectUnauthorized: true, from: 'feedlog@example.com', outboxDir: '/nonexistent' });
    try {
      await assert.rejects(
        sendSummaryNow(db.knex, { email: 'ops@example.com', dryRun: false, mailer: closed, publicUrl: PUBLIC_URL, clock: frozenClock('2026-11-30T09:00:00Z') }),
        (error: Error) =>
          error instanceof SummaryNotSentError &&
          /Check SMTP_URL.*Delivery \d+ is kept: the scheduler of a running server tries again at 2026-11-30T09:01:00\.000Z/.test(error.message),
      );
      const [delivery] = await deliveries();
      assert.equal(delivery.status, 'pending');
      assert.equal(delivery.attempts, 1);
      assert.ok(delivery.last_error);
    } finally {
      closed.close();
    }
  });
});
