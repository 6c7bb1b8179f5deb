/**
 * The API reference at /api/docs is public, and a signed-in person sees the
 * usual header there: the navigation, who they are and Sign out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { csrfFrom, emailOf, signIn, startWithFixtureUsers, type BrowserSession } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';

let db: TestDatabase;
let app: Express;
let owner: BrowserSession;

before(async () => {
  ({ db, app } = await startWithFixtureUsers());
  owner = await signIn(app, emailOf('owner'));
});
after(() => db.drop());

const SIGN_IN_LINK = '<a class="sign-in" href="/login">Sign in</a>';

test('a signed-in person sees the navigation and Sign out, and can sign out from there', async () => {
  const response = await owner.agent.get('/api/docs').expect(200);
  assert.match(response.text, /<a href="\/error-groups">Error groups<\/a>/);
  assert.match(response.text, /<form class="sign-out" method="post" action="\/logout">/);
  assert.ok(response.text.includes(emailOf('owner')), 'names who is signed in');
  assert.ok(!response.text.includes(SIGN_IN_LINK), 'no Sign in link');
  // The page differs per person: no shared cache may keep it.
  assert.doesNotMatch(response.headers['cache-control'] ?? '', /public/);
  const signedOut = await owner.agent
    .post('/logout')
    .type('form')
    .send({ _csrf: csrfFrom(response.text) });
  assert.equal(signedOut.status, 303, signedOut.text.slice(0, 300));
  assert.ok((await owner.agent.get('/api/docs').expect(200)).text.includes(SIGN_IN_LINK), 'signed out, the page offers Sign in again');
});

test('an anonymous visitor, or a stale session cookie, gets the page with Sign in', async () => {
  for (const cookie of [undefined, 'feedlog_session=not-a-session']) {
    const req = request(app).get('/api/docs');
    const response = await (cookie ? req.set('Cookie', cookie) : req).expect(200);
    assert.ok(response.text.includes(SIGN_IN_LINK), `${cookie}: offers Sign in`);
    assert.ok(!response.text.includes('action="/logout"'), `${cookie}: no Sign out`);
    assert.ok(!response.text.includes('@example.com'), `${cookie}: nobody's email`);
    assert.match(response.text, /id="op-listSyncRuns"/);
  }
});
