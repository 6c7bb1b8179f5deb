/**
 * Alerts from end to end: runs ingested over HTTP, the scheduler's jobs at a frozen,
 * moving time (missed runs, summaries, alerts, sender), run by TWO schedulers racing on
 * one database at every tick, and a real SMTP server. Each alert kind arrives once with
 * its actual values and links that open for the person (and 404 for another
 * organisation); N consecutive failures, repeats held within the period and sent in the
 * next, recovery once per outage, and the preferences (kinds off, integrations not
 * chosen, unsubscribed, disabled, subscribed late) are respected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { ParsedMail } from 'mailparser';
import { type SmtpSink, smtpEmailSetup, startSmtpSink } from '../../test/helpers/email.js';
import { createUser } from '../accounts/accounts.service.js';
import { createKnex } from '../db/database.js';
import { schedulerJobs } from '../scheduler/jobs.js';
import { emailOf, FIXTURE_PASSWORD, signIn, startWithFixtureUsers } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';
import { detectAlerts } from './alerts.service.js';
import type { Mailer } from '../email/mailer.js';
import { type EmailPreferences, savePreferences } from '../email/preferences.queries.js';

const PUBLIC_URL = 'https://feedlog.example.com';
const ALL = ['missed_run', 'run_failed', 'new_group', 'records_drop', 'recovery'];
let db: TestDatabase;
let secondKnex: Knex;
let app: Express;
let tokenA: string;
let tokenB: string;
let orgAId: number;
let orgBId: number;
let integrationA: number;
let server: SmtpSink;
let mailer: Mailer;
const received: ParsedMail[] = [];

const preferences = (overrides: Partial<EmailPreferences> = {}): Omit<EmailPreferences, 'unsubscribed_at'> => ({
  integration_ids: null,
  frequency: 'off',
  local_time: '08:00',
  weekday: 1,
  min_severity: 'error',
  empty_summary: 'skip',
  alerts: ALL,
  alert_after_failures: 1,
  alert_repeat: 'daily',
  ...overrides,
});

async function userId(email: string): Promise<number> {
  return Number((await db.knex('users').where({ email }).first('id')).id);
}

async function addOps(name: string, overrides: Partial<EmailPreferences>): Promise<number> {
  const { user } = await createUser(db.knex, { email: `${name}@example.com`, role: 'ops', orgSlug: 'org-a', password: FIXTURE_PASSWORD });
  await savePreferences(db.knex, orgAId, Number(user.id), preferences(overrides));
  return Number(user.id);
}

/** A clean run of `count` records (no errors), every 15 minutes as the integration's schedule expects. */
function goodRun(runId: string, startedAt: string, count = 20) {
  const start = new Date(startedAt);
  return makeRun({
    run_id: runId,
    started_at: start.toISOString(),
    finished_at: new Date(start.getTime() + 60_000).toISOString(),
    status: 'completed',
    records: Array.from({ length: count }, (_, i) => ({
      external_id: `e-${i}`,
      action: 'update',
      outcome: 'succeeded',
      employee: {
        first_name: 'Ana',
        last_name: `Lopez ${i}`,
        email: `ana${i}@example.com`,
        job_title: 'Head Chef',
        department: 'Kitchen',
        branch: 'London Soho',
      },
      messages: [],
    })),
  });
}

function failedRun(runId: string, startedAt: string, error: string) {
  const start = new Date(startedAt);
  return makeRun({
    run_id: runId,
    started_at: start.toISOString(),
    finished_at: new Date(start.getTime() + 5_000).toISOString(),
    status: 'failed',
    run_error: error,
    records: [],
  });
}

async function post(token: string, body: Record<string, unknown>) {
  const response = await postRun(app, token, body);
  assert.equal(response.status, 201, response.text);
}

/** One tick of two schedulers racing on one database (two connection pools), every job in its order. */
async function tick(at: string): Promise<ParsedMail[]> {
  const now = new Date(at);
  const jobs = schedulerJobs({ mailer, publicUrl: PUBLIC_URL });
  await Promise.all(
    [db.knex, secondKnex].map(async (knex) => {
      for (const job of jobs) await job.run(knex, now);
    }),
  );
  // The SMTP server has parsed every message once the sender's send resolved; give mailparser a moment.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return received.splice(0).sort((a, b) => `${toOf(a)} ${a.subject}`.localeCompare(`${toOf(b)} ${b.subject}`));
}

const toOf = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((to) => to?.value.map((v) => v.address) ?? []);
const summaryOf = (mails: ParsedMail[]) => mails.map((mail) => `${toOf(mail).join(',')}: ${mail.subject}`);
const linksOf = (mail: ParsedMail) => [...(mail.text ?? '').matchAll(/https:\/\/feedlog\.example\.com(\/(?:runs|error-groups)\S*)/g)].map((m) => m[1]!);

/** Every link of the email opens for the teammate; another organisation's member gets a 404 or nothing of org-a. */
async function checkLinks(mail: ParsedMail) {
  const links = linksOf(mail);
  assert.ok(links.length >= 1, mail.text);
  const teammate = await signIn(app, emailOf('teammate'));
  const outsider = await signIn(app, emailOf('outsider'));
  for (const path of links) {
    assert.equal((await teammate.agent.get(path)).status, 200, path);
    const theirs = await outsider.agent.get(path);
    if (/^\/(runs|error-groups)\/\d+$/.test(path)) assert.equal(theirs.status, 404, `${path} is not the outsider's`);
    else assert.doesNotMatch(theirs.text, /A flow/, `${path} shows the outsider nothing of org-a`);
  }
}

/** The email carries the one-click unsubscribe headers and a link to the preferences. */
function checkFooter(mail: ParsedMail) {
  const header = (key: string) => mail.headerLines.find((line) => line.key === key)?.line ?? '';
  assert.match(header('list-unsubscribe'), /<https:\/\/feedlog\.example\.com\/unsubscribe\/fl_uns_\d+_[A-Za-z0-9_-]+>/);
  assert.match(header('list-unsubscribe-post'), /List-Unsubscribe=One-Click/);
  assert.match(mail.text ?? '', /https:\/\/feedlog\.example\.com\/settings\/notifications/);
}

before(async () => {
  const started = await startWithFixtureUsers();
  db = started.db;
  app = started.app;
  secondKnex = createKnex(db.url, 5);
  tokenA = started.orgA.token;
  tokenB = started.orgB.token;
  orgAId = started.orgA.organisation.id;
  orgBId = started.orgB.organisation.id;
  integrationA = Number(started.orgA.integration.id);
  const teammate = await userId(emailOf('teammate'));
  await db.knex('users').where({ id: teammate }).update({ time_zone: 'Europe/Copenhagen' });
  await savePreferences(db.knex, orgAId, teammate, preferences());
  // People who must get nothing: no alert kind chosen, another integration only, unsubscribed, disabled.
  await savePreferences(db.knex, orgAId, await userId(emailOf('owner')), preferences({ alerts: [] }));
  await addOps('elsewhere', { integration_ids: [Number(started.orgB.integration.id)] });
  const unsubscribed = await addOps('unsubscribed', {});
  await db
    .knex('email_preferences')
    .where({ org_id: orgAId, user_id: unsubscribed })
    .update({ unsubscribed_at: new Date('2026-11-29T00:00:00Z') });
  const disabled = await addOps('disabled', {});
  await db
    .knex('users')
    .where({ id: disabled })
    .update({ disabled_at: new Date('2026-11-29T00:00:00Z') });
  // Failed runs only: after 3 in a row; and once an hour.
  await addOps('patient', { alerts: ['run_failed'], alert_after_failures: 3 });
  await addOps('hourly', { alerts: ['run_failed'], alert_repeat: 'hourly' });

  server = await startSmtpSink(received);
  mailer = smtpEmailSetup(server.port).mailer;
  assert.deepEqual(await tick('2026-11-30T07:59:00Z'), [], 'the first tick starts watching; nothing before it is alerted');
});

after(async () => {
  mailer.close();
  await server.close();
  await secondKnex.destroy();
  await db.drop();
});

describe('alerts by email, two schedulers racing at every tick', () => {
  test('a new error group: once, with the guidance and the actual values, linking to the group', async () => {
    await post(tokenA, makeRun({ run_id: 'r1', started_at: '2026-11-30T08:00:00Z', finished_at: '2026-11-30T08:01:00Z' }));
    // org-b's failed run, before anyone of org-b subscribed: never alerted.
    await post(tokenB, failedRun('b1', '2026-11-30T08:00:00Z', 'B flow is down'));
    const mails = await tick('2026-11-30T08:02:00Z');
    assert.deepEqual(summaryOf(mails), ['teammate@example.com: A flow: new error group: Job title does not match Flow Learning exactly']);
    const mail = mails[0]!;
    assert.match(mail.text ?? '', /'kitchen porter'[\s\S]*'Kitchen Porter'/);
    assert.match(mail.text ?? '', /the run of 30 Nov 2026, 09:00:00 CET/);
    assert.match(String(mail.html), /<a href="https:\/\/feedlog\.example\.com\/error-groups\/\d+"/);
    checkFooter(mail);
    await checkLinks(mail);
    assert.deepEqual(await tick('2026-11-30T08:03:00Z'), [], 'once');
  });

  test('a failed run: its error text, the failed runs page; someone of org-b who subscribed late gets only what came after, about org-b', async () => {
    await savePreferences(db.knex, orgBId, await userId(emailOf('outsider')), preferences({ alerts: ['run_failed'] }));
    assert.deepEqual(await tick('2026-11-30T08:10:00Z'), [], 'org-b is watched from now on');
    await post(tokenA, failedRun('r2', '2026-11-30T08:15:00Z', 'Login to Flow Learning failed: 401 Unauthorized'));
    await post(tokenB, failedRun('b2', '2026-11-30T08:15:00Z', 'B flow is still down'));
    const mails = await tick('2026-11-30T08:17:00Z');
    assert.deepEqual(summaryOf(mails), [
      'hourly@example.com: A flow: run failed at 08:15',
      'outsider@example.com: B flow: run failed at 08:15',
      'teammate@example.com: A flow: run failed at 09:15',
    ]);
    const mail = mails.find((m) => toOf(m).includes('teammate@example.com'))!;
    assert.match(mail.text ?? '', /Run r2: error 'Login to Flow Learning failed: 401 Unauthorized'/);
    assert.match(mail.text ?? '', /Check the credentials the sync engine uses for Fourth and Flow Learning/);
    assert.match(mail.text ?? '', /\/runs\?integration=\d+&status=failed/);
    await checkLinks(mail);
    const theirs = mails.find((m) => toOf(m).includes('outsider@example.com'))!;
    assert.doesNotMatch(`${theirs.subject} ${theirs.text}`, /A flow|Login to Flow Learning/);
    assert.doesNotMatch(`${theirs.text}`, /B flow is down'/, 'nothing about the run before they subscribed');
  });

  test('repeats are held within the period; N consecutive failures alert once the Nth fails', async () => {
    await post(tokenA, failedRun('r3', '2026-11-30T08:30:00Z', 'Login to Flow Learning failed: 401 Unauthorized'));
    assert.deepEqual(await tick('2026-11-30T08:32:00Z'), [], 'held for the day (and the hour); 2 failures are not 3');
    await post(tokenA, failedRun('r3c', '2026-11-30T08:40:00Z', 'Login to Flow Learning failed: 401 Unauthorized'));
    const mails = await tick('2026-11-30T08:42:00Z');
    assert.deepEqual(summaryOf(mails), ['patient@example.com: A flow: run failed at 08:40 (3 failed runs in a row)']);
  });

  test('recovery: runs are arriving again, once per outage, to those who were told of it', async () => {
    await post(tokenA, goodRun('r4', '2026-11-30T08:45:00Z'));
    const mails = await tick('2026-11-30T08:47:00Z');
    assert.deepEqual(summaryOf(mails), ['teammate@example.com: A flow: runs are arriving again']);
    assert.match(mails[0]!.text ?? '', /30 min 0 s after the outage began \(30 Nov 2026, 09:15:00 CET\)/);
    await checkLinks(mails[0]!);
    await post(tokenA, goodRun('r5', '2026-11-30T09:00:00Z'));
    assert.deepEqual(await tick('2026-11-30T09:02:00Z'), [], 'once');
  });

  test('a missed run: no run since the last one, with the count, linking to the feed logs; then its recovery', async () => {
    // Racing, one scheduler may look for alerts while the other is still storing the gap:
    // then the alert comes a tick later (the gaps of the last 10 minutes are read again), never twice.
    const mails = [...(await tick('2026-11-30T09:30:00Z')), ...(await tick('2026-11-30T09:31:00Z'))];
    assert.deepEqual(summaryOf(mails), ['teammate@example.com: A flow: no run since 10:00 (1 run missed)']);
    assert.match(mails[0]!.text ?? '', /The run due at 30 Nov 2026, 10:15:00 CET did not arrive\./);
    assert.match(mails[0]!.text ?? '', /Check that the sync engine between Fourth and Flow Learning is enabled and scheduled/);
    assert.ok(linksOf(mails[0]!).includes(`/runs?integration=${integrationA}`));
    await checkLinks(mails[0]!);
    assert.deepEqual(await tick('2026-11-30T09:35:00Z'), [], 'one alert per gap');
    await post(tokenA, goodRun('r6', '2026-11-30T09:40:00Z'));
    assert.deepEqual(summaryOf(await tick('2026-11-30T09:42:00Z')), ['teammate@example.com: A flow: runs are arriving again']);
  });

  test('a sudden drop in records against the integration’s own recent runs', async () => {
    await post(tokenA, goodRun('r7', '2026-11-30T09:55:00Z'));
    await post(tokenA, goodRun('r8', '2026-11-30T10:10:00Z'));
    assert.deepEqual(await tick('2026-11-30T10:12:00Z'), []);
    await post(tokenA, goodRun('r9', '2026-11-30T10:25:00Z', 3));
    const mails = await tick('2026-11-30T10:27:00Z');
    assert.deepEqual(summaryOf(mails), ['teammate@example.com: A flow: 3 records in the run at 11:25, usually 20']);
    assert.match(mails[0]!.text ?? '', /sent 3 records; the median of the previous 6 successful runs is 20/);
    await checkLinks(mails[0]!);
  });

  test('the next period sends again: the hourly person hears of the next failure, the daily one not before tomorrow', async () => {
    await post(tokenA, failedRun('r10', '2026-11-30T10:40:00Z', 'Flow Learning answered 503'));
    assert.deepEqual(summaryOf(await tick('2026-11-30T10:42:00Z')), ['hourly@example.com: A flow: run failed at 10:40']);
    // Copenhagen's next day begins at 23:00 UTC.
    await post(tokenA, failedRun('r11', '2026-11-30T23:05:00Z', 'Flow Learning answered 503'));
    // The gap between the two failed runs was closed when it was found: no missed-run alert.
    assert.deepEqual(summaryOf(await tick('2026-11-30T23:07:00Z')), [
      'hourly@example.com: A flow: run failed at 23:05 (2 failed runs in a row)',
      'teammate@example.com: A flow: run failed at 00:05 (2 failed runs in a row)',
    ]);
  });

  test('a resolved error group seen again counts as new: alerted again (in a new period)', async () => {
    // The employee's job title fixed: the group resolves; the run ends the outage of the failed run before.
    const fixed = goodRun('r12', '2026-11-30T23:20:00Z');
    (fixed.records as unknown[]).push({
      external_id: '4512_2',
      action: 'update',
      outcome: 'succeeded',
      employee: { first_name: 'Ben', last_name: 'Okafor', email: 'ben@example.com', job_title: 'Kitchen Porter', department: 'Kitchen', branch: 'London Soho' },
      messages: [],
    });
    await post(tokenA, fixed);
    assert.deepEqual(summaryOf(await tick('2026-11-30T23:22:00Z')), ['teammate@example.com: A flow: runs are arriving again']);
    assert.equal((await db.knex('error_groups').where({ code: 'job_title_mismatch' }).first('status')).status, 'resolved');
    await post(tokenA, makeRun({ run_id: 'r13', started_at: '2026-11-30T23:35:00Z', finished_at: '2026-11-30T23:36:00Z' }));
    const mails = await tick('2026-11-30T23:37:00Z');
    assert.deepEqual(summaryOf(mails), [
      'teammate@example.com: A flow: 2 records in the run at 00:35, usually 20',
      'teammate@example.com: A flow: error group back: Job title does not match Flow Learning exactly',
    ]);
    await checkLinks(mails[1]!);
  });

  test('an alert the person stopped wanting before it was sent is not sent', async () => {
    await post(tokenA, failedRun('r14', '2026-12-01T00:50:00Z', 'Flow Learning answered 503'));
    await detectAlerts(db.knex, new Date('2026-12-01T00:51:00Z'));
    const hourly = await userId('hourly@example.com');
    const pending = await db.knex('email_deliveries').where({ kind: 'alert', status: 'pending' }).select('user_id', 'dedupe_key');
    assert.deepEqual(pending, [{ user_id: hourly, dedupe_key: `alert:run_failed:${integrationA}:hour:2026-12-01T00:00:00.000Z` }]);
    await savePreferences(db.knex, orgAId, hourly, preferences({ alerts: ['missed_run'] }));
    assert.deepEqual(await tick('2026-12-01T00:52:00Z'), []);
    const row = await db.knex('email_deliveries').where({ kind: 'alert', user_id: hourly }).orderBy('id', 'desc').first('status', 'last_error');
    assert.deepEqual(row, { status: 'skipped', last_error: 'run_failed alerts about this integration are no longer wanted' });
  });

  test('a run that opens many groups at once sends one email listing them, not one each', async () => {
    const titles = ['Sous Chef', 'Waiter', 'Barista', 'Cleaner', 'Night Manager'];
    const start = '2026-12-01T01:05:00Z';
    await post(
      tokenA,
      makeRun({
        run_id: 'r15',
        started_at: start,
        finished_at: '2026-12-01T01:06:00Z',
        records: titles.map((title, i) => ({
          external_id: `n-${i}`,
          action: 'create',
          outcome: 'failed',
          employee: {
            first_name: 'New',
            last_name: `Starter ${i}`,
            email: `new${i}@example.com`,
            job_title: title,
            department: 'Kitchen',
            branch: 'London Soho',
          },
          messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: `Job title '${title}' does not exist` }],
        })),
      }),
    );
    const mails = await tick('2026-12-01T01:07:00Z');
    assert.deepEqual(summaryOf(mails), ['teammate@example.com: A flow: 5 new error groups in the run of 1 Dec 2026, 02:05:00 CET']);
    for (const title of titles) assert.match(mails[0]!.text ?? '', new RegExp(`'${title}'`));
    assert.ok(linksOf(mails[0]!).includes(`/error-groups?integration=${integrationA}&status=open`), mails[0]!.text);
    await checkLinks(mails[0]!);
  });

  test('a late run that ends one gap while runs are missed again is no recovery; the run that ends the new gap is', async () => {
    // The last run started at 01:05; at 01:40 the 01:20 run is missed.
    const first = [...(await tick('2026-12-01T01:40:00Z')), ...(await tick('2026-12-01T01:41:00Z'))];
    // (The hourly person now wants missed runs only, and reads UTC.)
    assert.deepEqual(summaryOf(first), [
      'hourly@example.com: A flow: no run since 01:05 (1 run missed)',
      'teammate@example.com: A flow: no run since 02:05 (1 run missed)',
    ]);
    // The engine catches up at 02:10 with the run of 01:25 only: that gap ends, a new one is open.
    await post(tokenA, goodRun('r16', '2026-12-01T01:25:00Z'));
    const second = [...(await tick('2026-12-01T02:10:00Z')), ...(await tick('2026-12-01T02:11:00Z'))];
    assert.deepEqual(
      summaryOf(second),
      ['hourly@example.com: A flow: no run since 01:25 (2 runs missed)', 'teammate@example.com: A flow: no run since 02:25 (2 runs missed)'],
      'no "arriving again" while runs are missed',
    );
    await post(tokenA, goodRun('r17', '2026-12-01T02:12:00Z'));
    assert.deepEqual(summaryOf(await tick('2026-12-01T02:14:00Z')), ['teammate@example.com: A flow: runs are arriving again']);
    assert.deepEqual(await tick('2026-12-01T02:20:00Z'), [], 'once');
  });

  test('nobody else got anything, and each alert was recorded once', async () => {
    const rows = await db.knex('email_deliveries').where({ kind: 'alert' }).select('user_id', 'dedupe_key', 'status');
    const users = await db
      .knex('users')
      .whereIn('id', [...new Set(rows.map((row) => Number(row.user_id)))])
      .pluck('email');
    assert.deepEqual(users.sort(), ['hourly@example.com', 'outsider@example.com', 'patient@example.com', 'teammate@example.com']);
    assert.deepEqual(
      rows.filter((row) => row.status !== 'sent').map((row) => row.status),
      ['skipped'],
      'all sent but the one no longer wanted',
    );
    assert.equal(new Set(rows.map((row) => `${row.user_id}:${row.dedupe_key}`)).size, rows.length);
  });
});
