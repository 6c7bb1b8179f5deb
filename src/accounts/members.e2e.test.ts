import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { startWithFixtureUsers, emailOf, signIn, type BrowserSession } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';

let db: TestDatabase;
let app: Express;
let orgA: number;
let owner: BrowserSession;

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app } = fixtures);
  orgA = fixtures.orgA.organisation.id;
  owner = await signIn(app, emailOf('owner'));
});
after(() => db.drop());

const userId = async (email: string) => (await db.knex('users').where({ email }).first()).id as number;
const roleIn = async (orgId: number, email: string) =>
  (
    await db
      .knex('memberships')
      .where({ org_id: orgId, user_id: await userId(email) })
      .first()
  )?.role;
const post = async (session: BrowserSession, path: string, form: Record<string, string> = {}) =>
  session.agent
    .post(path)
    .type('form')
    .send({ ...form, _csrf: await session.csrf() });

describe('the people page', () => {
  test('members see who belongs to their organisation, and nobody else', async () => {
    const teammate = await signIn(app, emailOf('teammate'));
    const page = await teammate.agent.get('/members');
    assert.equal(page.status, 200);
    assert.match(page.text, /owner@example.com/);
    assert.doesNotMatch(page.text, /outsider@example.com/);
    assert.doesNotMatch(page.text, /Change role|Remove/, 'ops cannot change people');
    // The notice after a change comes from a fixed list, never from free text in the URL.
    for (const query of ['done=removed&who=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'done=hacked&who=a%40example.com']) {
      const odd = await teammate.agent.get(`/members?${query}`);
      assert.equal(odd.status, 200);
      assert.doesNotMatch(odd.text, /role="status"|<script>alert/);
    }
    assert.match((await teammate.agent.get('/members?done=removed&who=a%40example.com')).text, /a@example.com is no longer a member/);
  });

  test('an admin adds a new person, who gets a password shown once and can sign in with it', async () => {
    const added = await post(owner, `/orgs/${orgA}/members`, { email: 'New.Person@Example.com', role: 'ops' });
    assert.equal(added.status, 201);
    const password = /<code id="new-password">([^<]+)<\/code>/.exec(added.text)?.[1];
    assert.ok(password);
    assert.equal(await roleIn(orgA, 'new.person@example.com'), 'ops');
    const newcomer = await signIn(app, 'new.person@example.com', password);
    assert.match((await newcomer.agent.get('/')).text, /org-a/);
    const [audit] = await db.knex('audit_events').where({ action: 'user.created', actor: emailOf('owner') });
    assert.equal(audit.details.email, 'new.person@example.com');
    assert.doesNotMatch(JSON.stringify(audit), new RegExp(password));
  });

  test('adding someone who has an account gives them the role; adding a member again says to change the role', async () => {
    const added = await post(owner, `/orgs/${orgA}/members`, { email: emailOf('outsider'), role: 'ops' });
    assert.equal(added.status, 303);
    assert.equal(await roleIn(orgA, emailOf('outsider')), 'ops');
    const again = await post(owner, `/orgs/${orgA}/members`, { email: emailOf('outsider'), role: 'admin' });
    assert.equal(again.status, 400);
    assert.match(again.text, /is a member of org-a Ltd already: change their role/);
    const bad = await post(owner, `/orgs/${orgA}/members`, { email: 'not an email', role: 'ops' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /is not an email address/);
    const removed = await post(owner, `/orgs/${orgA}/members/${await userId(emailOf('outsider'))}/remove`);
    assert.equal(removed.status, 303);
    assert.equal(await roleIn(orgA, emailOf('outsider')), undefined);
  });

  test('an admin changes a role, and the change applies at the next request', async () => {
    const teammate = await signIn(app, emailOf('teammate'));
    const id = await userId(emailOf('teammate'));
    assert.equal((await post(owner, `/orgs/${orgA}/members/${id}/role`, { role: 'admin' })).status, 303);
    assert.match((await teammate.agent.get('/members')).text, /Change role/, 'the teammate is an admin now');
    assert.equal((await post(owner, `/orgs/${orgA}/members/${id}/role`, { role: 'ops' })).status, 303);
    assert.doesNotMatch((await teammate.agent.get('/members')).text, /Change role/);
    const changes = await db.knex('audit_events').where({ action: 'member.role_changed' }).orderBy('id');
    assert.deepEqual(
      changes.map((c) => [c.details.from, c.details.to]),
      [
        ['ops', 'admin'],
        ['admin', 'ops'],
      ],
    );
  });

  test('an organisation never loses its last admin', async () => {
    const ownerId = await userId(emailOf('owner'));
    const demote = await post(owner, `/orgs/${orgA}/members/${ownerId}/role`, { role: 'ops' });
    assert.equal(demote.status, 409);
    assert.match(demote.text, /keeps at least one admin/);
    assert.equal((await post(owner, `/orgs/${orgA}/members/${ownerId}/remove`)).status, 409);
    assert.equal(await roleIn(orgA, emailOf('owner')), 'admin');
  });

  test('ops and support are refused with 403, another organisation gets 404', async () => {
    const target = `/orgs/${orgA}/members/${await userId(emailOf('teammate'))}/remove`;
    for (const who of ['teammate', 'support'] as const) {
      const session = await signIn(app, emailOf(who));
      assert.equal((await post(session, target)).status, 403, who);
      assert.equal((await post(session, `/orgs/${orgA}/members`, { email: 'x@example.com', role: 'admin' })).status, 403, who);
    }
    const outsider = await signIn(app, emailOf('outsider'));
    assert.equal((await post(outsider, target)).status, 404);
    assert.equal((await post(outsider, `/orgs/${orgA}/members`, { email: 'x@example.com', role: 'admin' })).status, 404);
    assert.equal(await roleIn(orgA, emailOf('teammate')), 'ops');
    assert.equal(await db.knex('users').where({ email: 'x@example.com' }).first(), undefined);
  });
});
