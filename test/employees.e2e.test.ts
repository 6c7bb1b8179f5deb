/**
 * The employee pages and their API twins over real HTTP: the header's search
 * (partial, capitals and accents ignored, one result opens the employee,
 * support across organisations, nothing of another organisation), the
 * employee page on the example corpus (Aoife Haddad's 'Bartender ' in run
 * fourth-flow-001), the explanation to paste, mapped employees with filters,
 * pages and CSV, and GET /api/v1/employees.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { type BrowserSession, emailOf, signIn, startWithFixtureUsers, type FixtureUser } from './helpers/accounts.js';
import type { TestDatabase } from './helpers/database.js';
import { makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';
import { loadExampleCorpus } from './helpers/truth.js';

let db: TestDatabase;
let app: Express;
let apiTokens: Record<FixtureUser, string>;
const sessions = {} as Record<FixtureUser, BrowserSession>;
const ids = { fourth: 0, partial: 0, aFlow: 0, empty: 0 };

/** The visible text of a page: tags dropped, entities decoded, whitespace runs made one space. */
const textOf = (html: string) =>
  html
    .replace(/<textarea[^>]*>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** The plain text of the explanation's textarea, entities decoded, lines kept. */
function explanationOf(html: string): string {
  const match = /<textarea id="employee-explanation"[^>]*>([\s\S]*?)<\/textarea>/.exec(html);
  assert.ok(match, 'the page has the explanation textarea');
  return match[1]!.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const person = (id: string, first: string, last: string, email: string, extra: Record<string, unknown> = {}) => ({
  external_id: id,
  action: 'create',
  outcome: 'succeeded',
  employee: { first_name: first, last_name: last, email, job_title: 'Head Chef', department: 'Kitchen', branch: 'London Soho', ...extra },
  messages: [],
});

const SPECIAL_IDS = ['ext/with slash', 'ID with space', 'ünï/cödé 7'];

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app, apiTokens } = fixtures);
  ids.aFlow = fixtures.orgA.integration.id;
  const fourth = loadExampleCorpus().find((example) => example.integration === 'fourth-flow')!;
  const full = await createIntegration(db.knex, { orgSlug: 'org-a', name: 'fourth-flow', schedule: '15m' });
  const partial = await createIntegration(db.knex, { orgSlug: 'org-a', name: 'fourth-flow until 001', schedule: '15m' });
  const empty = await createIntegration(db.knex, { orgSlug: 'org-a', name: 'Nothing sent yet', schedule: '15m' });
  Object.assign(ids, { fourth: full.integration.id, partial: partial.integration.id, empty: empty.integration.id });
  for (const run of fourth.runs) assert.equal((await postRun(app, full.token, run.payload)).status, 201);
  for (const run of fourth.runs.slice(0, 2)) assert.equal((await postRun(app, partial.token, run.payload)).status, 201);

  const aRecords = [
    person('A-ZOE-1', 'Zoë', 'Haddád', 'zoe.haddad@org-a.example'),
    person('A-FORMULA', '=HYPERLINK("http://evil.example","x")', 'Formula', 'formula@org-a.example', { job_title: '+1+1', branch: '@SUM(A1)' }),
    ...SPECIAL_IDS.map((id, i) => person(id, `Special${i}`, 'Person', `special${i}@org-a.example`)),
    ...Array.from({ length: 55 }, (_, i) => person(`CAP-${i}`, 'Capped', `Many${String(i).padStart(2, '0')}`, `capped${i}@org-a.example`)),
  ];
  assert.equal((await postRun(app, fixtures.orgA.token, makeRun({ run_id: 'a-people', records: aRecords }))).status, 201);
  const bRun = makeRun({ run_id: 'b-people', records: [person('B-BRUNO', 'Bruno', 'Haddád', 'bruno@org-b.example')] });
  assert.equal((await postRun(app, fixtures.orgB.token, bRun)).status, 201);
  for (const who of ['owner', 'teammate', 'outsider', 'support'] as const) sessions[who] = await signIn(app, emailOf(who));
});
after(() => db.drop());

const page = (who: FixtureUser, path: string) => sessions[who].agent.get(path).set('Accept', 'text/html');
const api = (who: FixtureUser, path: string) => request(app).get(path).set('Authorization', `Bearer ${apiTokens[who]}`);
const aoifeIn = (integrationId: number) => `/employees/7781_10020?integration=${integrationId}`;

describe('search', () => {
  test('is partial and ignores capitals: "aoife" finds every Aoife; "AOIFE HADDAD20" finds her in both integrations', async () => {
    const aoifes = textOf((await page('owner', '/search?q=aoife')).text);
    assert.ok(aoifes.includes('Aoife Haddad') && aoifes.includes('Aoife Nowak'), aoifes.slice(0, 300));
    for (const q of ['AOIFE HADDAD20', 'haddad20 aoif', '7781_10020']) {
      const res = await page('owner', `/search?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, `${q}: ${res.text.slice(0, 200)}`);
      const text = textOf(res.text);
      assert.match(text, /2 employees match/, q);
      assert.ok(text.includes('Aoife Haddad') && text.includes('7781_10020'), q);
      assert.ok(res.text.includes(`href="${aoifeIn(ids.fourth)}"`), `${q} links to the employee in each integration`);
      assert.ok(res.text.includes(`href="${aoifeIn(ids.partial)}"`), q);
      assert.ok(res.text.includes(`value="${q}"`), 'the header search box shows the query');
    }
  });

  test('ignores accents both ways: "haddad" finds "Haddád", and "Haddád" finds "Haddad"', async () => {
    const plain = textOf((await page('owner', '/search?q=haddad')).text);
    assert.ok(plain.includes('Zoë Haddád') && plain.includes('Aoife Haddad'));
    const accented = textOf((await page('owner', `/search?q=${encodeURIComponent('Haddád')}`)).text);
    assert.ok(accented.includes('Aoife Haddad') && accented.includes('Zoë Haddád'));
  });

  test('finds an email fragment and an external ID fragment', async () => {
    assert.match(textOf((await page('owner', '/search?q=aoife.haddad20%40exa')).text), /Aoife Haddad/);
    assert.match(textOf((await page('owner', '/search?q=_10020')).text), /2 employees match.*Aoife Haddad/);
  });

  test('exactly one result opens the employee page (303)', async () => {
    const res = await page('owner', `/search?q=${encodeURIComponent('zoe haddad')}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/employees/A-ZOE-1?integration=${ids.aFlow}`);
    const special = await page('owner', `/search?q=${encodeURIComponent('ünï/cödé')}`);
    assert.equal(special.status, 303);
    assert.equal(special.headers.location, `/employees/${encodeURIComponent('ünï/cödé 7')}?integration=${ids.aFlow}`);
  });

  test('support searches every organisation and sees which one each employee belongs to', async () => {
    const text = textOf((await page('support', '/search?q=haddad')).text);
    assert.ok(text.includes('Bruno Haddád') && text.includes('Aoife Haddad') && text.includes('Zoë Haddád'), text.slice(0, 500));
    assert.ok(text.includes('org-b Ltd') && text.includes('org-a Ltd'), 'the organisation column');
  });

  test("the outsider finds only their own organisation's employees", async () => {
    const res = await page('outsider', '/search?q=haddad');
    assert.equal(res.status, 303, 'only Bruno matches');
    assert.equal(res.headers.location, `/employees/B-BRUNO?integration=${(await db.knex('integrations').where({ name: 'B flow' }).first()).id}`);
    for (const q of ['aoife', '7781', 'zoe', 'org-a.example']) {
      const none = await page('outsider', `/search?q=${encodeURIComponent(q)}`);
      assert.equal(none.status, 200);
      assert.match(textOf(none.text), /No employee matches/, q);
      assert.ok(!none.text.includes('Aoife') && !none.text.includes('Zoë'), q);
    }
  });

  test('an empty search says what to type; no match says what to try', async () => {
    for (const path of ['/search', '/search?q=', '/search?q=%20%20']) {
      const res = await page('teammate', path);
      assert.equal(res.status, 200);
      assert.match(textOf(res.text), /Type a name, an email or an external ID/);
    }
    const none = await page('teammate', '/search?q=nobody-at-all');
    assert.match(textOf(none.text), /No employee matches nobody-at-all \. Search for part of it/);
  });

  test('more than 50 matches: 50 are shown, and the page asks for a narrower search', async () => {
    const res = await page('owner', '/search?q=capped');
    const text = textOf(res.text);
    assert.match(text, /50\+ employees match/);
    assert.match(text, /Refine your search/);
    assert.equal((res.text.match(/href="\/employees\/CAP-/g) ?? []).length, 50);
  });

  test('a search longer than the search box allows is refused, naming it', async () => {
    const res = await page('owner', `/search?q=${'x'.repeat(201)}`);
    assert.equal(res.status, 400);
  });
});

describe('the employee page', () => {
  test("shows why Aoife Haddad's record failed in run fourth-flow-001, with the guidance, in her timeline", async () => {
    const res = await page('owner', aoifeIn(ids.fourth));
    assert.equal(res.status, 200, res.text.slice(0, 300));
    const text = textOf(res.text);
    assert.match(text, /Aoife Haddad 7781_10020/);
    assert.match(text, /synced/);
    const failedRow = /fourth-flow-001 update failed job_title_mismatch (.*?) How to fix (.*?) job_title: 'Bartender' → 'Bartender '/.exec(text);
    assert.ok(failedRow, `the timeline has the failed record with its error and diff: ${text.slice(0, 3000)}`);
    assert.match(failedRow[1]!, /Fourth sends 'Bartender '; Flow Learning has 'Bartender'\./);
    assert.match(failedRow[2]!, /Change it in Fourth to exactly 'Bartender'/);
    // Links: the run page, the record page.
    const run = await db.knex('sync_runs').where({ integration_id: ids.fourth, run_id: 'fourth-flow-001' }).first();
    assert.ok(res.text.includes(`href="/runs/${run.id}"`));
    assert.ok(res.text.includes(`href="/runs/${run.id}/records/8"`));
    // The explanation says she is synced now, and what was wrong before.
    const explanation = explanationOf(res.text);
    assert.match(explanation, /^Employee: Aoife Haddad \(external ID 7781_10020\)/);
    assert.match(explanation, /State: synced\./);
    assert.match(explanation, /In Flow Learning: yes, active, with first name 'Aoife', .*job title 'Bartender'/);
    assert.match(explanation, /Earlier, run fourth-flow-001 on .* failed for them: Fourth sends 'Bartender '; Flow Learning has 'Bartender'\./);
  });

  test('while blocked: since when, the open error with its guidance and actual values, and the explanation to paste', async () => {
    const res = await page('teammate', aoifeIn(ids.partial));
    assert.equal(res.status, 200);
    const text = textOf(res.text);
    assert.match(text, /blocked/);
    assert.ok(res.text.includes('datetime="2026-11-20T09:15:00.000Z"'), 'blocked since the failed run');
    assert.match(
      text,
      /Open errors Job title does not match Flow Learning exactly Fourth sends 'Bartender '; Flow Learning has 'Bartender'\. The two differ only in spacing/,
    );
    assert.match(text, /Sent Bartender Expected Bartender \(spacing\)/);
    assert.match(text, /What to change: Change it in Fourth to exactly 'Bartender'/);
    assert.match(text, /Job title Bartender Bartender differs/, 'the value sent beside the value the target holds');
    const explanation = explanationOf(res.text);
    assert.match(explanation, /fourth-flow until 001 \(Fourth to Flow Learning\), organisation org-a Ltd/);
    assert.match(explanation, /State: blocked since .*\. The last record, in run fourth-flow-001 on .* \(update\), failed\./);
    assert.match(explanation, /In Flow Learning: yes, active, with .*job title 'Bartender'/);
    assert.match(explanation, /What is wrong \(1 open error\):\n1\. Job title does not match Flow Learning exactly/);
    assert.match(explanation, /\n {3}Fourth sends 'Bartender '; Flow Learning has 'Bartender'\./);
    assert.match(explanation, /What to change:\n {3}- Change it in Fourth to exactly 'Bartender'\n/);
    assert.ok(res.text.includes('<label for="employee-explanation">'), 'the explanation has a label');
  });

  test('without an integration it shows every integration of the employee, and the timeline pages by keyset', async () => {
    const first = await page('owner', '/employees/7781_10020?limit=3');
    assert.equal(first.status, 200);
    const text = textOf(first.text);
    assert.ok(text.includes('fourth-flow until 001') && text.includes('fourth-flow'));
    const next = /href="(\/employees\/7781_10020\?limit=3&amp;cursor=[^"]+)"/.exec(first.text);
    assert.ok(next, 'a link to older records');
    const rows = (html: string) => [...html.matchAll(/href="(\/runs\/\d+\/records\/\d+)">#/g)].map((m) => m[1]);
    const second = await page('owner', next[1]!.replace(/&amp;/g, '&'));
    assert.equal(second.status, 200);
    assert.equal(rows(first.text).length, 3);
    assert.equal(rows(second.text).length, 3);
    assert.equal(new Set([...rows(first.text), ...rows(second.text)]).size, 6, 'no record twice');
  });

  test('external IDs with a slash, spaces or accents have their page', async () => {
    for (const id of SPECIAL_IDS) {
      const res = await page('owner', `/employees/${encodeURIComponent(id)}`);
      assert.equal(res.status, 200, id);
      assert.ok(textOf(res.text).includes(id), id);
    }
  });

  test("another organisation's employee, or one nobody sent, is a 404", async () => {
    assert.equal((await page('outsider', '/employees/7781_10020')).status, 404);
    assert.equal((await page('outsider', aoifeIn(ids.fourth))).status, 404);
    assert.equal((await page('owner', '/employees/B-BRUNO')).status, 404);
    assert.equal((await page('owner', '/employees/nobody')).status, 404);
    assert.equal((await page('owner', `/employees/7781_10020?integration=${ids.empty}`)).status, 404);
    assert.equal((await page('support', '/employees/B-BRUNO')).status, 200);
  });
});

describe('mapped employees', () => {
  test("lists everyone an integration sent with the FAQ's columns", async () => {
    const res = await page('owner', `/employees?integration=${ids.fourth}&limit=1000`);
    assert.equal(res.status, 200);
    const text = textOf(res.text);
    assert.match(text, /External ID First name Last name Email Department Job title Branch State Open errors Last synced/);
    assert.match(text, /7781_10020 Aoife Haddad aoife\.haddad20@example\.com Front of House Bartender Manchester Piccadilly synced/);
    const counted = await db.knex('employee_summaries').where({ integration_id: ids.fourth }).count<{ count: string }[]>('* as count');
    assert.equal((res.text.match(/<tr>\s*<td><a href="\/employees\//g) ?? []).length, Number(counted[0]!.count));
    assert.match(text, /\d+ synced \d+ blocked \d+ inactive \d+ never applied/, 'the counts by state');
  });

  test('filters by state and q, with the names of the API', async () => {
    const blocked = await page('owner', `/employees?integration=${ids.partial}&state=blocked`);
    const text = textOf(blocked.text);
    assert.match(text, /7781_10020 Aoife Haddad/);
    assert.ok(!/ synced /.test(text.split('Last synced')[1]!), 'only blocked employees');
    const searched = textOf((await page('owner', `/employees?q=${encodeURIComponent('zoë')}`)).text);
    assert.match(searched, /A-ZOE-1 Zoë Haddád/);
    assert.ok(!searched.includes('Aoife'));
    // An empty field of the filter form means no filter.
    assert.equal((await page('owner', '/employees?integration=&state=&q=')).status, 200);
  });

  test('pages by keyset in name order, with no employee twice', async () => {
    const seen: string[] = [];
    let path: string | null = `/employees?integration=${ids.aFlow}&limit=20`;
    while (path) {
      const res = await page('teammate', path);
      assert.equal(res.status, 200);
      seen.push(...[...res.text.matchAll(/<tr>\s*<td><a href="\/employees\/([^"?]+)/g)].map((m) => decodeURIComponent(m[1]!)));
      const next = /href="([^"]+)">Next page/.exec(res.text);
      path = next ? next[1]!.replace(/&amp;/g, '&') : null;
    }
    assert.equal(seen.length, 60);
    assert.equal(new Set(seen).size, 60);
    assert.deepEqual(seen.slice(0, 3), ['A-FORMULA', 'A-ZOE-1', 'CAP-0'], 'by last name (Formula, Haddád, Many00, ...)');
  });

  test('exports the same list as CSV, with the header names exactly, formula cells neutralised', async () => {
    const res = await page('owner', `/employees?integration=${ids.aFlow}&format=csv`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type']!, /^text\/csv/);
    assert.match(res.headers['content-disposition']!, /employees\.csv/);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.equal(lines[0], 'external_id,first_name,last_name,email,department,job_title,branch,state,last_synced');
    assert.equal(lines.length, 61);
    const formula = lines.find((line) => line.startsWith('A-FORMULA'));
    assert.equal(
      formula,
      `A-FORMULA,"'=HYPERLINK(""http://evil.example"",""x"")",Formula,formula@org-a.example,Kitchen,'+1+1,'@SUM(A1),synced,2026-11-21T10:15:00.000Z`,
    );
    assert.ok(
      lines.includes(`"ünï/cödé 7",Special2,Person,special2@org-a.example,Kitchen,Head Chef,London Soho,synced,2026-11-21T10:15:00.000Z`) ||
        lines.includes(`ünï/cödé 7,Special2,Person,special2@org-a.example,Kitchen,Head Chef,London Soho,synced,2026-11-21T10:15:00.000Z`),
    );
    const blockedOnly = await page('owner', `/employees?integration=${ids.partial}&state=blocked&format=csv`);
    const blockedLines = blockedOnly.text.trimEnd().split('\r\n').slice(1);
    assert.ok(blockedLines.length >= 1 && blockedLines.every((line) => line.includes(',blocked,')), 'the same filters');
  });

  test('before anything is sent, the page says how to send a first run', async () => {
    const res = await page('owner', `/employees?integration=${ids.empty}`);
    assert.equal(res.status, 200);
    assert.match(textOf(res.text), /No employee has been sent yet by Nothing sent yet\. Post a first sync run/);
  });

  test("the outsider's list holds nothing of org-a", async () => {
    const res = await page('outsider', '/employees');
    assert.ok(res.text.includes('B-BRUNO'));
    for (const marker of ['7781_10020', 'A-ZOE-1', 'org-a']) assert.ok(!res.text.includes(marker), marker);
    assert.equal((await page('outsider', `/employees?integration=${ids.aFlow}`)).text.includes('A-ZOE'), false);
  });
});

describe('GET /api/v1/employees', () => {
  test('lists employees with organisation, integration, state, open errors and first and last seen', async () => {
    const res = await api('owner', `/api/v1/employees?integration=${ids.partial}&q=7781_10020`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.items.length, 1);
    const aoife = res.body.items[0];
    assert.deepEqual(
      {
        external_id: aoife.external_id,
        job_title: aoife.job_title,
        state: aoife.state,
        open_errors: aoife.open_errors,
        blocked_since: aoife.blocked_since,
        last_synced: aoife.last_synced,
        first_seen: aoife.first_seen,
        last_seen: aoife.last_seen,
        integration: aoife.integration,
        organisation: aoife.organisation.slug,
      },
      {
        external_id: '7781_10020',
        job_title: 'Bartender ',
        state: 'blocked',
        open_errors: 1,
        blocked_since: '2026-11-20T09:15:00.000Z',
        last_synced: '2026-11-20T09:00:00.000Z',
        first_seen: '2026-11-20T09:00:00.000Z',
        last_seen: '2026-11-20T09:15:00.000Z',
        integration: { id: String(ids.partial), name: 'fourth-flow until 001' },
        organisation: 'org-a',
      },
    );
    assert.equal(res.body.next_cursor, null);
  });

  test('pages with the cursor, filters by state, and exports CSV with the same columns as the page', async () => {
    const first = await api('owner', `/api/v1/employees?integration=${ids.aFlow}&limit=40`);
    assert.equal(first.body.items.length, 40);
    const second = await api('owner', `/api/v1/employees?integration=${ids.aFlow}&limit=40&cursor=${first.body.next_cursor}`);
    assert.equal(second.body.items.length, 20);
    assert.equal(second.body.next_cursor, null);
    const never = await api('owner', `/api/v1/employees?state=never_applied`);
    assert.ok(never.body.items.length > 0 && never.body.items.every((item: { state: string }) => item.state === 'never_applied'));
    const csv = await api('owner', `/api/v1/employees?integration=${ids.aFlow}&format=csv`);
    assert.equal(csv.status, 200);
    const pageCsv = await page('owner', `/employees?integration=${ids.aFlow}&format=csv`);
    assert.equal(csv.text, pageCsv.text);
  });

  test("nobody sees another organisation's employees; support sees all", async () => {
    const outsider = await api('outsider', '/api/v1/employees?limit=1000');
    assert.deepEqual(
      outsider.body.items.map((item: { external_id: string }) => item.external_id),
      ['B-BRUNO'],
    );
    const support = await api('support', '/api/v1/employees?q=haddad');
    assert.deepEqual(new Set(support.body.items.map((item: { organisation: { slug: string } }) => item.organisation.slug)), new Set(['org-a', 'org-b']));
  });

  test("a forged cursor is a 400 naming cursor, on the list, its page and the employee page's timeline", async () => {
    const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const keys = [
      [1, 1, 'x', 0],
      [1, 1, 'x', -1],
      [1, 1, 'x', 1.5],
      [1, 1, 'x', 2 ** 63],
      [1, 1, 'x\u0000', 1],
      [1, 1, 'x'.repeat(201), 1],
      [1, 1, 5, 1],
      ['1', 1, 'x', 1],
      [0, 1, 'x', 1],
      [1, 1, 'x'],
      [1, 1, 'x', 1, 1],
      { org: 1 },
      null,
    ];
    for (const key of keys) {
      const cursor = encodeURIComponent(forge(key));
      for (const res of [
        await api('owner', `/api/v1/employees?cursor=${cursor}`),
        await sessions.owner.agent.get(`/employees?cursor=${cursor}`),
        await sessions.owner.agent.get(`/employees/7781_10020?cursor=${cursor}`),
      ]) {
        assert.equal(res.status, 400, `${JSON.stringify(key)}: ${res.status} ${res.text.slice(0, 200)}`);
        assert.deepEqual(
          (JSON.parse(res.text) as { errors: { path: string }[] }).errors.map((e) => e.path),
          ['cursor'],
        );
      }
    }
  });

  test('bad filters are 400 problems naming them', async () => {
    for (const query of ['state=asleep', 'q=', 'integration=x', 'format=xml', 'cursor=nonsense']) {
      const res = await api('owner', `/api/v1/employees?${query}`);
      assert.equal(res.status, 400, query);
      assert.match(res.headers['content-type']!, /problem\+json/);
    }
  });

  test('GET /api/v1/employees/{external_id} carries the summaries too', async () => {
    const res = await api('owner', `/api/v1/employees/7781_10020?integration=${ids.partial}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.summaries.length, 1);
    assert.equal(res.body.summaries[0].state, 'blocked');
    assert.equal(res.body.states[0].active, true);
    assert.equal(res.body.records.items[0].run.run_id, 'fourth-flow-001');
    const special = await api('owner', `/api/v1/employees/${encodeURIComponent('ext/with slash')}`);
    assert.equal(special.status, 200);
    assert.equal(special.body.summaries[0].external_id, 'ext/with slash');
  });
});
