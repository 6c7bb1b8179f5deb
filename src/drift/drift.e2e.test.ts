import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createUser } from '../accounts/accounts.service.js';
import { createOrganisation } from '../orgs/orgs.service.js';
import { emailOf, FIXTURE_PASSWORD, signIn, startWithFixtureUsers, type FixtureUser } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { createExampleIntegration, makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';
import { loadExampleCorpus } from '../../test/helpers/truth.js';

let db: TestDatabase;
let app: Express;
let apiTokens: Record<FixtureUser, string>;
let ingestA: string;
const integrationIds: Record<string, number> = {};
const corpus = loadExampleCorpus();

interface DriftItem {
  group: string;
  integration: string;
  code: string;
  field: string;
  value: string;
  expected: string | null;
  variant: string;
  employees_blocked: number;
  occurrences: number;
  status: string;
  fix: string;
}

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app, apiTokens } = fixtures);
  ingestA = fixtures.orgA.token;
  // The example corpus in org-a: fourth-flow up to run fourth-flow-001 (Aoife's 'Bartender ' is still open), the others whole.
  for (const example of corpus) {
    const { integration, token } = await createExampleIntegration(db.knex, 'org-a', example);
    integrationIds[example.integration] = integration.id;
    const runs = example.integration === 'fourth-flow' ? example.runs.slice(0, 2) : example.runs;
    for (const run of runs) assert.equal((await postRun(app, token, run.payload)).status, 201, run.file);
  }
});
after(() => db.drop());

const api = (path: string, who: FixtureUser = 'owner') => request(app).get(path).set('Authorization', `Bearer ${apiTokens[who]}`);

async function allDrift(query = ''): Promise<DriftItem[]> {
  const items: DriftItem[] = [];
  let cursor: string | null = null;
  do {
    const response = await api(`/api/v1/drift?limit=7${query}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(response.status, 200, response.text);
    items.push(...response.body.items);
    cursor = response.body.next_cursor;
  } while (cursor);
  return items;
}

async function openMembers(groupId: string): Promise<number> {
  const [row] = await db.knex('error_group_members').where({ group_id: groupId, open: true }).count<{ count: string }[]>('* as count');
  return Number(row!.count);
}

describe('catalog drift in the API', () => {
  test("lists fourth-flow's 'Bartender ' with its near match, variant and fix, ranked by the employees each value blocks", async () => {
    const fourth = await allDrift(`&integration=${integrationIds['fourth-flow']}`);
    const bartender = fourth.find((item) => item.value === 'Bartender ');
    assert.ok(bartender, JSON.stringify(fourth.map((item) => item.value)));
    assert.deepEqual(
      { field: bartender.field, expected: bartender.expected, variant: bartender.variant, blocked: bartender.employees_blocked, status: bartender.status },
      { field: 'job_title', expected: 'Bartender', variant: 'spacing', blocked: 1, status: 'open' },
    );
    assert.equal(bartender.fix, "Rename 'Bartender ' to 'Bartender' in Fourth");
    assert.ok(fourth.every((item) => item.integration === String(integrationIds['fourth-flow'])));
    assert.ok(
      fourth.every((item) => ['job_title_mismatch', 'department_mismatch', 'branch_mismatch'].includes(item.code)),
      'only catalog codes',
    );

    // Hidden characters are shown in the fix; a value no catalog entry is near is to be created in the target.
    const unicode = fourth.find((item) => item.variant === 'unicode');
    assert.ok(unicode, 'the corpus has a value with an invisible character');
    assert.match(unicode.fix, /^Rename '.*<U\+[0-9A-F]{4}>.*' to '[^<]+' in Fourth$/);
    const unknown = fourth.find((item) => item.variant === 'unknown');
    assert.ok(unknown);
    assert.equal(unknown.expected, null);
    assert.equal(unknown.fix, `Create '${unknown.value}' in Flow Learning`);
  });

  test('ranks every integration together by employees blocked, each count being the open members of the group', async () => {
    const all = await allDrift();
    assert.ok(all.length > 20, `the corpus leaves plenty of drift (${all.length})`);
    assert.deepEqual(new Set(all.map((item) => item.integration)), new Set(Object.values(integrationIds).map(String)), 'all three integrations');
    for (const [i, item] of all.entries()) {
      assert.equal(item.employees_blocked, await openMembers(item.group), `${item.value}: blocked = open members`);
      if (i > 0) assert.ok(all[i - 1]!.employees_blocked >= item.employees_blocked, `ranked: ${all[i - 1]!.value} before ${item.value}`);
    }
    assert.ok(all[0]!.employees_blocked >= 2, 'the values blocking most people come first');
    // A value whose employees were all applied since is no drift any more, and the catalog-less engine's messages are.
    const statuses = await db
      .knex('error_groups')
      .whereIn(
        'id',
        all.map((item) => item.group),
      )
      .distinct('status');
    assert.deepEqual(statuses.map((row: { status: string }) => row.status).sort(), ['open', 'regressed']);
    const hrfeed = all.filter((item) => item.integration === String(integrationIds['hrfeed-flow']));
    assert.ok(hrfeed.length > 0 && hrfeed.every((item) => item.variant === 'unknown' && item.fix.startsWith('Create ')));
    const resolved = await db.knex('error_groups').where({ code: 'job_title_mismatch', status: 'resolved' }).pluck('id');
    assert.ok(resolved.length > 0);
    assert.ok(!all.some((item) => resolved.includes(Number(item.group))), 'no resolved group');
  });

  test('filters by field; pages with a cursor it gave out; refuses a forged one, naming it', async () => {
    const branches = await allDrift('&field=branch');
    assert.ok(branches.length > 0 && branches.every((item) => item.field === 'branch' && item.code === 'branch_mismatch'));
    const forged = await api(`/api/v1/drift?cursor=${Buffer.from(JSON.stringify(['x', '2026-01-01T00:00:00Z', 1])).toString('base64url')}`);
    assert.equal(forged.status, 400);
    assert.deepEqual(
      forged.body.errors.map((e: { path: string }) => e.path),
      ['cursor'],
    );
    const badField = await api('/api/v1/drift?field=email');
    assert.equal(badField.status, 400);
    assert.deepEqual(
      badField.body.errors.map((e: { path: string }) => e.path),
      ['field'],
    );
  });

  test("another organisation's drift is invisible; an integration of it is an empty list, not an error", async () => {
    const outsider = await api('/api/v1/drift', 'outsider');
    assert.equal(outsider.status, 200);
    assert.deepEqual(outsider.body.items, []);
    const probing = await api(`/api/v1/drift?integration=${integrationIds['fourth-flow']}`, 'outsider');
    assert.deepEqual(probing.body.items, []);
    const support = await allDrift();
    assert.ok(support.length > 0);
  });

  test('CSV: the same list, streamed, a formula in a value neutralised', async () => {
    const formula = "=cmd|' /C calc'!A0";
    const record = {
      external_id: 'csv-1',
      action: 'create',
      outcome: 'failed',
      employee: { first_name: 'Cee', last_name: 'Sv', email: 'cee@example.com', job_title: formula, department: 'Kitchen', branch: 'London Soho' },
      messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: 'Job title does not exist' }],
    };
    assert.equal((await postRun(app, ingestA, makeRun({ run_id: 'csv-drift', records: [record] }))).status, 201);
    const csv = await api('/api/v1/drift?format=csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'] ?? '', /^text\/csv/);
    assert.match(csv.headers['content-disposition'] ?? '', /attachment; filename="?catalog-drift.csv"?/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.equal(lines[0], 'integration,field,value,expected,variant,employees_blocked,occurrences,last_seen,fix,group');
    const row = lines.find((line) => line.includes('calc'));
    assert.ok(row, csv.text.slice(0, 500));
    assert.match(row, /^A flow,job_title,'=cmd\|' \/C calc'!A0,,unknown,1,1,2026-11-21T10:15:00.000Z,Create '=cmd\|' \/C calc'!A0' in Flow Learning,\d+$/);
    assert.equal(lines.length - 1, (await allDrift()).length, 'every value, not one page');
    const fourthOnly = await api(`/api/v1/drift?format=csv&integration=${integrationIds['fourth-flow']}`);
    assert.ok(
      fourthOnly.text
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .every((line) => line.startsWith('fourth-flow,')),
    );
  });
});

describe('the catalog drift page', () => {
  test('shows each value with the near match, variant, employees blocked and the fix, linked to its group', async () => {
    const owner = await signIn(app, emailOf('owner'));
    const page = await owner.agent.get(`/drift?integration=${integrationIds['fourth-flow']}`);
    assert.equal(page.status, 200);
    const group = await db.knex('error_groups').where({ integration_id: integrationIds['fourth-flow'], value: 'Bartender ' }).first('id');
    const row = new RegExp(
      `<tr id="drift-${group.id}">\\s*<td class="num"><a href="/error-groups/${group.id}">1</a></td>\\s*<td>job title</td>\\s*<td class="drift-value keep-spaces">&#39;Bartender &#39;</td>\\s*<td class="keep-spaces">&#39;Bartender&#39;</td>\\s*<td>spacing</td>\\s*<td class="drift-fix keep-spaces"><a href="/error-groups/${group.id}">Rename &#39;Bartender &#39; to &#39;Bartender&#39; in Fourth</a></td>`,
    );
    assert.match(page.text, row);
    assert.match(page.text, /The catalog of Flow Learning was last received <time/);
    const hrfeed = await owner.agent.get(`/drift?integration=${integrationIds['hrfeed-flow']}`);
    assert.match(hrfeed.text, /This integration never sent a catalog: only the engine's messages reveal values Flow Learning lacks\./);
    assert.match(hrfeed.text, /Create &#39;Sommelier&#39; in Flow Learning/);
  });

  test('the CSV link gives the same list; a bad filter is a 400 naming it', async () => {
    const owner = await signIn(app, emailOf('owner'));
    const page = await owner.agent.get(`/drift?field=job_title&integration=${integrationIds['planday-flow']}`);
    assert.match(page.text, new RegExp(`href="/drift\\?integration=${integrationIds['planday-flow']}&amp;field=job_title&amp;format=csv" download`));
    const csv = await owner.agent.get(`/drift?integration=${integrationIds['planday-flow']}&field=job_title&format=csv`);
    assert.equal(csv.status, 200);
    const api = await allDrift(`&integration=${integrationIds['planday-flow']}&field=job_title`);
    assert.equal(csv.text.trimEnd().split('\r\n').length - 1, api.length);
    const blank = await owner.agent.get('/drift?integration=&field=');
    assert.equal(blank.status, 200, 'the form sends its blank fields ("all") too');
    const bad = await owner.agent.get('/drift?field=nope').set('Accept', 'text/html');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /<li><code>field<\/code>/);
  });

  test('pages with its next link, in the same order as the API', async () => {
    const owner = await signIn(app, emailOf('owner'));
    const ids: string[] = [];
    let next: string | null = '/drift?limit=10';
    while (next) {
      const page = await owner.agent.get(next);
      assert.equal(page.status, 200);
      ids.push(...[...page.text.matchAll(/<tr id="drift-(\d+)">/g)].map((m) => m[1]!));
      next = /<a href="([^"]+)">More values →<\/a>/.exec(page.text)?.[1]?.replaceAll('&amp;', '&') ?? null;
    }
    assert.deepEqual(
      ids,
      (await allDrift()).map((item) => item.group),
    );
  });

  test('an empty state says what it means: no drift, or no integration yet', async () => {
    const outsider = await signIn(app, emailOf('outsider'));
    const none = await outsider.agent.get('/drift');
    assert.match(none.text, /No drift: every value the source sends exists in the target's catalog\./);
    await createOrganisation(db.knex, 'no-integrations', 'No integrations Ltd');
    await createUser(db.knex, { email: 'lonely@example.com', role: 'admin', orgSlug: 'no-integrations', password: FIXTURE_PASSWORD });
    const lonely = await signIn(app, 'lonely@example.com');
    assert.match((await lonely.agent.get('/drift')).text, /No integration yet\. Connect one and let its engine post a first run/);
  });
});
