import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { startWithFixtureUsers, emailOf, signIn, type FixtureUser } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';

let db: TestDatabase;
let app: Express;
let apiTokens: Record<FixtureUser, string>;
let ingestA: string;
let runs = 0;

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app, apiTokens } = fixtures);
  ingestA = fixtures.orgA.token;
});
after(() => db.drop());

/** Posts a run to org-a whose one failed record has the job title `title`, started at `hour`:00; returns the title's group id. */
async function groupOfTitle(title: string, hour = 10): Promise<string> {
  runs += 1;
  const at = (minute: number) => `2026-11-21T${String(hour).padStart(2, '0')}:0${minute}:00Z`;
  const base = makeRun() as { records: Array<{ employee: Record<string, string>; messages: unknown[] }> };
  const record = { ...base.records[1]!, employee: { ...base.records[1]!.employee, job_title: title }, messages: [] };
  const posted = await postRun(app, ingestA, makeRun({ run_id: `status-${runs}`, started_at: at(0), finished_at: at(1), records: [record] }));
  assert.equal(posted.status, 201, posted.text);
  const groups = await api('owner').get('/api/v1/error-groups?code=job_title_mismatch&limit=1000');
  const group = groups.body.items.find((g: { value: string }) => g.value === title);
  assert.ok(group, `a group for '${title}'`);
  return group.id as string;
}

const api = (who: FixtureUser) => ({
  get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${apiTokens[who]}`),
  patch: (path: string, body: unknown) =>
    request(app)
      .patch(path)
      .set('Authorization', `Bearer ${apiTokens[who]}`)
      .send(body as object),
});

const statusOf = async (id: string) => (await db.knex('error_groups').where({ id }).first()).status as string;
const auditOf = (id: string) => db.knex('audit_events').where({ target_type: 'error_group', target_id: id }).orderBy('id');

describe('changing an error group through the API', () => {
  test('an admin ignores, resolves and reopens a group of their organisation, and each change is audited', async () => {
    const id = await groupOfTitle('head chef ');
    const ignored = await api('owner').patch(`/api/v1/error-groups/${id}`, { status: 'ignored' });
    assert.equal(ignored.status, 200);
    assert.equal(ignored.body.status, 'ignored');
    assert.equal((await api('owner').patch(`/api/v1/error-groups/${id}`, { status: 'resolved' })).body.status, 'resolved');
    assert.equal((await api('owner').patch(`/api/v1/error-groups/${id}`, { status: 'open' })).body.status, 'open');
    assert.equal((await api('owner').patch(`/api/v1/error-groups/${id}`, { status: 'open' })).status, 200, 'no change is no error');

    const audit = await auditOf(id);
    assert.deepEqual(
      audit.map((a) => [a.actor, a.action, a.details.from, a.details.to, a.details.via]),
      [
        ['owner@example.com', 'error_group.status_changed', 'open', 'ignored', 'api'],
        ['owner@example.com', 'error_group.status_changed', 'ignored', 'resolved', 'api'],
        ['owner@example.com', 'error_group.status_changed', 'resolved', 'open', 'api'],
      ],
    );
    assert.ok(audit.every((a) => a.actor_user_id !== null));
  });

  test('ops and support may read a group but not change it; another organisation gets 404', async () => {
    const id = await groupOfTitle('sous chef');
    for (const who of ['teammate', 'support'] as const) {
      assert.equal((await api(who).get(`/api/v1/error-groups/${id}`)).status, 200);
      const refused = await api(who).patch(`/api/v1/error-groups/${id}`, { status: 'ignored' });
      assert.equal(refused.status, 403, who);
      assert.match(refused.body.detail, who === 'support' ? /support role reads every organisation but changes nothing/ : /Only an admin/);
    }
    const outsider = await api('outsider').patch(`/api/v1/error-groups/${id}`, { status: 'ignored' });
    assert.equal(outsider.status, 404);
    assert.equal((await api('outsider').get(`/api/v1/error-groups/${id}`)).status, 404);
    assert.equal(await statusOf(id), 'open');
    assert.deepEqual(await auditOf(id), []);
  });

  test('a status no person may set, or an unknown field, is a 400 naming it', async () => {
    const id = await groupOfTitle('bar staff');
    const regressed = await api('owner').patch(`/api/v1/error-groups/${id}`, { status: 'regressed' });
    assert.equal(regressed.status, 400);
    assert.deepEqual(
      regressed.body.errors.map((e: { path: string }) => e.path),
      ['status'],
    );
    const extra = await api('owner').patch(`/api/v1/error-groups/${id}`, { status: 'ignored', note: 'x' });
    assert.equal(extra.status, 400);
    const notJson = await request(app)
      .patch(`/api/v1/error-groups/${id}`)
      .set('Authorization', `Bearer ${apiTokens.owner}`)
      .set('Content-Type', 'application/json')
      .send('{nope');
    assert.equal(notJson.status, 400);
    assert.equal((await api('owner').patch('/api/v1/error-groups/abc', { status: 'ignored' })).status, 404);
    assert.equal(await statusOf(id), 'open');
  });

  test('a group resolved by hand regresses when a newer run shows the error again, not when an older one arrives late', async () => {
    const id = await groupOfTitle('waiter', 10);
    await api('owner').patch(`/api/v1/error-groups/${id}`, { status: 'resolved' });
    await groupOfTitle('waiter', 9);
    assert.equal(await statusOf(id), 'resolved', 'a late older run does not regress it');
    await groupOfTitle('waiter', 11);
    assert.equal(await statusOf(id), 'regressed');
  });
});

describe("changing an error group on the group's page", () => {
  test('an admin sees the buttons and uses them; the page says what changed, and the change is audited as made on the web', async () => {
    const id = await groupOfTitle('receptionist');
    const owner = await signIn(app, emailOf('owner'));
    const page = await owner.agent.get(`/error-groups/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`action="/error-groups/${id}/status"`));
    // The guidance names the actual values.
    assert.match(page.text, /Fourth sends the job title &#39;receptionist&#39;, which Flow Learning does not have/);
    const response = await owner.agent
      .post(`/error-groups/${id}/status`)
      .type('form')
      .send({ status: 'ignored', back: `/error-groups/${id}`, _csrf: await owner.csrf() });
    assert.equal(response.status, 303);
    assert.equal(response.headers.location, `/error-groups/${id}?done=ignored`);
    assert.equal(await statusOf(id), 'ignored');
    const [audit] = await auditOf(id);
    assert.equal(audit.details.via, 'web');
    const after = await owner.agent.get(response.headers.location);
    assert.match(after.text, /<p class="notice" role="status">Ignored: Job title not found in Flow Learning\. It stays ignored/);
    const back = '/error-groups?code=job_title_mismatch&status=open';
    assert.doesNotMatch((await owner.agent.get(back)).text, new RegExp(`id="group-${id}"`), 'an ignored group leaves the open list');
  });

  test('a `back` of this site other than the group page is followed as it is; one elsewhere is not', async () => {
    const id = await groupOfTitle('concierge');
    const owner = await signIn(app, emailOf('owner'));
    const post = async (status: string, back: string) =>
      owner.agent
        .post(`/error-groups/${id}/status`)
        .type('form')
        .send({ status, back, _csrf: await owner.csrf() });
    assert.equal((await post('ignored', '/error-groups?status=open')).headers.location, '/error-groups?status=open');
    assert.equal((await post('open', 'https://evil.example/')).headers.location, `/error-groups/${id}?done=open`);
    assert.equal((await post('resolved', '//evil.example/x')).headers.location, `/error-groups/${id}?done=resolved`);
  });

  test('ops and support see no buttons, and a forged form is refused', async () => {
    const id = await groupOfTitle('night porter');
    for (const who of ['teammate', 'support'] as const) {
      const session = await signIn(app, emailOf(who));
      assert.match((await session.agent.get('/error-groups')).text, new RegExp(`id="group-${id}"`), `${who} sees the group`);
      const page = await session.agent.get(`/error-groups/${id}`);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, new RegExp(`action="/error-groups/${id}/status"`), `${who} has no buttons`);
      const forged = await session.agent
        .post(`/error-groups/${id}/status`)
        .type('form')
        .send({ status: 'ignored', _csrf: await session.csrf() });
      assert.equal(forged.status, 403);
    }
    const outsider = await signIn(app, emailOf('outsider'));
    assert.doesNotMatch((await outsider.agent.get('/error-groups')).text, new RegExp(`id="group-${id}"`));
    assert.equal((await outsider.agent.get(`/error-groups/${id}`)).status, 404);
    assert.equal(
      (
        await outsider.agent
          .post(`/error-groups/${id}/status`)
          .type('form')
          .send({ status: 'ignored', _csrf: await outsider.csrf() })
      ).status,
      404,
    );
    assert.equal(await statusOf(id), 'open');
  });

  test('the page takes the same filters as the API, and a bad one is a 400 naming it', async () => {
    const owner = await signIn(app, emailOf('owner'));
    const bad = await owner.agent.get('/error-groups?code=not_a_code').set('Accept', 'text/html');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /Invalid query parameter/);
    const none = await owner.agent.get('/error-groups?code=email_in_use');
    assert.match(none.text, /No error groups match/);
  });

  test('the HTML error page lists each bad parameter with what is wrong, escaped', async () => {
    const owner = await signIn(app, emailOf('owner'));
    const bad = await owner.agent.get('/error-groups?integration=abc&status=nope').set('Accept', 'text/html');
    assert.equal(bad.status, 400);
    assert.match(bad.headers['content-type'] ?? '', /^text\/html/);
    assert.match(bad.text, /<li><code>integration<\/code>: expected number, received NaN<\/li>/);
    // zod's words for an enum quote its values: text, not markup.
    assert.match(bad.text, /<li><code>status<\/code>: Invalid option: expected one of &#34;open&#34;\|/);
    const cursor = await owner.agent.get('/error-groups?cursor=forged').set('Accept', 'text/html');
    assert.match(cursor.text, /<li><code>cursor<\/code>: invalid cursor<\/li>/);
  });
});
