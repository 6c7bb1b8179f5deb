import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { resetPassword } from '../accounts/accounts.service.js';
import { createApp } from '../app/app.js';
import { hashToken } from './tokens.js';
import { startWithFixtureUsers, csrfFrom, emailOf, FIXTURE_PASSWORD, signIn } from '../../test/helpers/accounts.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { LOGIN_LIMITS } from './login.service.js';
import { SESSION_COOKIE } from './sessions.js';
import { safeNext } from './web-auth.js';

let db: TestDatabase;
let app: Express;

before(async () => {
  ({ db, app } = await startWithFixtureUsers());
  // As behind a reverse proxy: X-Forwarded-For names the client, so tests can be many clients.
  app.set('trust proxy', true);
});
after(() => db.drop());
// Each test starts with no sign-in failures counted.
beforeEach(() => db.knex('rate_limits').del());

/** Posts the login form from a fresh visit, as a browser would; `from` fakes the client address. */
async function attempt(email: string, password: string, from = '10.0.0.1') {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  return agent
    .post('/login')
    .set('X-Forwarded-For', from)
    .type('form')
    .send({ email, password, _csrf: csrfFrom(page.text) });
}

function sessionCookie(response: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  return cookies.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`) && !cookie.startsWith(`${SESSION_COOKIE}=;`));
}

describe('signing in', () => {
  test('the right password starts a session: an HttpOnly, SameSite=Lax cookie whose secret is stored only as a hash', async () => {
    const response = await attempt(emailOf('owner'), FIXTURE_PASSWORD);
    assert.equal(response.status, 303);
    assert.equal(response.headers.location, '/');
    const cookie = sessionCookie(response);
    assert.ok(cookie);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    const secret = /^feedlog_session=([^;]+)/.exec(cookie)![1]!;
    const rows = await db.knex('sessions').select('id_hash');
    assert.ok(rows.some((row) => row.id_hash === hashToken(secret)));
    assert.ok(rows.every((row) => row.id_hash !== secret));
  });

  test('a visitor to a very long address comes back to its path, or to the overview when even that is too long', async () => {
    const longQuery = `/runs?run_id=${'x'.repeat(5_000)}`;
    assert.equal((await request(app).get(longQuery)).headers.location, '/login?next=%2Fruns');
    const longPath = `/employees/${'y'.repeat(5_000)}?q=z`;
    assert.equal((await request(app).get(longPath)).headers.location, '/login');
  });

  test('pages need a session and send a visitor to sign in, then back where they were going', async () => {
    const anonymous = await request(app).get('/error-groups?status=open');
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.location, '/login?next=%2Ferror-groups%3Fstatus%3Dopen');
    const agent = request.agent(app);
    const page = await agent.get(anonymous.headers.location!);
    assert.match(page.text, /name="next" value="\/error-groups\?status=open"/);
    const response = await agent
      .post('/login')
      .type('form')
      .send({ email: emailOf('owner'), password: FIXTURE_PASSWORD, next: '/error-groups?status=open', _csrf: csrfFrom(page.text) });
    assert.equal(response.headers.location, '/error-groups?status=open');
    assert.equal((await agent.get('/error-groups?status=open')).status, 200);
  });

  test('after sign-in, next never leads off the site', () => {
    for (const evil of [
      '//evil.example/x',
      'https://evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      '/ok\nSet-Cookie: x',
      '/login?next=/x',
      undefined,
      42,
    ]) {
      assert.equal(safeNext(evil), '/', String(evil));
    }
    assert.equal(safeNext('/error-groups?code=email_in_use'), '/error-groups?code=email_in_use');
  });

  test('a wrong password and an unknown email get the same answer', async () => {
    const wrongPassword = await attempt(emailOf('owner'), 'not the password at all');
    const unknownEmail = await attempt('nobody@example.com', 'not the password at all');
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownEmail.status, 401);
    const message = (html: string) => /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];
    assert.ok(message(wrongPassword.text));
    assert.equal(message(wrongPassword.text), message(unknownEmail.text));
    assert.equal(sessionCookie(wrongPassword), undefined);
  });

  test('an empty form says what is missing', async () => {
    const response = await attempt(emailOf('owner'), '');
    assert.equal(response.status, 400);
    assert.match(response.text, /Enter your password/);
    assert.match(response.text, /value="owner@example.com"/, 'the email is kept');
  });

  test('after five failures an account is locked out for the window, with words that do not tell whether it exists', async () => {
    const lockouts: string[] = [];
    for (const email of [emailOf('teammate'), 'ghost@example.com']) {
      for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount; i++) assert.equal((await attempt(email, `wrong ${i}`)).status, 401);
      const locked = await attempt(email, FIXTURE_PASSWORD);
      assert.equal(locked.status, 429, 'even the right password waits');
      assert.ok(Number(locked.headers['retry-after']) > 0);
      lockouts.push(/<p class="error" role="alert">([^<]*)<\/p>/.exec(locked.text)![1]!.replace(/\d+ minutes|a minute/, 'N'));
    }
    assert.equal(lockouts[0], lockouts[1]);
    assert.match(lockouts[0]!, /Too many sign-in attempts/);
    // Another account is not affected.
    assert.equal((await attempt(emailOf('owner'), FIXTURE_PASSWORD)).status, 303);
  });

  test('a successful sign-in clears the failures counted so far', async () => {
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount - 1; i++) await attempt(emailOf('support'), 'wrong');
    assert.equal((await attempt(emailOf('support'), FIXTURE_PASSWORD)).status, 303);
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount - 1; i++) await attempt(emailOf('support'), 'wrong');
    assert.equal((await attempt(emailOf('support'), FIXTURE_PASSWORD)).status, 303);
  });

  test('a password reset lifts the lockout its message points to', async () => {
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount; i++) await attempt(emailOf('teammate'), `wrong ${i}`);
    assert.equal((await attempt(emailOf('teammate'), FIXTURE_PASSWORD)).status, 429);
    await resetPassword(db.knex, emailOf('teammate'), FIXTURE_PASSWORD);
    assert.equal((await attempt(emailOf('teammate'), FIXTURE_PASSWORD)).status, 303);
  });

  test('one client address cannot try more than its share of accounts', async () => {
    for (let i = 0; i < LOGIN_LIMITS.attemptsPerAddress; i++) {
      assert.equal((await attempt(`guess${i}@example.com`, 'password guess', '10.9.9.9')).status, 401);
    }
    assert.equal((await attempt(emailOf('owner'), FIXTURE_PASSWORD, '10.9.9.9')).status, 429);
    assert.equal((await attempt(emailOf('owner'), FIXTURE_PASSWORD, '10.9.9.10')).status, 303);
  });
});

describe('sessions', () => {
  test('a session lives in PostgreSQL, so another app process serves the same person', async () => {
    const { cookie } = await signIn(app, emailOf('owner'));
    const otherProcess = createApp({ knex: db.knex });
    const response = await request(otherProcess).get('/').set('Cookie', cookie);
    assert.equal(response.status, 200);
    assert.match(response.text, /owner@example.com/);
  });

  test('signing out ends the session everywhere, and needs the CSRF token', async () => {
    const session = await signIn(app, emailOf('owner'));
    const cookie = session.cookie;
    assert.equal((await session.agent.post('/logout').type('form').send({})).status, 403);
    const out = await session.agent
      .post('/logout')
      .type('form')
      .send({ _csrf: await session.csrf() });
    assert.equal(out.status, 303);
    assert.equal(out.headers.location, '/login?signed_out');
    assert.match((await session.agent.get(out.headers.location!)).text, /You are signed out/);
    // The old cookie, replayed, no longer works.
    assert.equal((await request(app).get('/').set('Cookie', cookie)).status, 303);
  });

  test('an expired session sends the person to sign in again', async () => {
    const { agent } = await signIn(app, emailOf('teammate'));
    assert.equal((await agent.get('/')).status, 200);
    await db.knex('sessions').update({ expires_at: db.knex.raw("now() - interval '1 second'") });
    const response = await agent.get('/');
    assert.equal(response.status, 303);
    assert.match(response.headers.location!, /^\/login/);
  });

  test('a password reset signs the person out of every session', async () => {
    const first = await signIn(app, emailOf('support'));
    const second = await signIn(app, emailOf('support'));
    await resetPassword(db.knex, emailOf('support'), FIXTURE_PASSWORD);
    assert.equal((await first.agent.get('/')).status, 303);
    assert.equal((await second.agent.get('/')).status, 303);
  });

  test('a disabled user is signed out at their next request', async () => {
    const { agent } = await signIn(app, emailOf('outsider'));
    await db
      .knex('users')
      .where({ email: emailOf('outsider') })
      .update({ disabled_at: db.knex.fn.now() });
    try {
      assert.equal((await agent.get('/')).status, 303);
      assert.equal((await attempt(emailOf('outsider'), FIXTURE_PASSWORD)).status, 401);
    } finally {
      await db
        .knex('users')
        .where({ email: emailOf('outsider') })
        .update({ disabled_at: null });
    }
  });

  test('a session id is new at every sign-in, so one planted beforehand is worthless', async () => {
    const first = await signIn(app, emailOf('owner'));
    assert.equal((await first.agent.get('/login?next=/settings/tokens')).headers.location, '/settings/tokens', 'a signed-in person is sent on');
    const again = await first.agent
      .post('/login')
      .type('form')
      .send({ email: emailOf('owner'), password: FIXTURE_PASSWORD, _csrf: await first.csrf() });
    assert.equal(again.status, 303);
    const renewed = sessionCookie(again);
    assert.ok(renewed);
    assert.notEqual(renewed.split(';')[0], first.cookie);
    assert.equal((await request(app).get('/').set('Cookie', first.cookie)).status, 303, 'the old session ended');
    assert.equal((await request(app).get('/').set('Cookie', renewed.split(';')[0]!)).status, 200);
  });
});

describe('CSRF protection of forms', () => {
  test('the login form needs its CSRF token', async () => {
    const response = await request(app)
      .post('/login')
      .type('form')
      .send({ email: emailOf('owner'), password: FIXTURE_PASSWORD });
    assert.equal(response.status, 403);
  });

  test("a form sent with another session's token, or from another site, is refused", async () => {
    const owner = await signIn(app, emailOf('owner'));
    const teammate = await signIn(app, emailOf('teammate'));
    const stolen = await teammate.csrf();
    assert.equal((await owner.agent.post('/settings/tokens').type('form').send({ name: 'x', _csrf: stolen })).status, 403);
    const crossSite = await owner.agent
      .post('/settings/tokens')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ name: 'x', _csrf: await owner.csrf() });
    assert.equal(crossSite.status, 403);
    assert.match(crossSite.text, /another site/);
    const sameSite = await owner.agent
      .post('/settings/tokens')
      .type('form')
      .send({ name: 'x', _csrf: await owner.csrf() });
    assert.equal(sameSite.status, 201);
    // An opaque origin leaves the decision to the token.
    const opaque = await owner.agent
      .post('/settings/tokens')
      .set('Origin', 'null')
      .type('form')
      .send({ name: 'x', _csrf: await owner.csrf() });
    assert.equal(opaque.status, 201);
    assert.equal((await owner.agent.post('/settings/tokens').set('Origin', 'null').type('form').send({ name: 'x', _csrf: stolen })).status, 403);
  });

  test('a refused form is explained on an HTML page to a browser, and as problem+json to a script', async () => {
    const owner = await signIn(app, emailOf('owner'));
    const html = await owner.agent.post('/settings/tokens').set('Accept', 'text/html').type('form').send({ name: 'x' });
    assert.equal(html.status, 403);
    assert.match(html.headers['content-type']!, /text\/html/);
    assert.match(html.text, /reload the page and try again/);
    const json = await owner.agent.post('/settings/tokens').type('form').send({ name: 'x' });
    assert.match(json.headers['content-type']!, /application\/problem\+json/);
  });
});

describe('a fresh install', () => {
  test('the sign-in page tells how to create the first admin while there are no users', async () => {
    const empty = await createTestDatabase();
    try {
      const page = await request(createApp({ knex: empty.knex })).get('/login');
      assert.equal(page.status, 200);
      assert.match(page.text, /No users yet/);
      assert.match(page.text, /user create --email you@example.com --role admin --org acme/);
    } finally {
      await empty.drop();
    }
    assert.doesNotMatch((await request(app).get('/login')).text, /No users yet/);
  });
});
