/**
 * One-click unsubscribe (RFC 8058) over real HTTP on real PostgreSQL: the link's
 * page needs no sign-in, its button and a mail client's `List-Unsubscribe=One-Click`
 * post need no CSRF token, a used link answers the same again, and a link that is not
 * ours is a 404 that says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createFixtureUsers, emailOf } from '../../test/helpers/accounts.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { outboxEmailSetup } from '../../test/helpers/email.js';
import { createApp } from '../app/app.js';
import { findUserByEmail } from '../auth/auth.queries.js';
import { frozenClock } from '../shared/clock.js';
import { createUnsubscribeToken, type EmailPreferences, savePreferences, unsubscribe } from '../email/preferences.queries.js';

let db: TestDatabase;
let app: Express;
let orgAId: number;
let orgBId: number;
let teammateId: number;
const clock = frozenClock('2026-11-30T09:00:00Z');

const PREFERENCES = {
  integration_ids: null,
  frequency: 'daily',
  local_time: '08:00',
  weekday: 1,
  min_severity: 'error',
  empty_summary: 'skip',
  alerts: ['missed_run'],
  alert_after_failures: 1,
  alert_repeat: 'daily',
} satisfies Omit<EmailPreferences, 'unsubscribed_at'>;

before(async () => {
  db = await createTestDatabase();
  const fixtures = await createFixtureUsers(db.knex);
  app = createApp({ knex: db.knex, clock, email: outboxEmailSetup() });
  orgAId = fixtures.orgA.organisation.id;
  orgBId = fixtures.orgB.organisation.id;
  teammateId = (await findUserByEmail(db.knex, emailOf('teammate')))!.id;
  await savePreferences(db.knex, orgAId, teammateId, PREFERENCES);
});
after(() => db.drop());

const unsubscribedAt = async (orgId = orgAId) =>
  (await db.knex('email_preferences').where({ org_id: orgId, user_id: teammateId }).first('unsubscribed_at'))?.unsubscribed_at as Date | null | undefined;

describe('the unsubscribe link', () => {
  test('GET shows one button and unsubscribes nobody (mail scanners open links); it needs no session', async () => {
    const token = await createUnsubscribeToken(db.knex, orgAId, teammateId);
    const page = await request(app).get(`/unsubscribe/${token}`).set('Accept', 'text/html');
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /<form method="post" action="\/unsubscribe\/fl_uns_\d+_[A-Za-z0-9_-]{43}"/);
    assert.match(page.text, /<button type="submit">Unsubscribe<\/button>/);
    assert.doesNotMatch(page.text, /_csrf/, 'no CSRF token: there is no session to hold one');
    assert.equal(page.headers['cache-control'], 'private, no-store');
    // Neither who nor which organisation: the email says both, a forwarded link reveals nothing more.
    assert.doesNotMatch(page.text, /teammate@example\.com|org-a/);
    assert.equal(await unsubscribedAt(), null);
  });

  test("the page's button posts without a session or CSRF token and unsubscribes; the answer names nobody", async () => {
    const token = await createUnsubscribeToken(db.knex, orgAId, teammateId);
    const page = await request(app).get(`/unsubscribe/${token}`);
    const action = /action="([^"]+)"/.exec(page.text)![1]!;
    const done = await request(app).post(action).type('form').send({ 'List-Unsubscribe': 'One-Click' }).set('Accept', 'text/html');
    assert.equal(done.status, 200, done.text);
    assert.match(done.text, /You are unsubscribed/);
    assert.doesNotMatch(done.text, /teammate@example\.com|org-a/);
    assert.deepEqual(await unsubscribedAt(), clock.now());
  });

  test("a mail client's one-click post (RFC 8058: List-Unsubscribe=One-Click, form-encoded, any Origin) unsubscribes", async () => {
    await savePreferences(db.knex, orgAId, teammateId, PREFERENCES);
    assert.equal(await unsubscribedAt(), null, 'saving subscribed them again');
    const token = await createUnsubscribeToken(db.knex, orgAId, teammateId);
    const res = await request(app)
      .post(`/unsubscribe/${token}`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('Origin', 'https://mail.example.net')
      .send('List-Unsubscribe=One-Click');
    assert.equal(res.status, 200, res.text);
    assert.ok(await unsubscribedAt());
  });

  test('a used link answers "unsubscribed" again, and only its own organisation is concerned', async () => {
    await savePreferences(db.knex, orgBId, teammateId, PREFERENCES);
    const token = await createUnsubscribeToken(db.knex, orgAId, teammateId);
    const times: Array<Date | null | undefined> = [];
    for (let i = 0; i < 2; i += 1) {
      const res = await request(app).post(`/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click').set('Accept', 'text/html');
      assert.equal(res.status, 200);
      assert.match(res.text, /You are unsubscribed/);
      times.push(await unsubscribedAt());
    }
    assert.ok(times[0]);
    // A click a day later, straight through the query (the app's clock is frozen): the first time stays.
    assert.ok(await unsubscribe(db.knex, token, new Date(times[0].getTime() + 86_400_000)));
    assert.equal((await unsubscribedAt())?.getTime(), times[0].getTime(), 'a second click keeps the time of the first');
    assert.equal(await unsubscribedAt(orgBId), null, "org-b's preferences are another organisation's");
  });

  test('a link that is not ours, cut short, or malformed is a 404 page saying the link is not valid, for GET and POST', async () => {
    const real = await createUnsubscribeToken(db.knex, orgAId, teammateId);
    const bad = [
      `fl_uns_${orgAId}_${'A'.repeat(43)}`, // well formed, unknown
      real.slice(0, -1), // cut short
      `fl_uns_${orgBId}_${real.split('_').slice(3).join('_')}`, // another organisation's id on a real secret
      'nothing-like-a-token',
      'x'.repeat(500),
    ];
    for (const token of bad) {
      for (const method of ['get', 'post'] as const) {
        const res = await request(app)
          [method](`/unsubscribe/${encodeURIComponent(token)}`)
          .set('Accept', 'text/html');
        assert.equal(res.status, 404, `${method} ${token.slice(0, 40)}: ${res.text.slice(0, 200)}`);
        assert.match(res.text, /This unsubscribe link is not valid/);
      }
    }
    const json = await request(app).post(`/unsubscribe/${bad[0]}`).set('Accept', 'application/json');
    assert.equal(json.status, 404);
    assert.match(json.headers['content-type'] ?? '', /application\/problem\+json/);
  });

  test('is limited per client address, like sign-in: 60 requests in a ten-minute window, then 429', async () => {
    const token = await createUnsubscribeToken(db.knex, orgAId, teammateId);
    const limited = createApp({ knex: db.knex, clock, email: outboxEmailSetup() });
    limited.set('trust proxy', true);
    // The window is fixed in wall-clock time: 121 requests hold 61 in one window even if a window ends among them.
    const statuses: number[] = [];
    while (statuses.length < 121 && !statuses.includes(429))
      statuses.push((await request(limited).get(`/unsubscribe/${token}`).set('X-Forwarded-For', '198.51.100.7')).status);
    assert.deepEqual(statuses.slice(0, 60), Array(60).fill(200));
    assert.equal(statuses.at(-1), 429, `a 429 after 60 requests: ${statuses.length} sent`);
    assert.equal((await request(limited).get(`/unsubscribe/${token}`).set('X-Forwarded-For', '198.51.100.8')).status, 200, 'another address is not held back');
  });
});
