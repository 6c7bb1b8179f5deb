import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { startWithFixtureUsers, emailOf, signIn } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';
import { tokenHint } from '../auth/tokens.js';

let db: TestDatabase;
let app: Express;
let fixtures: Awaited<ReturnType<typeof startWithFixtureUsers>>;

before(async () => {
  fixtures = await startWithFixtureUsers();
  ({ db, app } = fixtures);
});
after(() => db.drop());

const rotatePath = () => `/integrations/${fixtures.orgA.integration.id}/rotate-token`;

describe('the integrations page', () => {
  test("shows each integration's schedule and the start of its ingest token, never the whole token", async () => {
    const teammate = await signIn(app, emailOf('teammate'));
    const page = await teammate.agent.get('/integrations');
    assert.equal(page.status, 200);
    assert.match(page.text, /A flow/);
    assert.match(page.text, /every 15 minutes|15m/);
    assert.ok(page.text.includes(tokenHint(fixtures.orgA.token)), 'the hint');
    assert.ok(!page.text.includes(fixtures.orgA.token), 'not the token');
    assert.doesNotMatch(page.text, /B flow/);
    assert.doesNotMatch(page.text, /Rotate ingest token/, 'ops may not rotate');
  });

  test('an admin rotates the ingest token: the new one is shown once and works, the old one stops at once, and it is audited', async () => {
    const owner = await signIn(app, emailOf('owner'));
    assert.match((await owner.agent.get('/integrations')).text, /Rotate ingest token/);
    const replaces = /name="replaces" value="(\d+)"/.exec((await owner.agent.get('/integrations')).text)![1]!;
    const form = { replaces, _csrf: await owner.csrf() };
    const rotated = await owner.agent.post(rotatePath()).type('form').send(form);
    assert.equal(rotated.status, 201);
    assert.equal(rotated.headers['cache-control'], 'no-store');
    const token = /<code id="new-ingest-token">([^<]+)<\/code>/.exec(rotated.text)?.[1];
    assert.ok(token);
    assert.equal((await postRun(app, fixtures.orgA.token, makeRun({ run_id: 'old-token' }))).status, 401);
    assert.equal((await postRun(app, token, makeRun({ run_id: 'new-token' }))).status, 201);
    assert.ok(!(await owner.agent.get('/integrations')).text.includes(token), 'shown only once');
    const [audit] = await db.knex('audit_events').where({ action: 'ingest_token.rotated' });
    assert.equal(audit.actor, emailOf('owner'));
    assert.equal(audit.details.revoked, 1);
    fixtures.orgA.token = token;

    // The same form again (a reload of the page showing the token) rotates nothing: the token shown stays in force.
    const again = await owner.agent.post(rotatePath()).type('form').send(form);
    assert.equal(again.status, 409);
    assert.match(again.text, /rotated already since the page was loaded/);
    assert.equal((await postRun(app, token, makeRun({ run_id: 'still-the-new-token' }))).status, 201);
    assert.equal((await db.knex('audit_events').where({ action: 'ingest_token.rotated' })).length, 1);
    assert.doesNotMatch(rotated.text, /action="\/integrations\/\d+\/rotate-token"/, 'no rotate button under a token just shown');
  });

  test('ops and support are refused with 403, another organisation gets 404, and nothing changes', async () => {
    const before = await db.knex('ingest_tokens').whereNull('revoked_at').select('id');
    for (const who of ['teammate', 'support'] as const) {
      const session = await signIn(app, emailOf(who));
      assert.equal(
        (
          await session.agent
            .post(rotatePath())
            .type('form')
            .send({ replaces: '1', _csrf: await session.csrf() })
        ).status,
        403,
        who,
      );
    }
    const outsider = await signIn(app, emailOf('outsider'));
    assert.equal(
      (
        await outsider.agent
          .post(rotatePath())
          .type('form')
          .send({ replaces: '1', _csrf: await outsider.csrf() })
      ).status,
      404,
    );
    assert.deepEqual(await db.knex('ingest_tokens').whereNull('revoked_at').select('id'), before);
  });
});
