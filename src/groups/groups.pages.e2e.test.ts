import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { emailOf, signIn, startWithFixtureUsers, type FixtureUser } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';

// The error groups table, its filters (q included) and CSV, and a group's page:
// guidance, employees, occurrences, status history and the admin's actions.

let db: TestDatabase;
let app: Express;
let apiTokens: Record<FixtureUser, string>;
let tokens: { a: string; b: string };
let integrationA: number;
let runs = 0;

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app, apiTokens } = fixtures);
  tokens = { a: fixtures.orgA.token, b: fixtures.orgB.token };
  integrationA = fixtures.orgA.integration.id;
});
after(() => db.drop());

const person = (id: string, title: string, extra: Record<string, string> = {}) => ({
  first_name: `First${id}`,
  last_name: `Last${id}`,
  email: `${id}@example.com`,
  job_title: title,
  department: 'Kitchen',
  branch: 'London Soho',
  ...extra,
});

/** A failed create whose job title the engine says does not exist. */
const rejected = (id: string, title: string, extra: Record<string, string> = {}) => ({
  external_id: id,
  action: 'create',
  outcome: 'failed',
  employee: person(id, title, extra),
  messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: `Job title '${title}' does not exist` }],
});

const applied = (id: string) => ({ external_id: id, action: 'create', outcome: 'succeeded', employee: person(id, 'Head Chef'), messages: [] });

/** Posts a run of `records` to org `org` at 2026-11-22 `hour`:`minute`. */
async function post(records: unknown[], hour: number, org: 'a' | 'b' = 'a') {
  runs += 1;
  const at = (second: number) => `2026-11-22T${String(hour).padStart(2, '0')}:${String(runs % 60).padStart(2, '0')}:${String(second).padStart(2, '0')}Z`;
  const response = await postRun(app, tokens[org], makeRun({ run_id: `pages-${runs}`, started_at: at(0), finished_at: at(30), records }));
  assert.equal(response.status, 201, response.text);
  return Number(response.body.id);
}

const api = (path: string, who: FixtureUser = 'owner') => request(app).get(path).set('Authorization', `Bearer ${apiTokens[who]}`);

async function groupIdOf(value: string): Promise<number> {
  const row = await db.knex('error_groups').where({ value }).first('id');
  assert.ok(row, `a group for ${value}`);
  return Number(row.id);
}

const rowIds = (html: string) => [...html.matchAll(/<tr id="group-(\d+)">/g)].map((m) => Number(m[1]));

describe('the error groups table', () => {
  test('one row per group with status, code, the value shown with its hidden characters, the counts, each linked to its page', async () => {
    await post([rejected('t1', 'Pastry\u200BChef'), rejected('t2', 'Pastry\u200BChef')], 8);
    const id = await groupIdOf('Pastry\u200BChef');
    const owner = await signIn(app, emailOf('owner'));
    const page = await owner.agent.get('/error-groups?q=pastry');
    assert.equal(page.status, 200);
    assert.deepEqual(rowIds(page.text), [id]);
    const row = new RegExp(
      `<tr id="group-${id}">\\s*<td><span class="status status-open">open</span></td>\\s*<td><code>job_title_mismatch</code> <span class="muted">job_title</span></td>\\s*<td class="group-value"><a href="/error-groups/${id}"><span class="keep-spaces">&#39;Pastry&lt;U\\+200B&gt;Chef&#39;</span></a></td>\\s*<td>A flow</td>\\s*<td class="num">2</td>\\s*<td class="num">2</td>`,
    );
    assert.match(page.text, row);
    assert.match(page.text, /<time datetime="2026-11-22T08:\d\d:00.000Z"/);
  });

  test('q matches the value, the expected value or the field, in any case, and means the same in the API', async () => {
    await post(
      [rejected('q1', 'Garden  Porter'), { ...applied('q2'), outcome: 'failed', employee: person('q2', 'Head Chef', { department: 'kitchen' }), messages: [] }],
      9,
    );
    const owner = await signIn(app, emailOf('owner'));
    const garden = await groupIdOf('Garden  Porter');
    const department = await groupIdOf('kitchen');
    const cases: [string, number[]][] = [
      ['GARDEN', [garden]],
      ['porter', [garden]],
      ['Kitchen', [department]], // 'kitchen' the value, 'Kitchen' the expected
      ['department', [department]], // the field
      ['%', []], // a literal, not a wildcard
    ];
    for (const [q, expected] of cases) {
      const page = await owner.agent.get(`/error-groups?q=${encodeURIComponent(q)}`);
      assert.deepEqual(
        rowIds(page.text).filter((id) => [garden, department].includes(id)),
        expected,
        `page q=${q}`,
      );
      const listed = await api(`/api/v1/error-groups?q=${encodeURIComponent(q)}`);
      assert.deepEqual(
        listed.body.items.map((g: { id: string }) => Number(g.id)).filter((id: number) => [garden, department].includes(id)),
        expected,
        `API q=${q}`,
      );
    }
    const nul = await api('/api/v1/error-groups?q=a%00b');
    assert.equal(nul.status, 400);
    assert.deepEqual(
      nul.body.errors.map((e: { path: string }) => e.path),
      ['q'],
    );
  });

  test('the filters combine, keep their values in the form, and page with a next link that keeps them', async () => {
    await post(
      Array.from({ length: 4 }, (_, i) => rejected(`f${i}`, `Filter Title ${i}`)),
      10,
    );
    const owner = await signIn(app, emailOf('owner'));
    const first = await owner.agent.get(`/error-groups?integration=${integrationA}&code=job_title_mismatch&status=open&q=filter%20title&limit=3`);
    assert.equal(rowIds(first.text).length, 3);
    assert.match(first.text, /<input type="search" name="q" maxlength="200" value="filter title"/);
    assert.match(first.text, /<option selected>job_title_mismatch<\/option>/);
    const next = /<a href="([^"]+)">Older groups →<\/a>/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next, 'a next link');
    assert.match(next, /integration=\d+&code=job_title_mismatch&status=open&q=filter\+title&limit=3&cursor=/);
    const second = await owner.agent.get(next);
    assert.equal(rowIds(second.text).length, 1);
    assert.doesNotMatch(second.text, /Older groups/);
    assert.match(second.text, /← Most recent/);
    // The form sends its blank fields too ("all"): they mean no filter.
    const blank = await owner.agent.get('/error-groups?integration=&code=&status=&q=filter+title&limit=3');
    assert.equal(blank.status, 200);
    assert.deepEqual(rowIds(blank.text), rowIds(first.text));
    const all = await api(`/api/v1/error-groups?q=filter%20title`);
    assert.deepEqual(
      [...rowIds(first.text), ...rowIds(second.text)],
      all.body.items.map((g: { id: string }) => Number(g.id)),
    );
  });

  test("support's list merges every organisation's groups in one order, and pages through all of them", async () => {
    await post([rejected('b1', 'Org B Title')], 11, 'b');
    const support: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await api(`/api/v1/error-groups?limit=2${cursor ? `&cursor=${cursor}` : ''}`, 'support');
      assert.equal(response.status, 200, response.text);
      support.push(...response.body.items.map((g: { id: string }) => Number(g.id)));
      cursor = response.body.next_cursor;
    } while (cursor);
    const expected = await db
      .knex('error_groups')
      .orderBy([
        { column: 'last_seen_started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .pluck('id');
    assert.deepEqual(support, expected.map(Number));
    const orgs = await db.knex('error_groups').distinct('org_id');
    assert.equal(orgs.length, 2, 'groups of both organisations');
  });

  test('the empty states say why the table is empty', async () => {
    const outsider = await signIn(app, emailOf('outsider'));
    assert.match((await outsider.agent.get('/error-groups?code=email_in_use')).text, /No error groups match\. <a href="\/error-groups">Clear the filters<\/a>/);
  });
});

describe('CSV of the error groups', () => {
  test('the page and the API stream the same filtered list, a formula in a value neutralised', async () => {
    const formula = "=cmd|' /C calc'!A0";
    await post([rejected('c1', formula), rejected('c2', '+SUM(1,2)')], 12);
    const owner = await signIn(app, emailOf('owner'));
    const fromPage = await owner.agent.get('/error-groups?format=csv&q=cmd');
    const fromApi = await api('/api/v1/error-groups?format=csv&q=cmd');
    for (const csv of [fromPage, fromApi]) {
      assert.equal(csv.status, 200);
      assert.match(csv.headers['content-type'] ?? '', /^text\/csv; charset=utf-8/);
      assert.match(csv.headers['content-disposition'] ?? '', /^attachment; filename="?error-groups.csv"?$/);
      assert.ok(csv.text.startsWith('\uFEFF'), 'a byte order mark for Excel');
    }
    assert.equal(fromPage.text, fromApi.text);
    const lines = fromApi.text.slice(1).trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'id,status,code,integration,field,value,expected,variant,occurrences,employees_affected,employees_blocked,first_seen,last_seen,status_changed_at',
    );
    assert.equal(lines.length, 2, 'only the filtered group');
    const id = await groupIdOf(formula);
    assert.match(lines[1]!, new RegExp(`^${id},open,job_title_mismatch,A flow,job_title,'=cmd\\|' /C calc'!A0,,unknown,1,1,1,2026-11-22T12:`));
    const plus = await api('/api/v1/error-groups?format=csv&q=SUM');
    assert.match(plus.text, /,"'\+SUM\(1,2\)",/, 'neutralised, then quoted for its comma');
  });

  test('every group, not one page; the page links to the CSV of its filters', async () => {
    const all = (await api('/api/v1/error-groups?limit=1000')).body.items.length;
    const csv = await api('/api/v1/error-groups?format=csv&limit=1');
    assert.equal(csv.text.trimEnd().split('\r\n').length - 1, all);
    const owner = await signIn(app, emailOf('owner'));
    const page = await owner.agent.get('/error-groups?status=open&q=x');
    assert.match(page.text, /<a href="\/error-groups\?status=open&amp;q=x&amp;format=csv" download>Download CSV<\/a>/);
  });
});

describe("a group's page", () => {
  test('leads with the guidance and the actual values, then the employees, linked to their page, those still affected first', async () => {
    await post([rejected('d1', 'Deck Hand'), rejected('d2', 'Deck Hand'), rejected('d3', 'Deck Hand')], 13);
    const later = await post([applied('d2'), rejected('d3', 'DECK HAND', { first_name: 'Renamed', email: 'renamed@example.com' })], 14);
    const id = await groupIdOf('Deck Hand');
    const owner = await signIn(app, emailOf('owner'));
    const page = await owner.agent.get(`/error-groups/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1 class="keep-spaces">Job title not found in Flow Learning<\/h1>/);
    assert.match(page.text, /Fourth sends the job title &#39;Deck Hand&#39;, which Flow Learning does not have\./);
    assert.match(page.text, /<li class="keep-spaces">Create &#39;Deck Hand&#39; in Flow Learning: OS Configuration &gt; Job titles/);
    assert.match(page.text, /<dt>Employees affected<\/dt><dd>3 \(2 still affected\)<\/dd>/);
    const members = [
      ...page.text.matchAll(
        /<td><a href="\/employees\/([^"?]+)\?integration=(\d+)">[^<]+<\/a><\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<td><span class="status status-(\w+)">/g,
      ),
    ].map((m) => [m[1], Number(m[2]), m[3], m[4], m[5]]);
    assert.deepEqual(members, [
      ['d3', integrationA, 'Renamed Lastd3', 'renamed@example.com', 'open'], // seen last, name from the latest record
      ['d1', integrationA, 'Firstd1 Lastd1', 'd1@example.com', 'open'],
      ['d2', integrationA, 'Firstd2 Lastd2', 'd2@example.com', 'resolved'], // cleared by the later run
    ]);
    // The occurrences, newest first, each linked to its record.
    const occurrences = [...page.text.matchAll(/<a href="\/runs\/(\d+)\/records\/(\d+)">record \d+<\/a>/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(occurrences.length, 4);
    assert.deepEqual(occurrences[0], [later, 1]);
    assert.match(page.text, /<td class="keep-spaces">&#39;DECK HAND&#39;<\/td>/, "each occurrence's own value");
  });

  test('pages through many employees and occurrences with links of their own', async () => {
    await post(
      Array.from({ length: 60 }, (_, i) => rejected(`m${String(i).padStart(2, '0')}`, 'Many Title')),
      15,
    );
    const id = await groupIdOf('Many Title');
    const owner = await signIn(app, emailOf('owner'));
    const first = await owner.agent.get(`/error-groups/${id}`);
    const employees = (html: string) => [...html.matchAll(/<a href="\/employees\/(m\d+)\?/g)].map((m) => m[1]!);
    const records = (html: string) => [...html.matchAll(/\/records\/(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(employees(first.text).length, 50);
    assert.equal(records(first.text).length, 50);
    const moreMembers = /<a href="([^"]+)">More employees →<\/a>/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    const moreOccurrences = /<a href="([^"]+)">Older occurrences →<\/a>/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(moreMembers && moreOccurrences);
    const second = await owner.agent.get(moreMembers);
    assert.equal(employees(second.text).length, 10);
    assert.equal(new Set([...employees(first.text), ...employees(second.text)]).size, 60);
    const older = await owner.agent.get(moreOccurrences);
    assert.deepEqual(
      [...records(first.text), ...records(older.text)],
      Array.from({ length: 60 }, (_, i) => 59 - i),
    );
    assert.equal((await owner.agent.get(`/error-groups/${id}?members_cursor=forged`).set('Accept', 'text/html')).status, 400);
  });

  test('an admin resolves it: back on the page, a confirmation of what changed and the change in the history', async () => {
    await post([rejected('h1', 'History Title')], 16);
    const id = await groupIdOf('History Title');
    const owner = await signIn(app, emailOf('owner'));
    const before = await owner.agent.get(`/error-groups/${id}`);
    assert.deepEqual(
      [...before.text.matchAll(/<button type="submit"[^>]*>([^<]+)<\/button>/g)].map((m) => m[1]).filter((label) => label !== 'Sign out' && label !== 'Search'),
      ['Mark resolved', 'Ignore'],
    );
    assert.match(before.text, /<td>a run<\/td>\s*<td>Opened: first seen in a run<\/td>/);
    const posted = await owner.agent
      .post(`/error-groups/${id}/status`)
      .type('form')
      .send({ status: 'resolved', back: `/error-groups/${id}`, _csrf: await owner.csrf() });
    assert.equal(posted.status, 303);
    const page = await owner.agent.get(posted.headers.location!);
    assert.match(
      page.text,
      /<p class="notice" role="status">Marked resolved: Job title not found in Flow Learning\. It reopens if the error comes back\.<\/p>/,
    );
    assert.match(page.text, /<span class="status status-resolved">resolved<\/span>/);
    assert.match(page.text, /<td>owner@example\.com<\/td>\s*<td>Marked resolved \(was open\)<\/td>/);
    // The next run shows it again: the history says a run regressed it, and the admin reopens it from there.
    await post([rejected('h2', 'History Title')], 17);
    const regressed = await owner.agent.get(`/error-groups/${id}`);
    assert.doesNotMatch(regressed.text, /class="notice"/);
    assert.match(regressed.text, /<td>a run<\/td>\s*<td>Regressed: a newer run showed the error again after it was resolved<\/td>/);
    const reopened = await owner.agent
      .post(`/error-groups/${id}/status`)
      .type('form')
      .send({ status: 'open', back: `/error-groups/${id}`, _csrf: await owner.csrf() });
    const last = await owner.agent.get(reopened.headers.location!);
    assert.match(last.text, /Reopened: Job title not found in Flow Learning\. It is among the open groups again\./);
    const history = [...last.text.matchAll(/<td>(a run|owner@example\.com)<\/td>\s*<td>([^<]+)<\/td>/g)].map((m) => `${m[1]}: ${m[2]}`);
    assert.deepEqual(history, [
      'owner@example.com: Reopened (was regressed)',
      'a run: Regressed: a newer run showed the error again after it was resolved',
      'owner@example.com: Marked resolved (was open)',
      'a run: Opened: first seen in a run',
    ]);
  });

  test('ops and support read it without buttons; another organisation, or no such group, is a 404', async () => {
    await post([rejected('r1', 'Readers Title')], 18);
    const id = await groupIdOf('Readers Title');
    for (const who of ['teammate', 'support'] as const) {
      const page = await (await signIn(app, emailOf(who))).agent.get(`/error-groups/${id}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /Readers Title/);
      assert.doesNotMatch(page.text, /\/status"/, `${who} has no buttons`);
    }
    const outsider = await signIn(app, emailOf('outsider'));
    for (const path of [`/error-groups/${id}`, '/error-groups/999999', '/error-groups/abc']) {
      const response = await outsider.agent.get(path).set('Accept', 'text/html');
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(response.text, /Readers Title/);
    }
  });
});

describe('one group in the API', () => {
  test('carries its guidance and its members, a page at a time', async () => {
    await post([rejected('p1', 'Api Title'), rejected('p2', 'Api Title'), rejected('p3', 'Api Title')], 19);
    await post([applied('p1')], 20);
    const id = await groupIdOf('Api Title');
    const whole = await api(`/api/v1/error-groups/${id}`);
    assert.equal(whole.status, 200);
    assert.deepEqual(whole.body.guidance, {
      title: 'Job title not found in Flow Learning',
      summary:
        "Fourth sends the job title 'Api Title', which Flow Learning does not have. Flow Learning has no job title of that name. Flow Learning matches job titles letter for letter, capitals and spaces included, so the employee is not synced.",
      steps: [
        "Create 'Api Title' in Flow Learning: OS Configuration > Job titles (a batch process exists to create many at once)",
        'Or change the job title in Fourth to one that Flow Learning has',
        'Push employees again from Fourth, or wait for the next sync',
      ],
    });
    assert.equal(whole.body.employees_affected, 3);
    assert.equal(whole.body.employees_blocked, 2);
    assert.deepEqual(
      whole.body.members.map((m: { external_id: string; open: boolean; cleared_at: string | null }) => [m.external_id, m.open, m.cleared_at !== null]),
      [
        ['p3', true, false],
        ['p2', true, false],
        ['p1', false, true],
      ],
    );
    assert.equal(whole.body.members_next_cursor, null);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await api(`/api/v1/error-groups/${id}?members_limit=2${cursor ? `&members_cursor=${cursor}` : ''}`);
      paged.push(...response.body.members.map((m: { external_id: string }) => m.external_id));
      cursor = response.body.members_next_cursor;
    } while (cursor);
    assert.deepEqual(paged, ['p3', 'p2', 'p1']);

    const forged = await api(`/api/v1/error-groups/${id}?members_cursor=abc`);
    assert.equal(forged.status, 400);
    assert.deepEqual(
      forged.body.errors.map((e: { path: string }) => e.path),
      ['members_cursor'],
    );
    assert.equal((await api(`/api/v1/error-groups/${id}`, 'outsider')).status, 404);
  });
});
