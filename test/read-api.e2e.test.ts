import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { createUser } from '../src/accounts/accounts.service.js';
import { diffAgainstTruth, formatDifferences, loadExampleCorpus, type Difference } from './helpers/truth.js';
import type { TestDatabase } from './helpers/database.js';
import { startWithFixtureUsers, type FixtureUser } from './helpers/accounts.js';
import { createExampleIntegration, makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
let app: Express;
let tokens: Record<FixtureUser, string>;
let ingestA: string;
let ingestB: string;
let integrationB: string;
let runA: string;
let runB: string;

const get = (path: string, who: FixtureUser) => request(app).get(path).set('Authorization', `Bearer ${tokens[who]}`);

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app, apiTokens: tokens } = fixtures);
  ingestA = fixtures.orgA.token;
  ingestB = fixtures.orgB.token;
  integrationB = String(fixtures.orgB.integration.id);
  runA = (await postRun(app, ingestA, makeRun({ run_id: 'a-1' }))).body.id;
  runB = (await postRun(app, ingestB, makeRun({ run_id: 'b-1' }))).body.id;
  // A second run in org A, so that lists have more than one page.
  await postRun(app, ingestA, makeRun({ run_id: 'a-2', started_at: '2026-11-21T11:15:00Z', finished_at: '2026-11-21T11:16:00Z' }));
});
after(() => db.drop());

describe('authentication of the read API', () => {
  const routes = ['/api/v1/sync-runs', '/api/v1/sync-runs/1', '/api/v1/records', '/api/v1/employees/4512_1', '/api/v1/error-groups'];

  test('no token is a 401 and an ingest token is a 403 on every read route', async () => {
    for (const route of routes) {
      assert.equal((await request(app).get(route)).status, 401, route);
      const withIngest = await request(app).get(route).set('Authorization', `Bearer ${ingestA}`);
      assert.equal(withIngest.status, 403, route);
      assert.match(withIngest.body.detail, /ingest token/);
    }
  });

  test('an API token cannot ingest', async () => {
    const response = await postRun(app, tokens.owner, makeRun({ run_id: 'by-api-token' }));
    assert.equal(response.status, 403);
    assert.match(response.body.detail, /API token/);
  });

  test('a revoked-looking or unknown API token is a 401', async () => {
    const forged = `${tokens.owner.slice(0, -4)}AAAA`;
    assert.equal((await request(app).get('/api/v1/sync-runs').set('Authorization', `Bearer ${forged}`)).status, 401);
  });
});

describe('what each user sees', () => {
  test('members see their organisation only, support sees every one', async () => {
    const ids = async (who: FixtureUser) => (await get('/api/v1/sync-runs', who)).body.items.map((r: { run_id: string }) => r.run_id).sort();
    assert.deepEqual(await ids('owner'), ['a-1', 'a-2']);
    assert.deepEqual(await ids('teammate'), ['a-1', 'a-2']);
    assert.deepEqual(await ids('outsider'), ['b-1']);
    assert.deepEqual(await ids('support'), ['a-1', 'a-2', 'b-1']);
  });

  test("another organisation's run, records, employee and groups are invisible (404 or empty)", async () => {
    assert.equal((await get(`/api/v1/sync-runs/${runA}`, 'outsider')).status, 404);
    assert.equal((await get(`/api/v1/sync-runs/${runB}`, 'outsider')).status, 200);
    const records = await get(`/api/v1/records?run=${runA}`, 'outsider');
    assert.equal(records.status, 200);
    assert.deepEqual(records.body.items, []);
    // Both organisations have employee 4512_1; the outsider sees only their own.
    const employee = await get('/api/v1/employees/4512_1', 'outsider');
    assert.equal(employee.status, 200);
    assert.deepEqual(
      employee.body.states.map((s: { integration: { name: string } }) => s.integration.name),
      ['B flow'],
    );
    assert.ok(employee.body.records.items.every((r: { run: { run_id: string } }) => r.run.run_id === 'b-1'));
    const groups = await get('/api/v1/error-groups', 'outsider');
    assert.ok(groups.body.items.length > 0);
    assert.ok(groups.body.items.every((g: { integration: string }) => g.integration === integrationB));
    assert.equal((await get('/api/v1/employees/nobody', 'owner')).status, 404);
  });
});

describe('filters and pagination', () => {
  test('a run has its summary and run-level errors', async () => {
    const response = await get(`/api/v1/sync-runs/${runA}`, 'owner');
    assert.equal(response.status, 200);
    assert.equal(response.body.run_id, 'a-1');
    assert.deepEqual(response.body.errors, []);
    assert.deepEqual(response.body.counts, { succeeded: 1, failed: 1, warning: 0 });
  });

  test('runs filter by run_id, status and time', async () => {
    assert.deepEqual(
      (await get('/api/v1/sync-runs?run_id=a-2', 'owner')).body.items.map((r: { run_id: string }) => r.run_id),
      ['a-2'],
    );
    assert.equal((await get('/api/v1/sync-runs?status=failed', 'owner')).body.items.length, 0);
    const from = encodeURIComponent('2026-11-21T11:00:00Z');
    assert.deepEqual(
      (await get(`/api/v1/sync-runs?from=${from}`, 'owner')).body.items.map((r: { run_id: string }) => r.run_id),
      ['a-2'],
    );
  });

  test('records filter by code, outcome, email, q and external_id, with their errors', async () => {
    const mismatches = await get('/api/v1/records?code=job_title_mismatch', 'owner');
    assert.equal(mismatches.body.items.length, 2);
    const first = mismatches.body.items[0];
    assert.equal(first.external_id, '4512_2');
    assert.equal(first.employee.job_title, 'kitchen porter');
    const [{ group, guidance, ...classified }] = first.errors;
    assert.deepEqual(classified, {
      code: 'job_title_mismatch',
      severity: 'error',
      field: 'job_title',
      value: 'kitchen porter',
      expected: 'Kitchen Porter',
      variant: 'case',
    });
    // Each error names its group and says how to fix it, in the integration's systems' words.
    assert.match(group, /^\d+$/);
    assert.equal((await get(`/api/v1/error-groups/${group}`, 'owner')).body.code, 'job_title_mismatch');
    assert.equal(guidance.title, 'Job title does not match Flow Learning exactly');
    assert.match(guidance.summary, /^Fourth sends 'kitchen porter'; Flow Learning has 'Kitchen Porter'\./);
    assert.equal(guidance.steps[0], "Change it in Fourth to exactly 'Kitchen Porter'");
    assert.equal((await get('/api/v1/records?outcome=succeeded', 'owner')).body.items.length, 2);
    assert.equal((await get('/api/v1/records?email=BEN@example.com', 'owner')).body.items.length, 2);
    assert.equal((await get('/api/v1/records?q=okaf', 'owner')).body.items.length, 2);
    assert.equal((await get('/api/v1/records?q=100%25', 'owner')).body.items.length, 0, 'LIKE wildcards are matched literally');
    assert.equal((await get('/api/v1/records?external_id=4512_1', 'owner')).body.items.length, 2);
  });

  test('following next_cursor visits every record once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`/api/v1/records?limit=1${cursor ? `&cursor=${cursor}` : ''}`, 'owner');
      assert.equal(response.status, 200);
      seen.push(...response.body.items.map((r: { id: string }) => r.id));
      cursor = response.body.next_cursor;
    } while (cursor);
    assert.equal(seen.length, 4);
    assert.equal(new Set(seen).size, 4);
    const all = (await get('/api/v1/records', 'owner')).body.items.map((r: { id: string }) => r.id);
    assert.deepEqual(seen, all);
  });

  test('bad parameters and cursors are 400s naming them', async () => {
    const bad = await get('/api/v1/records?limit=5000&code=nope', 'owner');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['code', 'limit']);
    const cursor = await get('/api/v1/sync-runs?cursor=garbage', 'owner');
    assert.equal(cursor.status, 400);
    assert.equal(cursor.body.errors[0].path, 'cursor');
  });

  test('error groups filter by code and status', async () => {
    const response = await get('/api/v1/error-groups?code=job_title_mismatch&status=open', 'owner');
    assert.equal(response.status, 200);
    assert.equal(response.body.items.length, 1);
    assert.equal(response.body.items[0].occurrences, 2);
    assert.equal(response.body.items[0].employees_affected, 1);
  });
});

test('the example corpus read back through GET /api/v1/records matches truth.json', async () => {
  await createUser(db.knex, { email: 'owner@example.com', role: 'admin', orgSlug: 'org-b' });
  const differences: Difference[] = [];
  for (const example of loadExampleCorpus()) {
    const { token } = await createExampleIntegration(db.knex, 'org-b', example);
    for (const run of example.runs) {
      const posted = await postRun(app, token, run.payload);
      assert.equal(posted.status, 201, posted.text);
      const records = await get(`/api/v1/records?run=${posted.body.id}&limit=1000`, 'owner');
      const detail = await get(`/api/v1/sync-runs/${posted.body.id}`, 'owner');
      const recordErrors: Array<Array<{ code: string; field: string | null; variant: string | null; expected: string | null }>> = [];
      for (const item of records.body.items) recordErrors[item.index] = item.errors;
      differences.push(...diffAgainstTruth({ runErrors: detail.body.errors, recordErrors }, run.truth));
    }
  }
  assert.equal(differences.length, 0, `\n${formatDifferences(differences)}`);
});
