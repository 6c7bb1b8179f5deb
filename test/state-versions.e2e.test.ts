/**
 * The employee state's history (employee_state_versions): what ingest writes, and
 * what its migration fills from the records stored before it, give the same state
 * as of every run. The migration's two approximations (a deactivation keeps the
 * person its record carries; skips are left out) are kept out of this corpus.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../src/app/app.js';
import { loadStatesAsOf } from '../src/employees/employee-versions.queries.js';
import * as versionsMigration from '../migrations/2026-11-30-0100-create-employee-state-versions.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration, makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

const iso = (hour: number) => `2026-11-21T${String(hour).padStart(2, '0')}:00:00.000Z`;
const person = (id: string, email: string) => ({ first_name: `First ${id}`, last_name: `Last ${id}`, email, job_title: 'Head Chef', branch: 'London Soho' });
const record = (id: string, action: string, outcome: string, email: string) => ({ external_id: id, action, outcome, employee: person(id, email) });

const RUNS = [
  [record('a', 'create', 'succeeded', 'a@example.com'), record('b', 'create', 'succeeded', 'b@example.com'), record('c', 'create', 'failed', 'c@example.com')],
  [
    record('a', 'update', 'succeeded', 'a.new@example.com'),
    record('b', 'deactivate', 'succeeded', 'b@example.com'),
    record('c', 'create', 'warning', 'c@example.com'),
  ],
  [
    record('a', 'update', 'failed', 'a.bad@example.com'),
    record('d', 'create', 'succeeded', 'b@example.com'),
    record('a', 'update', 'succeeded', 'a@example.com'),
  ],
  [
    record('b', 'reactivate', 'succeeded', 'b.back@example.com'),
    record('d', 'deactivate', 'warning', 'b@example.com'),
    record('c', 'update', 'succeeded', 'c@example.com'),
  ],
];
const IDS = ['a', 'b', 'c', 'd', 'nobody'];
const EMAILS = ['a@example.com', 'a.new@example.com', 'b@example.com', 'b.back@example.com', 'c@example.com'];

describe('the employee state history', () => {
  test('ingest and the migration give the same state as of every run, by ID and by email', async () => {
    const { organisation, integration, token } = await createOrgWithIntegration(db.knex, { slug: 'versions' });
    const app = createApp({ knex: db.knex });
    const runs: Array<{ startedAt: Date; syncRunId: number }> = [];
    for (const [index, records] of RUNS.entries()) {
      const response = await postRun(app, token, makeRun({ run_id: `r-${index}`, started_at: iso(9 + index), finished_at: iso(9 + index), records }));
      assert.equal(response.status, 201, response.text);
      runs.push({ startedAt: new Date(iso(9 + index)), syncRunId: Number(response.body.id) });
    }
    runs.push({ startedAt: new Date(iso(20)), syncRunId: Number.MAX_SAFE_INTEGER });
    const scope = { orgId: organisation.id, integrationId: integration.id };
    const asOfEveryRun = async () => {
      const seen = [];
      for (const position of runs) {
        const states = await loadStatesAsOf(db.knex, scope, position, IDS, EMAILS);
        seen.push([...states.values()].sort((x, y) => x.external_id.localeCompare(y.external_id)));
      }
      return seen;
    };

    const byIngest = await asOfEveryRun();
    assert.deepEqual(byIngest[0], [], 'nothing before the first run');
    assert.deepEqual(
      byIngest[4]!.map((s) => [s.external_id, s.active, s.email]),
      [
        ['a', true, 'a@example.com'],
        ['b', true, 'b.back@example.com'],
        ['c', true, 'c@example.com'],
        ['d', false, 'b@example.com'],
      ],
    );
    // b's email is found through b's past versions even once b has moved to another one.
    assert.deepEqual((await loadStatesAsOf(db.knex, scope, runs[4]!, [], ['b@example.com'])).get('b')?.email, 'b.back@example.com');
    // Only changes are written: 2 + 3 + 2 + 2, and not c's update in the last run, which re-sends c as the target holds them.
    const versions = await db.knex('employee_state_versions').where({ org_id: organisation.id }).count<{ count: string }[]>('* as count');
    assert.equal(Number(versions[0]!.count), 9);

    await versionsMigration.down(db.knex);
    await versionsMigration.up(db.knex);
    assert.deepEqual(await asOfEveryRun(), byIngest);
  });
});
