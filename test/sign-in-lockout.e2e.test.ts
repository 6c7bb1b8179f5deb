/**
 * Sign-in throttling under parallel attack (issue 9): however many wrong
 * passwords arrive at the same moment, no more than the limits are ever
 * *checked* — at most 5 failures per account and 30 attempts per client
 * address in a window (LOGIN_LIMITS); every other attempt is a 429 without a
 * password check. The client address is `req.ip`, which with `trust proxy` on
 * (TRUST_PROXY=true) comes from X-Forwarded-For.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { LOGIN_LIMITS } from '../src/auth/login.service.js';
import { createUser } from '../src/accounts/accounts.service.js';
import { csrfFrom, emailOf, FIXTURE_PASSWORD, startWithFixtureUsers } from './helpers/accounts.js';
import type { TestDatabase } from './helpers/database.js';

let db: TestDatabase;
let app: Express;

before(async () => {
  ({ db, app } = await startWithFixtureUsers());
  // As behind a proxy with TRUST_PROXY=true: the client address is X-Forwarded-For's.
  app.set('trust proxy', true);
});
after(() => db.drop());

const DO_NOT_MATCH = 'That email and password do not match an account';

/** A signed-out browser from `address`: an agent holding the sign-in page's CSRF cookie, and its token. */
async function visitor(address: string) {
  const agent = request.agent(app);
  const page = await agent.get('/login').set('X-Forwarded-For', address);
  assert.equal(page.status, 200);
  return { agent, csrf: csrfFrom(page.text), address };
}

type Visitor = Awaited<ReturnType<typeof visitor>>;

const attempt = (from: Visitor, email: string, password: string) =>
  from.agent.post('/login').set('X-Forwarded-For', from.address).type('form').send({ email, password, _csrf: from.csrf });

/** Tallies the answers: 401 "do not match" (a password was checked), 429 (throttled), anything else. */
function tally(responses: request.Response[]) {
  const checked = responses.filter((r) => r.status === 401 && r.text.includes(DO_NOT_MATCH)).length;
  const throttled = responses.filter((r) => r.status === 429).length;
  const other = responses.filter((r) => !(r.status === 401 && r.text.includes(DO_NOT_MATCH)) && r.status !== 429).map((r) => r.status);
  return { checked, throttled, other };
}

test('25 parallel wrong passwords for one account from one address: at most 5 are checked, the rest are 429', { timeout: 120_000 }, async () => {
  const from = await visitor('203.0.113.10');
  const responses = await Promise.all(Array.from({ length: 25 }, (_, i) => attempt(from, emailOf('owner'), `wrong password ${i}`)));
  const { checked, throttled, other } = tally(responses);
  assert.deepEqual(other, [], 'every answer is a 401 or a 429');
  assert.ok(
    checked <= LOGIN_LIMITS.failuresPerAccount,
    `at most ${LOGIN_LIMITS.failuresPerAccount} wrong passwords are checked for one account; ${checked} were (and ${throttled} throttled)`,
  );
  assert.equal(checked + throttled, 25);
  // Locked: even the right password is refused now.
  const right = await attempt(from, emailOf('owner'), FIXTURE_PASSWORD);
  assert.equal(right.status, 429, 'the account is locked for the window');
  assert.ok(right.headers['retry-after'], 'a 429 says when to retry');
});

test('5 addresses x 30 parallel wrong passwords for one account: at most 5 are checked in all', { timeout: 180_000 }, async () => {
  await createUser(db.knex, { email: 'target@example.com', role: 'ops', orgSlug: 'org-a', password: FIXTURE_PASSWORD });
  const visitors = await Promise.all([11, 12, 13, 14, 15].map((n) => visitor(`203.0.113.${n}`)));
  const responses = await Promise.all(visitors.flatMap((from) => Array.from({ length: 30 }, (_, i) => attempt(from, 'target@example.com', `wrong ${i}`))));
  const { checked, throttled, other } = tally(responses);
  assert.deepEqual(other, [], 'every answer is a 401 or a 429');
  assert.ok(
    checked <= LOGIN_LIMITS.failuresPerAccount,
    `at most ${LOGIN_LIMITS.failuresPerAccount} wrong passwords are checked for one account across addresses; ${checked} of 150 were (${throttled} throttled)`,
  );
});

test('5 addresses x 40 parallel attempts, each on another account: at most 30 per address are checked', { timeout: 180_000 }, async () => {
  const visitors = await Promise.all([21, 22, 23, 24, 25].map((n) => visitor(`198.51.100.${n}`)));
  const perAddress = await Promise.all(
    visitors.map((from) => Promise.all(Array.from({ length: 40 }, (_, i) => attempt(from, `nobody-${from.address}-${i}@example.com`, 'a guess'))).then(tally)),
  );
  for (const [i, { checked, throttled, other }] of perAddress.entries()) {
    const address = visitors[i]!.address;
    assert.deepEqual(other, [], `${address}: every answer is a 401 or a 429`);
    assert.ok(
      checked <= LOGIN_LIMITS.attemptsPerAddress,
      `${address}: at most ${LOGIN_LIMITS.attemptsPerAddress} attempts are checked per address; ${checked} of 40 were (${throttled} throttled)`,
    );
    assert.ok(throttled >= 40 - LOGIN_LIMITS.attemptsPerAddress, `${address}: the attempts over the limit are 429s`);
  }
});
