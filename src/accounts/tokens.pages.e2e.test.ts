import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { startWithFixtureUsers, emailOf, signIn } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';

let db: TestDatabase;
let app: Express;

before(async () => {
  ({ db, app } = await startWithFixtureUsers());
});
after(() => db.drop());

const readRuns = (token: string) => request(app).get('/api/v1/sync-runs').set('Authorization', `Bearer ${token}`);
const tokenOnPage = (html: string) => /<code id="new-token">(fl_api_[^<]+)<\/code>/.exec(html)?.[1];

describe('the API tokens page', () => {
  test('a person creates a token, sees it once, uses it, sees when it was last used, and revokes it', async () => {
    const owner = await signIn(app, emailOf('owner'));
    const created = await owner.agent
      .post('/settings/tokens')
      .type('form')
      .send({ name: 'nightly export', _csrf: await owner.csrf() });
    assert.equal(created.status, 201);
    assert.equal(created.headers['cache-control'], 'no-store');
    const token = tokenOnPage(created.text);
    assert.ok(token, 'the new token is on the page');
    assert.equal((await readRuns(token)).status, 200);

    const list = await owner.agent.get('/settings/tokens');
    assert.equal(tokenOnPage(list.text), undefined, 'shown only once');
    assert.ok(!list.text.includes(token));
    const row = /<tr>\s*<td>nightly export<\/td>[\s\S]*?<\/tr>/.exec(list.text)?.[0];
    assert.ok(row);
    assert.match(row, /<time datetime=/, 'last used is shown');
    assert.match(row, />live</);

    const { id } = await db.knex('api_tokens').where({ name: 'nightly export' }).first();
    const revoked = await owner.agent
      .post(`/settings/tokens/${id}/revoke`)
      .type('form')
      .send({ _csrf: await owner.csrf() });
    assert.equal(revoked.status, 303);
    assert.match((await owner.agent.get(revoked.headers.location!)).text, /The token is revoked/);
    assert.equal((await readRuns(token)).status, 401);

    const audit = await db
      .knex('audit_events')
      .where({ actor: emailOf('owner') })
      .orderBy('id');
    assert.deepEqual(
      audit.map((a) => a.action),
      ['api_token.created', 'api_token.revoked'],
    );
    assert.doesNotMatch(JSON.stringify(audit), new RegExp(token));
  });

  test("a person lists and revokes only their own tokens: another's token id is a 404", async () => {
    const owner = await signIn(app, emailOf('owner'));
    const teammate = await signIn(app, emailOf('teammate'));
    const ownerTokens = await db
      .knex('api_tokens')
      .join('users', 'users.id', 'api_tokens.user_id')
      .where('users.email', emailOf('owner'))
      .select('api_tokens.id', 'token_hint');
    const teammatePage = await teammate.agent.get('/settings/tokens');
    for (const t of ownerTokens) assert.ok(!teammatePage.text.includes(t.token_hint), 'no hint of the owner’s tokens');
    const attempt = await teammate.agent
      .post(`/settings/tokens/${ownerTokens[0]!.id}/revoke`)
      .type('form')
      .send({ _csrf: await teammate.csrf() });
    assert.equal(attempt.status, 404);
    assert.equal((await db.knex('api_tokens').where({ id: ownerTokens[0]!.id }).first()).revoked_at, null);
    assert.equal((await owner.agent.get('/settings/tokens')).status, 200);
  });

  test('a token needs a name of at most 100 characters; the form says so', async () => {
    const owner = await signIn(app, emailOf('owner'));
    const empty = await owner.agent
      .post('/settings/tokens')
      .type('form')
      .send({ name: '  ', _csrf: await owner.csrf() });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /Give the token a name/);
    const long = await owner.agent
      .post('/settings/tokens')
      .type('form')
      .send({ name: 'x'.repeat(101), _csrf: await owner.csrf() });
    assert.equal(long.status, 400);
    assert.match(long.text, /at most 100 characters/);
  });
});
