import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { emailOf, signIn, startWithFixtureUsers, type BrowserSession } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { createOrgWithIntegration, makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';
import { createApp } from '../app/app.js';
import { createUser } from '../accounts/accounts.service.js';

let db: TestDatabase;
let app: Express;
let fixtures: Awaited<ReturnType<typeof startWithFixtureUsers>>;
let owner: BrowserSession;
let outsider: BrowserSession;
const runs: Record<string, number> = {};

const FORMULA = '=HYPERLINK("http://evil.example","click")';

const person = (externalId: string, first: string, last: string, extra: Record<string, unknown> = {}) => ({
  external_id: externalId,
  action: 'update',
  outcome: 'succeeded',
  employee: { first_name: first, last_name: last, email: `${first.toLowerCase()}@example.com`, job_title: 'Bartender', department: 'Bar', branch: 'Dublin' },
  messages: [],
  ...extra,
});

const catalog = { job_titles: ['Bartender', 'Head Chef'], departments: ['Bar', 'Kitchen'], branches: ['Dublin'] };

async function post(runId: string, startedAt: string, records: unknown[], extra: Record<string, unknown> = {}) {
  const finished = new Date(Date.parse(startedAt) + 42_000).toISOString();
  const response = await postRun(
    app,
    fixtures.orgA.token,
    makeRun({ run_id: runId, started_at: startedAt, finished_at: finished, source_system: 'Fourth', target_system: 'Flow', catalog, records, ...extra }),
  );
  assert.equal(response.status, 201, response.text);
  runs[runId] = Number(response.body.id);
}

before(async () => {
  fixtures = await startWithFixtureUsers();
  ({ db, app } = fixtures);
  // Integration "A flow" expects a run every 15 minutes with 10 minutes' grace.
  await post('first-run', '2026-11-21T10:00:00Z', [person('7781_1', 'Aoife', 'Haddad'), person('7781_2', 'Ben', 'Okafor')]);
  await post('second-run', '2026-11-21T10:15:00Z', [
    person('7781_1', 'Aoife', 'Haddad', {
      outcome: 'failed',
      employee: { first_name: 'Aoife', last_name: 'Haddad', email: 'aoife@example.com', job_title: 'Bartender ', department: 'Bar', branch: 'Dublin' },
      messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: "Job title 'Bartender ' does not exist" }],
    }),
    person('7781_2', 'Ben', 'Okafor'),
    person('7781_3', FORMULA, 'Lee', { outcome: 'warning' }),
  ]);
  // Nothing from 10:15 until 12:00: the slots of 10:30 to 11:45 passed their grace.
  await post('third-run', '2026-11-21T12:00:00Z', [person('7781_2', 'Ben', 'Okafor')], { trigger: 'manual' });
  await post('failed-run', '2026-11-21T12:15:00Z', [], { status: 'failed', run_error: 'Source authentication failed (401)' });
  const b = await postRun(app, fixtures.orgB.token, makeRun({ run_id: 'run-of-b', records: [person('9_1', 'Bruno', 'Brook')] }));
  assert.equal(b.status, 201, b.text);
  owner = await signIn(app, emailOf('owner'));
  outsider = await signIn(app, emailOf('outsider'));
});
after(() => db.drop());

const rowsOf = (html: string) =>
  [...html.matchAll(/<tr( class="gap")?>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => (m[1] ? 'gap' : 'run') + m[2]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));

describe('the feed logs page', () => {
  test('lists the runs newest first with their counts, the gap that is still open at the top and the one between runs in place', async () => {
    const page = await owner.agent.get('/runs');
    assert.equal(page.status, 200);
    const rows = rowsOf(page.text);
    assert.match(rows[0]!, /^gap.*A flow: No run has arrived since/);
    assert.match(rows[1]!, /^run.*failed-run.*failed/);
    assert.match(rows[2]!, /^run.*third-run.*manual/);
    assert.match(rows[3]!, /^gap.*No run arrived between .* expected every 15m \(grace 10m\); 6 scheduled runs missing or late/);
    assert.match(rows[4]!, /^run.*second-run/);
    assert.match(rows[5]!, /^run.*first-run/);
    assert.equal(rows.length, 6);
    // Every count is a link to the run's records behind it.
    assert.ok(page.text.includes(`href="/runs/${runs['second-run']}?outcome=failed"`));
    assert.ok(page.text.includes(`href="/runs/${runs['second-run']}?code=job_title_mismatch"`));
    assert.doesNotMatch(page.text, /run-of-b/);
  });

  test('filters by integration, status, trigger and dates (as a date input sends them, or RFC 3339), with the same names as the API', async () => {
    const names = async (query: string) =>
      rowsOf((await owner.agent.get(`/runs?${query}`)).text)
        .filter((r) => r.startsWith('run'))
        .map((r) => /\b(\w+-run)\b/.exec(r)?.[1]);
    assert.deepEqual(await names('status=failed'), ['failed-run']);
    assert.deepEqual(await names('trigger=manual'), ['third-run']);
    assert.deepEqual(await names(`integration=${fixtures.orgA.integration.id}&status=&trigger=&from=&to=`), [
      'failed-run',
      'third-run',
      'second-run',
      'first-run',
    ]);
    assert.deepEqual(await names('from=2026-11-21T11:00:00Z'), ['failed-run', 'third-run']);
    assert.deepEqual(await names('to=2026-11-21T10:15:00Z'), ['first-run']);
    assert.deepEqual(await names('from=2026-11-21&to=2026-11-21'), ['failed-run', 'third-run', 'second-run', 'first-run']);
    assert.deepEqual(await names('to=2026-11-20'), []);
    assert.match((await owner.agent.get('/runs?to=2026-11-20')).text, /No runs match these filters/);
    const filtered = await owner.agent.get('/runs?status=completed_with_errors');
    assert.match(filtered.text, /Gaps in the schedule are shown when the list is not filtered/);
    assert.doesNotMatch(filtered.text, /class="gap"/);
    assert.equal((await owner.agent.get('/runs?status=nope')).status, 400);
    assert.equal((await owner.agent.get('/runs?from=21-11-2026')).status, 400);
  });

  test('a date range is read as whole days in the reader’s time zone', async () => {
    await db
      .knex('users')
      .where({ email: emailOf('owner') })
      .update({ time_zone: 'Pacific/Auckland' });
    try {
      // 10:00Z on 21 Nov is 23:00 on 21 Nov in Auckland; 12:00Z is 01:00 on 22 Nov.
      const names = rowsOf((await owner.agent.get('/runs?from=2026-11-22&to=2026-11-22')).text).filter((r) => r.startsWith('run'));
      assert.equal(names.length, 2);
      assert.match(names[0]!, /failed-run/);
    } finally {
      await db
        .knex('users')
        .where({ email: emailOf('owner') })
        .update({ time_zone: 'UTC' });
    }
  });

  test('keyset pages visit every run once, and the gap to a run on the next page is shown on this one', async () => {
    const first = await owner.agent.get('/runs?limit=2');
    const rows = rowsOf(first.text);
    assert.deepEqual(
      rows.map((r) => r.slice(0, 3)),
      ['gap', 'run', 'run', 'gap'],
    );
    const next = /href="([^"]*cursor=[^"]+)">Older runs/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next, 'a link to the older runs');
    const second = rowsOf((await owner.agent.get(next)).text);
    assert.deepEqual(
      second.map((r) => r.slice(0, 3)),
      ['run', 'run'],
    );
    assert.match(second[0]!, /second-run/);
    assert.match(second[1]!, /first-run/);
  });

  test('exports the filtered runs as CSV, one row per run, a column per outcome and per error code', async () => {
    const csv = await owner.agent.get('/runs?format=csv&trigger=scheduled');
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type']!, /text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .replace(/\r\n$/, '')
      .split('\r\n');
    const header = lines[0]!.split(',');
    assert.deepEqual(header.slice(0, 11), [
      'id',
      'run_id',
      'integration',
      'trigger',
      'status',
      'started_at',
      'finished_at',
      'records',
      'succeeded',
      'failed',
      'warning',
    ]);
    assert.ok(header.includes('job_title_mismatch'));
    assert.equal(lines.length, 4, 'three scheduled runs');
    const second = lines.find((line) => line.includes('second-run'))!.split(',');
    assert.equal(second[header.indexOf('failed')], '1');
    assert.equal(second[header.indexOf('job_title_mismatch')], '1');
    const api = await request(app).get('/api/v1/sync-runs?format=csv&trigger=scheduled').set('Authorization', `Bearer ${fixtures.apiTokens.owner}`);
    assert.equal(api.status, 200);
    assert.equal(api.text, csv.text, 'the API twin exports the same list');
  });

  test('empty states say what to do next: create an integration, then post a first run', async () => {
    const { db: empty } = { db };
    await createOrgWithIntegration(empty.knex, { slug: 'org-c', integration: 'C flow' });
    await createUser(empty.knex, { email: 'c.admin@example.com', role: 'admin', orgSlug: 'org-c', password: 'correct horse battery' });
    const newcomer = await signIn(app, 'c.admin@example.com');
    const page = await newcomer.agent.get('/runs');
    assert.match(page.text, /No run has arrived yet/);
    assert.match(page.text, /curl -X POST http[^ ]*\/api\/v1\/sync-runs/);
    await db.knex('integrations').where({ name: 'C flow' }).delete();
    const none = await newcomer.agent.get('/runs');
    assert.match(none.text, /No integration yet/);
    assert.match(none.text, /feedlog integration create --org org-c/);
  });
});

describe('the run page', () => {
  test('shows the header, counts per outcome and per code as links, and the records with their errors inline', async () => {
    const page = await owner.agent.get(`/runs/${runs['second-run']}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Run second-run/);
    assert.ok(page.text.includes(`href="/runs/${runs['second-run']}?outcome=failed"`));
    assert.ok(page.text.includes(`href="/runs/${runs['second-run']}?code=job_title_mismatch"`));
    assert.match(page.text, /3 records match/);
    assert.match(page.text, /<code>job_title_mismatch<\/code> job_title: “Bartender ”/);
    assert.ok(page.text.includes(`href="/runs/${runs['second-run']}/records/0"`));
  });

  test('a failed run shows its run error with guidance', async () => {
    const page = await owner.agent.get(`/runs/${runs['failed-run']}`);
    assert.match(page.text, /Source authentication failed \(401\)/);
    assert.match(page.text, /Sync run from Fourth to Flow failed/);
    assert.match(page.text, /Check the credentials the sync engine uses/);
    assert.match(page.text, /This run has no records/);
  });

  test('filters the records by outcome, code, field and q, saying how many match, and pages through them', async () => {
    const run = runs['second-run'];
    const externalIds = async (query: string) =>
      [...(await owner.agent.get(`/runs/${run}?${query}`)).text.matchAll(/records\/\d+">(7781_\d)</g)].map((m) => m[1]);
    assert.deepEqual(await externalIds('outcome=failed'), ['7781_1']);
    assert.deepEqual(await externalIds('outcome=warning'), ['7781_3']);
    assert.deepEqual(await externalIds('code=job_title_mismatch'), ['7781_1']);
    assert.deepEqual(await externalIds('field=job_title'), ['7781_1']);
    assert.deepEqual(await externalIds('code=job_title_mismatch&outcome=succeeded'), []);
    assert.deepEqual(await externalIds('q=okaf'), ['7781_2']);
    assert.deepEqual(await externalIds('q=7781_'), ['7781_1', '7781_2', '7781_3']);
    assert.deepEqual(await externalIds('outcome=&code=&field=&q='), ['7781_1', '7781_2', '7781_3']);
    assert.match((await owner.agent.get(`/runs/${run}?code=job_title_mismatch`)).text, /1 record matches/);
    assert.match((await owner.agent.get(`/runs/${run}?outcome=succeeded`)).text, /1 record matches/);
    const paged = await owner.agent.get(`/runs/${run}?limit=2`);
    assert.deepEqual(
      [...paged.text.matchAll(/records\/\d+">(7781_\d)</g)].map((m) => m[1]),
      ['7781_1', '7781_2'],
    );
    const next = /href="([^"]*cursor=[^"]+)">Next records/.exec(paged.text)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(next);
    assert.deepEqual(
      [...(await owner.agent.get(next)).text.matchAll(/records\/\d+">(7781_\d)</g)].map((m) => m[1]),
      ['7781_3'],
    );
    assert.equal((await owner.agent.get(`/runs/${run}?code=nope`)).status, 400);
  });

  test('exports its records as CSV with the page’s filters, formula cells neutralised, like GET /api/v1/records', async () => {
    const run = runs['second-run'];
    const csv = await owner.agent.get(`/runs/${run}?format=csv`);
    assert.equal(csv.status, 200);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .replace(/\r\n$/, '')
      .split('\r\n');
    assert.equal(lines[0], 'run id,run_id,index,external_id,first_name,last_name,email,action,outcome,error codes,error values');
    assert.equal(lines.length, 4);
    assert.ok(lines[1]!.startsWith(`${run},second-run,0,7781_1,Aoife,Haddad,aoife@example.com,update,failed,job_title_mismatch,job_title: Bartender `));
    const formula = lines.find((line) => line.includes('HYPERLINK'))!;
    assert.ok(formula.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), formula);
    const failed = await owner.agent.get(`/runs/${run}?format=csv&outcome=failed`);
    assert.equal(failed.text.replace(/\r\n$/, '').split('\r\n').length, 2);
    const api = await request(app).get(`/api/v1/records?run=${run}&format=csv`).set('Authorization', `Bearer ${fixtures.apiTokens.owner}`);
    assert.equal(api.status, 200);
    const apiLines = api.text
      .replace(/^\uFEFF/, '')
      .replace(/\r\n$/, '')
      .split('\r\n');
    assert.deepEqual(apiLines.slice(1).reverse(), lines.slice(1), 'the same records, the API newest first');
  });

  test("another organisation's run is a 404, as is a run id that is no id", async () => {
    assert.equal((await outsider.agent.get(`/runs/${runs['second-run']}`)).status, 404);
    assert.equal((await outsider.agent.get(`/runs/${runs['second-run']}?format=csv`)).status, 404);
    assert.equal((await owner.agent.get('/runs/abc')).status, 404);
    assert.equal((await owner.agent.get('/runs/999999')).status, 404);
  });
});

describe('the record page', () => {
  test('shows the employee as sent, our errors with guidance and values, the diff against the previous record, the links and the raw JSON', async () => {
    const run = runs['second-run'];
    const page = await owner.agent.get(`/runs/${run}/records/0`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Record 0: Aoife Haddad/);
    assert.match(page.text, /Job title does not match Flow exactly/);
    assert.match(page.text, /Fourth sends &#39;Bartender &#39;; Flow has &#39;Bartender&#39;/);
    assert.match(page.text, /Change it in Fourth to exactly &#39;Bartender&#39;/);
    const group = await db.knex('errors').where({ sync_run_id: run, record_index: 0 }).first('group_id');
    assert.ok(page.text.includes(`href="/error-groups/${group.group_id}"`));
    assert.ok(page.text.includes(`href="/employees/7781_1?integration=${fixtures.orgA.integration.id}"`));
    assert.ok(page.text.includes(`href="/runs/${run}"`));
    // The previous record of Aoife is record 0 of the first run; her job title gained a trailing space.
    assert.ok(page.text.includes(`href="/runs/${runs['first-run']}/records/0"`));
    // Values are quoted, so the trailing space that failed the record shows.
    assert.match(page.text, /<th scope="row">job_title<\/th><td class="before">&#39;Bartender&#39;<\/td><td class="after">&#39;Bartender &#39;<\/td>/);
    assert.match(page.text, /Job title &#39;Bartender &#39; does not exist/, "the engine's message");
    assert.match(
      page.text,
      /<pre class="raw" tabindex="0"[^>]*><code>\{\n {2}&#34;action&#34;: &#34;update&#34;,\n[^<]*\n {2}&#34;external_id&#34;: &#34;7781_1&#34;\n\}/,
    );
  });

  test('a first record has no diff; a record index that is not one, or of another organisation, is a 404', async () => {
    const first = await owner.agent.get(`/runs/${runs['first-run']}/records/1`);
    assert.match(first.text, /This is the first record of this employee/);
    assert.equal((await owner.agent.get(`/runs/${runs['first-run']}/records/9`)).status, 404);
    assert.equal((await owner.agent.get(`/runs/${runs['first-run']}/records/-1`)).status, 404);
    assert.equal((await owner.agent.get(`/runs/${runs['first-run']}/records/x`)).status, 404);
    assert.equal((await outsider.agent.get(`/runs/${runs['first-run']}/records/0`)).status, 404);
  });
});

describe('the API grows with the pages', () => {
  test('each error of GET /api/v1/records and each run-level error of GET /api/v1/sync-runs/{id} carries its group and guidance', async () => {
    const api = (path: string) => request(app).get(path).set('Authorization', `Bearer ${fixtures.apiTokens.owner}`);
    const records = await api(`/api/v1/records?run=${runs['second-run']}&outcome=failed`);
    const [error] = records.body.items[0].errors;
    const group = await db.knex('errors').where({ sync_run_id: runs['second-run'], record_index: 0 }).first('group_id');
    assert.equal(error.group, String(group.group_id));
    assert.equal(error.guidance.title, 'Job title does not match Flow exactly');
    assert.match(error.guidance.summary, /Fourth sends 'Bartender '; Flow has 'Bartender'\. /);
    assert.ok(error.guidance.steps.length >= 2);
    const run = await api(`/api/v1/sync-runs/${runs['failed-run']}`);
    assert.equal(run.body.errors[0].code, 'run_failed');
    assert.match(run.body.errors[0].group, /^\d+$/);
    assert.equal(run.body.errors[0].guidance.title, 'Sync run from Fourth to Flow failed');
    const employee = await api(`/api/v1/employees/7781_1?integration=${fixtures.orgA.integration.id}`);
    assert.equal(employee.body.records.items[0].errors[0].guidance.title, 'Job title does not match Flow exactly');
  });
});

test('the pages need a signed-in person', async () => {
  const anonymous = request(createApp({ knex: db.knex }));
  const response = await anonymous.get(`/runs/${runs['second-run']}/records/0`);
  assert.equal(response.status, 303);
  assert.match(response.headers.location!, /^\/login\?next=/);
});
