/**
 * The email preferences page and API, the test email (to a real SMTP server, and into
 * the outbox), the organisation's defaults for new members, and the Outbox page, over
 * real HTTP on real PostgreSQL, as the fixture people: owner (admin of org-a), teammate
 * (ops of org-a), outsider (admin of org-b) and support.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { createFixtureUsers, emailOf, signIn, type BrowserSession } from '../../test/helpers/accounts.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { outboxEmailSetup, smtpEmailSetup } from '../../test/helpers/email.js';
import { createApiToken, createUser } from '../accounts/accounts.service.js';
import { createApp } from '../app/app.js';
import { findUserByEmail } from '../auth/auth.queries.js';
import { frozenClock } from '../shared/clock.js';
import type { EmailSetup } from '../email/mail-setup.js';
import { explainOutbox } from './notifications.queries.js';

let db: TestDatabase;
let fixtures: Awaited<ReturnType<typeof createFixtureUsers>>;
let smtp: SMTPServer;
let smtpApp: Express;
let outboxApp: Express;
let outbox: EmailSetup;
let refusing = false;
const received: ParsedMail[] = [];
const clock = frozenClock('2026-11-30T09:00:00Z');
const ids = {} as Record<'owner' | 'teammate' | 'outsider' | 'support' | 'orgA' | 'orgB' | 'integrationA', number>;

const FORM = {
  integrations: 'all',
  frequency: 'weekly',
  weekday: '3',
  local_time: '07:30',
  min_severity: 'info',
  empty_summary: 'one_line',
  alerts: ['missed_run', 'recovery'],
  alert_after_failures: '3',
  alert_repeat: 'weekly',
};

before(async () => {
  db = await createTestDatabase();
  fixtures = await createFixtureUsers(db.knex);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, done) {
      done(refusing ? Object.assign(new Error('mailbox unavailable for the test'), { responseCode: 550 }) : undefined);
    },
    onData(stream, _session, done) {
      simpleParser(stream).then((mail) => {
        received.push(mail);
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpApp = createApp({ knex: db.knex, clock, email: smtpEmailSetup((smtp.server.address() as AddressInfo).port) });
  outbox = outboxEmailSetup();
  outboxApp = createApp({ knex: db.knex, clock, email: outbox });
  for (const who of ['owner', 'teammate', 'outsider', 'support'] as const) ids[who] = (await findUserByEmail(db.knex, emailOf(who)))!.id;
  ids.orgA = fixtures.orgA.organisation.id;
  ids.orgB = fixtures.orgB.organisation.id;
  ids.integrationA = fixtures.orgA.integration.id;
});
after(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await db.drop();
});

async function post(session: BrowserSession, path: string, form: Record<string, string | string[]> = {}) {
  return session.agent
    .post(path)
    .set('Accept', 'text/html')
    .type('form')
    .send({ ...form, _csrf: await session.csrf() });
}

const prefsRow = (orgId: number, userId: number) => db.knex('email_preferences').where({ org_id: orgId, user_id: userId }).first();

describe('the preferences page', () => {
  test('a member without preferences is told they get no email; the zone is named; every form has its CSRF token', async () => {
    const teammate = await signIn(smtpApp, emailOf('teammate'));
    const page = await teammate.agent.get('/settings/notifications');
    assert.equal(page.status, 200);
    assert.match(page.text, /You have no email preferences here, so you get <strong>no email<\/strong>/);
    assert.match(page.text, /your time zone, UTC/);
    assert.match(page.text, /<a href="\/settings\/notifications" aria-current="page">Email<\/a>/);
    const forms = page.text.match(/<form[^>]* method="post"/g)!.length;
    assert.equal(page.text.match(/name="_csrf"/g)!.length, forms, 'one CSRF field per form');
    assert.doesNotMatch(page.text, /Default for new members/, 'ops set no defaults');
    assert.doesNotMatch(page.text, /org-b/);
  });

  test('saving stores every field; the page then says what they get', async () => {
    const teammate = await signIn(smtpApp, emailOf('teammate'));
    const res = await post(teammate, `/settings/notifications/${ids.orgA}`, { ...FORM, integrations: 'chosen', integration_ids: String(ids.integrationA) });
    assert.equal(res.status, 303, res.text);
    const row = await prefsRow(ids.orgA, ids.teammate);
    assert.deepEqual(
      { ...row, integration_ids: row.integration_ids.map(Number), updated_at: undefined },
      {
        org_id: ids.orgA,
        user_id: ids.teammate,
        integration_ids: [ids.integrationA],
        frequency: 'weekly',
        local_time: '07:30',
        weekday: 3,
        min_severity: 'info',
        empty_summary: 'one_line',
        alerts: ['missed_run', 'recovery'],
        alert_after_failures: 3,
        alert_repeat: 'weekly',
        unsubscribed_at: null,
        updated_at: undefined,
      },
    );
    const page = await teammate.agent.get(res.headers.location!);
    assert.match(page.text, /Saved\. Your email preferences for this organisation are in force\./);
    assert.match(page.text, /You get a summary every Wednesday at 07:30, 2 kinds of alert/);
  });

  test('a mistake is shown in the form with a 400 and stores nothing', async () => {
    const teammate = await signIn(smtpApp, emailOf('teammate'));
    const before = await prefsRow(ids.orgA, ids.teammate);
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ ...FORM, local_time: '25:00' }, /local_time: expected a local time as HH:MM/],
      [{ ...FORM, alert_after_failures: '0' }, /Alert after 1 to 100 failed runs/],
      [{ ...FORM, alerts: ['missed_run', 'coffee'] }, /Choose alerts from the list/],
      [{ ...FORM, integrations: 'chosen', integration_ids: String(fixtures.orgB.integration.id) }, /is not an integration of this organisation/],
      [{ ...FORM, integrations: 'chosen' }, /choose at least one integration/],
    ];
    for (const [form, message] of cases) {
      const res = await post(teammate, `/settings/notifications/${ids.orgA}`, form);
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.match(res.text, message);
    }
    assert.deepEqual(await prefsRow(ids.orgA, ids.teammate), before);
  });

  test("nobody saves preferences in an organisation they do not belong to (outsider, support: 404), or another person's", async () => {
    for (const who of ['outsider', 'support'] as const) {
      const session = await signIn(smtpApp, emailOf(who));
      const res = await post(session, `/settings/notifications/${ids.orgA}`, FORM);
      assert.equal(res.status, 404, who);
      assert.doesNotMatch(res.text, /org-a/);
      assert.equal(await prefsRow(ids.orgA, ids[who]), undefined);
    }
    const support = await signIn(smtpApp, emailOf('support'));
    assert.match((await support.agent.get('/settings/notifications')).text, /You belong to no organisation/);
  });

  test('after an unsubscribe the page says when, and saving subscribes again', async () => {
    await db
      .knex('email_preferences')
      .where({ org_id: ids.orgA, user_id: ids.teammate })
      .update({ unsubscribed_at: new Date('2026-11-30T08:00:00Z') });
    const teammate = await signIn(smtpApp, emailOf('teammate'));
    const page = await teammate.agent.get('/settings/notifications');
    assert.match(page.text, /You unsubscribed <time datetime="2026-11-30T08:00:00.000Z"[^>]*>1 h ago<\/time>/);
    assert.match(page.text, /Saving the form below subscribes you again/);
    assert.equal((await post(teammate, `/settings/notifications/${ids.orgA}`, FORM)).status, 303);
    assert.equal((await prefsRow(ids.orgA, ids.teammate)).unsubscribed_at, null);
  });
});

describe('the test email', () => {
  test('arrives at the SMTP server at once, with the one-click unsubscribe headers, recorded as a sent test delivery', async () => {
    const teammate = await signIn(smtpApp, emailOf('teammate'));
    const res = await post(teammate, `/settings/notifications/${ids.orgA}/test`);
    assert.equal(res.status, 303);
    assert.equal(received.length, 1);
    const mail = received[0]!;
    assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'teammate@example.com');
    assert.match(mail.subject ?? '', /^feedlog test email for /);
    assert.match(mail.text ?? '', /http:\/\/localhost:\d+\/settings\/notifications/);
    const unsubscribeHeader = mail.headerLines.find((line) => line.key === 'list-unsubscribe')!.line;
    assert.match(unsubscribeHeader, /<http:\/\/localhost:\d+\/unsubscribe\/fl_uns_\d+_[A-Za-z0-9_-]{43}>/);
    assert.equal(mail.headerLines.find((line) => line.key === 'list-unsubscribe-post')?.line, 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const delivery = await db.knex('email_deliveries').where({ org_id: ids.orgA, user_id: ids.teammate, kind: 'test' }).first();
    assert.equal(delivery.status, 'sent');
    assert.equal(delivery.attempts, 1);
    assert.deepEqual(delivery.sent_at, clock.now());
    assert.equal(delivery.outbox_file, null);
    assert.equal(mail.messageId, delivery.message_id);
    const page = await teammate.agent.get(res.headers.location!);
    assert.match(page.text, /Test email sent to teammate@example\.com <time[^>]*>[^<]*<\/time> through the SMTP server\./);
  });

  test("an SMTP refusal is recorded as failed and shown with the server's words; it is not retried by the scheduler", async () => {
    refusing = true;
    try {
      const teammate = await signIn(smtpApp, emailOf('teammate'));
      const res = await post(teammate, `/settings/notifications/${ids.orgA}/test`);
      const page = await teammate.agent.get(res.headers.location!);
      assert.match(page.text, /The test email to teammate@example\.com was not sent: .*550 mailbox unavailable for the test/);
      const failed = await db.knex('email_deliveries').where({ org_id: ids.orgA, kind: 'test', status: 'failed' }).first();
      assert.match(failed.last_error, /550/);
    } finally {
      refusing = false;
    }
  });

  test('without SMTP it goes into the outbox; the page names the file and the outbox shows it, its unsubscribe token hidden', async () => {
    const owner = await signIn(outboxApp, emailOf('owner'));
    const res = await post(owner, `/settings/notifications/${ids.orgA}/test`);
    const delivery = await db.knex('email_deliveries').where({ org_id: ids.orgA, user_id: ids.owner, kind: 'test' }).first();
    assert.equal(delivery.status, 'sent');
    assert.deepEqual(await readdir(outbox.outboxDir), [delivery.outbox_file]);
    const page = await owner.agent.get(res.headers.location!);
    assert.match(page.text, new RegExp(`written to the outbox as <code>${delivery.outbox_file.replace(/\./g, '\\.')}</code>`));
    const eml = await owner.agent.get(`/outbox/${delivery.id}`);
    assert.equal(eml.status, 200);
    assert.match(eml.text, /Subject: feedlog test email for/);
    assert.match(eml.text, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
    assert.match(eml.text, /fl_uns_\(hidden\)/);
    assert.doesNotMatch(eml.text, /fl_uns_\d+_/, 'no working unsubscribe token for the reader of the outbox');
  });

  test("someone else's test email cannot be looked at through the page's ?test=", async () => {
    const own = await db.knex('email_deliveries').where({ org_id: ids.orgA, user_id: ids.owner, kind: 'test' }).first('id');
    const teammate = await signIn(smtpApp, emailOf('teammate'));
    const page = await teammate.agent.get(`/settings/notifications?test=${own.id}`);
    assert.doesNotMatch(page.text, /Test email sent to owner@example\.com/);
  });
});

describe('the JSON API', () => {
  test("GET lists the token's user's preferences per organisation they belong to, and nobody else's", async () => {
    const res = await request(smtpApp).get('/api/v1/me/email-preferences').set('Authorization', `Bearer ${fixtures.apiTokens.teammate}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.items.length, 1);
    const [item] = res.body.items;
    assert.deepEqual(item.organisation, { id: String(ids.orgA), slug: 'org-a', name: fixtures.orgA.organisation.name });
    assert.equal(item.receives_email, true);
    assert.equal(item.preferences.frequency, 'weekly');
    const outsider = await request(smtpApp).get('/api/v1/me/email-preferences').set('Authorization', `Bearer ${fixtures.apiTokens.outsider}`);
    assert.deepEqual(
      outsider.body.items.map((i: { organisation: { slug: string }; preferences: unknown }) => [i.organisation.slug, i.preferences]),
      [['org-b', null]],
    );
    const support = await request(smtpApp).get('/api/v1/me/email-preferences').set('Authorization', `Bearer ${fixtures.apiTokens.support}`);
    assert.deepEqual(support.body, { items: [] });
  });

  test('PUT replaces them (left-out fields take their defaults), ids as strings or numbers', async () => {
    const res = await request(smtpApp)
      .put(`/api/v1/me/email-preferences/${ids.orgA}`)
      .set('Authorization', `Bearer ${fixtures.apiTokens.owner}`)
      .send({ frequency: 'hourly', integration_ids: [String(ids.integrationA)], alerts: ['run_failed', 'run_failed'] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.preferences, {
      integration_ids: [String(ids.integrationA)],
      frequency: 'hourly',
      local_time: '08:00',
      weekday: 1,
      min_severity: 'error',
      empty_summary: 'skip',
      alerts: ['run_failed'],
      alert_after_failures: 1,
      alert_repeat: 'daily',
    });
    assert.equal(res.body.receives_email, true);
  });

  test('a bad body is a 400 problem naming every field', async () => {
    const res = await request(smtpApp)
      .put(`/api/v1/me/email-preferences/${ids.orgA}`)
      .set('Authorization', `Bearer ${fixtures.apiTokens.owner}`)
      .send({ frequency: 'monthly', local_time: '8am', weekday: 9, alerts: ['x'], colour: 'red' });
    assert.equal(res.status, 400);
    assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
    for (const field of ['frequency', 'local_time', 'weekday', 'alerts[0]']) assert.ok(paths.includes(field), `${field} in ${paths.join(', ')}`);
    assert.ok(
      (res.body.errors as { message: string }[]).some((e) => /colour/.test(JSON.stringify(e))),
      'an unknown field is named',
    );
  });

  test("an organisation the token's user does not belong to is a 404, whoever asks, and nothing is written", async () => {
    for (const who of ['outsider', 'support'] as const) {
      const res = await request(smtpApp)
        .put(`/api/v1/me/email-preferences/${ids.orgA}`)
        .set('Authorization', `Bearer ${fixtures.apiTokens[who]}`)
        .send({ frequency: 'daily' });
      assert.equal(res.status, 404, who);
      assert.equal(await prefsRow(ids.orgA, ids[who]), undefined);
    }
    const ingest = await request(smtpApp).get('/api/v1/me/email-preferences').set('Authorization', `Bearer ${fixtures.orgA.token}`);
    assert.equal(ingest.status, 403);
  });
});

describe("an organisation's defaults for new members", () => {
  test('only its admins set them (ops 403, another organisation 404)', async () => {
    const teammate = await signIn(smtpApp, emailOf('teammate'));
    assert.equal((await post(teammate, `/settings/notifications/${ids.orgA}/defaults`, FORM)).status, 403);
    const outsider = await signIn(smtpApp, emailOf('outsider'));
    assert.equal((await post(outsider, `/settings/notifications/${ids.orgA}/defaults`, FORM)).status, 404);
    assert.equal(await db.knex('org_email_defaults').where({ org_id: ids.orgA }).first(), undefined);
  });

  test('a person added by an admin, or by the CLI, starts with them; nobody already in keeps anything but their own', async () => {
    const owner = await signIn(smtpApp, emailOf('owner'));
    const page = await owner.agent.get('/settings/notifications');
    assert.match(page.text, /There is no default yet: a new member gets no email until they choose\./);
    const saved = await post(owner, `/settings/notifications/${ids.orgA}/defaults`, { ...FORM, frequency: 'daily', local_time: '06:15' });
    assert.equal(saved.status, 303, saved.text);
    const audit = await db.knex('audit_events').where({ org_id: ids.orgA, action: 'email_defaults.changed' }).first();
    assert.equal(audit.actor, 'owner@example.com');

    const added = await post(owner, `/orgs/${ids.orgA}/members`, { email: 'new.ops@example.com', role: 'ops' });
    assert.equal(added.status, 201, added.text);
    const newcomer = (await findUserByEmail(db.knex, 'new.ops@example.com'))!;
    const row = await prefsRow(ids.orgA, newcomer.id);
    assert.equal(row.frequency, 'daily');
    assert.equal(row.local_time, '06:15');
    assert.deepEqual(row.alerts, ['missed_run', 'recovery']);

    await createUser(db.knex, { email: 'cli.ops@example.com', role: 'ops', orgSlug: 'org-a', password: 'a long enough password' });
    assert.equal((await prefsRow(ids.orgA, (await findUserByEmail(db.knex, 'cli.ops@example.com'))!.id)).local_time, '06:15');

    // Already a member: their own choice stands.
    assert.equal((await prefsRow(ids.orgA, ids.teammate)).local_time, '07:30');
    // Another organisation has no default: a person added there gets no preferences, so no email.
    await createUser(db.knex, { email: 'b.ops@example.com', role: 'ops', orgSlug: 'org-b', password: 'a long enough password' });
    assert.equal(await prefsRow(ids.orgB, (await findUserByEmail(db.knex, 'b.ops@example.com'))!.id), undefined);
    const token = await createApiToken(db.knex, 'b.ops@example.com');
    const api = await request(smtpApp).get('/api/v1/me/email-preferences').set('Authorization', `Bearer ${token}`);
    assert.deepEqual(
      api.body.items.map((i: { receives_email: boolean }) => i.receives_email),
      [false],
    );
  });
});

describe('the outbox page', () => {
  test("lists the organisation's emails newest first, paged by cursor, for its admins and support only", async () => {
    // 60 more deliveries of org-a, so that the list has pages.
    await db.knex('email_deliveries').insert(
      Array.from({ length: 60 }, (_, i) => ({
        org_id: ids.orgA,
        user_id: ids.teammate,
        kind: 'summary',
        dedupe_key: `summary:page-${i}`,
        subject: `Summary number ${i}`,
        status: i % 2 ? 'sent' : 'failed',
        last_error: i % 2 ? null : `550 refused number ${i}`,
      })),
    );
    const owner = await signIn(smtpApp, emailOf('owner'));
    const first = await owner.agent.get('/outbox');
    assert.equal(first.status, 200);
    const subjects = [...first.text.matchAll(/<a href="\/outbox\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    assert.equal(subjects.length, 50);
    assert.deepEqual(subjects.slice(0, 2), ['Summary number 59', 'Summary number 58']);
    assert.match(first.text, /550 refused number 58/);
    const next = /<a href="(\/outbox\?[^"]+)">Older emails/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    const second = await owner.agent.get(next);
    const rest = [...second.text.matchAll(/<a href="\/outbox\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
    assert.ok(rest.length > 10 && !rest.some((s) => subjects.includes(s!)), 'the second page goes on where the first ended');
    assert.doesNotMatch(second.text, /Older emails/);

    const teammate = await signIn(smtpApp, emailOf('teammate'));
    assert.equal((await teammate.agent.get('/outbox').set('Accept', 'text/html')).status, 403);
    assert.equal((await teammate.agent.get(`/outbox?org=${ids.orgA}`).set('Accept', 'text/html')).status, 403);
    const support = await signIn(smtpApp, emailOf('support'));
    assert.match((await support.agent.get(`/outbox?org=${ids.orgA}`)).text, /Summary number 59/);
    const outsider = await signIn(smtpApp, emailOf('outsider'));
    const theirs = await outsider.agent.get('/outbox');
    assert.equal(theirs.status, 200);
    assert.doesNotMatch(theirs.text, /Summary number|teammate@example\.com/);
    assert.equal((await outsider.agent.get(`/outbox?org=${ids.orgA}`).set('Accept', 'text/html')).status, 404);
    const oneOfA = await db.knex('email_deliveries').where({ org_id: ids.orgA }).first('id');
    assert.equal((await outsider.agent.get(`/outbox/${oneOfA.id}`).set('Accept', 'text/html')).status, 404);
    assert.equal((await teammate.agent.get(`/outbox/${oneOfA.id}`).set('Accept', 'text/html')).status, 403);
  });

  test('a cursor it did not give out is a 400', async () => {
    const owner = await signIn(smtpApp, emailOf('owner'));
    assert.equal((await owner.agent.get('/outbox?cursor=bm9wZQ').set('Accept', 'text/html')).status, 400);
  });

  test("reads the primary key (org_id, id) backwards in the list's order: no sort, on any page, with and without statistics", async () => {
    const assertPlans = async (when: string) => {
      for (const beforeId of [undefined, 40]) {
        const plan = await explainOutbox(db.knex, ids.orgA, 50, beforeId);
        assert.match(plan, /Index Scan Backward using email_deliveries_pkey on email_deliveries/, `${when}: ${plan}`);
        assert.doesNotMatch(plan, /\bSort\b/, `${when}: ${plan}`);
      }
    };
    await assertPlans('fresh table');
    // Another organisation's 5,000 emails, analysed: org-a's page still reads its own range of the key.
    await db.knex.raw(
      `INSERT INTO email_deliveries (org_id, user_id, kind, dedupe_key, status)
       SELECT ?, ?, 'summary', 'summary:bulk-' || n, 'sent' FROM generate_series(1, 5000) AS n`,
      [ids.orgB, ids.outsider],
    );
    await db.knex.raw('ANALYZE email_deliveries');
    await assertPlans('analysed, with another organisation');
  });
});
