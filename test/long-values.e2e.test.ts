import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../src/app/app.js';
import { employeeStatesOf } from '../src/employees/employee-states.queries.js';
import { listRecords } from '../src/records/records.read.queries.js';
import { createFixtureUsers, emailOf, signIn } from './helpers/accounts.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

// Issue 9, defect 3: one long external_id, email or job title hit PostgreSQL's
// btree limit (about 2,700 bytes per entry) and failed the whole run with 500.
// Random letters, so that PostgreSQL cannot compress them under the limit.
let db: TestDatabase;
let app: Express;
let fixtures: Awaited<ReturnType<typeof createFixtureUsers>>;
let runNumber = 0;

const randomText = (length: number) =>
  randomBytes(length)
    .toString('base64')
    .replace(/[^a-zA-Z0-9]/g, 'q')
    .slice(0, length);

/** Two runs with the long value in a failing record, then a run that applies it: every upsert and clear path. */
async function ingestWith(field: 'external_id' | 'email' | 'job_title', value: string) {
  const ids: string[] = [];
  for (const outcome of ['failed', 'failed', 'succeeded']) {
    runNumber += 1;
    const run = makeRun({ run_id: `long-${runNumber}`, started_at: `2026-11-21T10:${String(runNumber).padStart(2, '0')}:00Z` });
    run.finished_at = run.started_at;
    const record = (run.records as Record<string, unknown>[])[1] as { external_id: string; outcome: string; employee: Record<string, string> };
    record.outcome = outcome;
    if (field === 'external_id') record.external_id = value;
    else record.employee[field] = value;
    const response = await postRun(app, fixtures.orgA.token, run);
    assert.equal(response.status, 201, `${field} of ${value.length} characters, ${outcome}: ${response.text.slice(0, 300)}`);
    ids.push(response.body.id);
  }
  return ids;
}

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex });
  fixtures = await createFixtureUsers(db.knex);
});
after(() => db.drop());

const api = (path: string) => request(app).get(path).set('Authorization', `Bearer ${fixtures.apiTokens.owner}`);
const orgIds = () => [fixtures.orgA.organisation.id];

for (const length of [4_000, 100_000]) {
  describe(`values of ${length} characters`, () => {
    test('an external ID: the runs are stored, and the employee and its records are found by it', async () => {
      const externalId = randomText(length);
      await ingestWith('external_id', externalId);
      const states = await employeeStatesOf(db.knex, orgIds(), externalId);
      assert.equal(states.length, 1);
      const records = await listRecords(db.knex, orgIds(), { external_id: externalId }, 10);
      assert.equal(records.length, 3);
      // An HTTP request line holds at most 16 KB, so only the shorter one goes through the API.
      if (length <= 4_000) {
        const employee = await api(`/api/v1/employees/${externalId}`);
        assert.equal(employee.status, 200, employee.text.slice(0, 300));
        assert.equal(employee.body.records.items.length, 3);
        const byId = await api(`/api/v1/records?external_id=${externalId}`);
        assert.equal(byId.body.items.length, 3);
      }
    });

    test('an email: stored, and the records are found by it', async () => {
      const email = `${randomText(length - 12)}@example.com`;
      await ingestWith('email', email);
      const records = await listRecords(db.knex, orgIds(), { email: email.toUpperCase() }, 10);
      assert.equal(records.length, 3);
      if (length <= 4_000) {
        const byEmail = await api(`/api/v1/records?email=${encodeURIComponent(email)}`);
        assert.equal(byEmail.body.items.length, 3);
      }
    });

    test('a job title: stored, grouped once, and shown shortened on the error groups page', async () => {
      const jobTitle = randomText(length);
      await ingestWith('job_title', jobTitle);
      const groups = await api('/api/v1/error-groups?limit=200');
      const mine = groups.body.items.filter((group: { value: string }) => group.value === jobTitle);
      assert.equal(mine.length, 1, 'one group for the value');
      assert.equal(mine[0].occurrences, 2);
      const owner = await signIn(app, emailOf('owner'));
      const page = await owner.agent.get('/error-groups');
      assert.equal(page.status, 200);
      assert.ok(page.text.includes(`${jobTitle.slice(0, 60)}…`), 'the value is shown, shortened');
      assert.ok(!page.text.includes(jobTitle), 'never whole');
    });
  });
}
