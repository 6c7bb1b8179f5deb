import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { startWithFixtureUsers, csrfFrom, emailOf, FIXTURE_PASSWORD, signIn } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { LOGIN_LIMITS } from './login.service.js';

let db: TestDatabase;
let app: Express;

before(async () => {
  ({ db, app } = await startWithFixtureUsers());
});
after(() => db.drop());

const NEW_PASSWORD = 'a much longer passphrase';

test('a person changes their password: other sessions end, this one goes on, and the new password signs in', async () => {
  const here = await signIn(app, emailOf('teammate'));
  const elsewhere = await signIn(app, emailOf('teammate'));
  const changed = await here.agent
    .post('/settings/password')
    .type('form')
    .send({ current: FIXTURE_PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD, _csrf: await here.csrf() });
  assert.equal(changed.status, 303);
  assert.match((await here.agent.get(changed.headers.location!)).text, /Your password is changed/);
  assert.equal((await here.agent.get('/')).status, 200);
  assert.equal((await elsewhere.agent.get('/')).status, 303);
  assert.equal((await request(app).get('/').set('Cookie', elsewhere.cookie)).status, 303);
  await signIn(app, emailOf('teammate'), NEW_PASSWORD);
  const [audit] = await db.knex('audit_events').where({ action: 'user.password_changed' });
  assert.equal(audit.details.ended_sessions, 1);
});

test('the form says what is wrong: the current password, a short one, two that differ', async () => {
  const session = await signIn(app, emailOf('support'));
  const send = async (form: Record<string, string>) =>
    session.agent
      .post('/settings/password')
      .type('form')
      .send({ ...form, _csrf: await session.csrf() });
  const wrong = await send({ current: 'not my password', password: NEW_PASSWORD, confirm: NEW_PASSWORD });
  assert.equal(wrong.status, 400);
  assert.match(wrong.text, /current password is not right/);
  assert.match((await send({ current: FIXTURE_PASSWORD, password: 'short', confirm: 'short' })).text, /at least 12 characters/);
  assert.match((await send({ current: FIXTURE_PASSWORD, password: NEW_PASSWORD, confirm: `${NEW_PASSWORD}!` })).text, /The two new passwords differ/);
  await signIn(app, emailOf('support'));
});

test('wrong current passwords count towards the sign-in lockout', async () => {
  const session = await signIn(app, emailOf('owner'));
  for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount; i++) {
    await session.agent
      .post('/settings/password')
      .type('form')
      .send({ current: `guess ${i}`, password: NEW_PASSWORD, confirm: NEW_PASSWORD, _csrf: await session.csrf() });
  }
  const locked = await session.agent
    .post('/settings/password')
    .type('form')
    .send({ current: FIXTURE_PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD, _csrf: await session.csrf() });
  assert.equal(locked.status, 429);
  // The same count guards the sign-in form: even the right password waits.
  const visitor = request.agent(app);
  const form = await visitor.get('/login');
  const signInNow = await visitor
    .post('/login')
    .type('form')
    .send({ email: emailOf('owner'), password: FIXTURE_PASSWORD, _csrf: csrfFrom(form.text) });
  assert.equal(signInNow.status, 429);
  await db.knex('rate_limits').del();
});
