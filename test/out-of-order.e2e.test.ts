import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { postRun } from './helpers/ingest.js';
import { createApp } from '../src/app/app.js';
import { listErrorGroups } from '../src/groups/groups.queries.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration, makeRun } from './helpers/fixtures.js';

let db: TestDatabase;
let app: Express;
let slugs = 0;

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex });
});
after(() => db.drop());

async function newIntegration() {
  slugs += 1;
  const { organisation, integration, token } = await createOrgWithIntegration(db.knex, { slug: `late-${slugs}` });
  const post = async (body: Record<string, unknown>) => {
    const response = await postRun(app, token, body);
    assert.equal(response.status, 201, response.text);
    return Number((response.body as { id: string }).id);
  };
  const mismatchGroup = async () => {
    const groups = await listErrorGroups(db.knex, [organisation.id], { integration: integration.id, code: 'job_title_mismatch' });
    assert.equal(groups.length, 1);
    return groups[0]!;
  };
  return { orgId: organisation.id, integrationId: integration.id, post, mismatchGroup };
}

const OLD_CATALOG = { job_titles: ['Head Chef', 'Kitchen Porter'], departments: ['Kitchen'], branches: ['London Soho'] };
const NEW_CATALOG = { job_titles: ['Head Chef', 'Kitchen Porter', 'Sous Chef'], departments: ['Kitchen', 'Bar'], branches: ['London Soho', 'Leeds'] };

const iso = (hour: number, minute = 0) => `2026-11-21T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;

function runAt(runId: string, hour: number, records: unknown[], overrides: Record<string, unknown> = {}) {
  return makeRun({ run_id: runId, started_at: iso(hour), finished_at: iso(hour, 5), status: 'completed_with_errors', records, ...overrides });
}

const employee = (id: string, email: string, jobTitle = 'Head Chef') => ({
  first_name: `First ${id}`,
  last_name: `Last ${id}`,
  email,
  job_title: jobTitle,
  department: 'Kitchen',
  branch: 'London Soho',
});

const applied = (id: string, action: string, email: string, jobTitle = 'Head Chef') => ({
  external_id: id,
  action,
  outcome: 'succeeded',
  employee: employee(id, email, jobTitle),
  messages: [],
});

const titleRejected = (id: string) => ({
  external_id: id,
  action: 'create',
  outcome: 'failed',
  employee: employee(id, `${id}@example.com`, 'kitchen porter'),
  messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: "Job title 'kitchen porter' does not exist" }],
});

describe('runs arriving out of order', () => {
  test('a late run is classified as of its started_at, and the later record it overwrote is checked again', async () => {
    const { orgId, integrationId, post } = await newIntegration();
    const person = (first: string) => ({
      first_name: first,
      last_name: 'Smith',
      email: `${first.toLowerCase()}@example.com`,
      job_title: 'Head Chef',
      branch: 'London Soho',
    });
    const bob = await post(runAt('r-1100', 11, [{ external_id: '7', action: 'create', outcome: 'succeeded', employee: person('Bob') }]));
    const ana = await post(runAt('r-1000', 10, [{ external_id: '7', action: 'create', outcome: 'succeeded', employee: person('Ana') }]));
    const errorsOf = async (syncRunId: number) =>
      (await db.knex('errors').where({ org_id: orgId, sync_run_id: syncRunId })).map((e) => [e.code, e.variant, e.value]);
    // In run order Ana came first: Bob's 11:00 create overwrote her.
    assert.deepEqual(await errorsOf(ana), []);
    assert.deepEqual(await errorsOf(bob), [['duplicate_external_id', 'across_runs', '7']]);
    const bobRun = await db.knex('sync_runs').where({ org_id: orgId, id: bob }).first();
    assert.equal(bobRun.error_counts.duplicate_external_id, 1);
    const record = await db.knex('feed_records').where({ org_id: orgId, sync_run_id: bob, index: 0 }).first();
    assert.equal(record.error_count, 1);
    const state = await db.knex('employee_states').where({ org_id: orgId, integration_id: integrationId, external_id: '7' }).first();
    assert.equal(state.first_name, 'Bob');
    const groups = await listErrorGroups(db.knex, [orgId], { integration: integrationId, code: 'duplicate_external_id' });
    assert.deepEqual(
      groups.map((g) => [g.occurrences, g.status, g.employees_blocked]),
      [[1, 'open', 1]],
    );
  });

  test('a late retry of an older run is stored and takes its place in run order, without replacing the newer catalog or reopening the resolved group', async () => {
    const { orgId, integrationId, post, mismatchGroup } = await newIntegration();

    // 09:00: X is created; Y is rejected for its job title.
    await post(runAt('r-0900', 9, [applied('x', 'create', 'x@example.com'), titleRejected('y')], { catalog: OLD_CATALOG }));
    assert.equal((await mismatchGroup()).status, 'open');

    // 11:00: X is deactivated; Y is applied with the right title, which resolves the group.
    const newer = await post(
      runAt('r-1100', 11, [applied('x', 'deactivate', 'x@example.com'), applied('y', 'create', 'y@example.com', 'Kitchen Porter')], {
        status: 'completed',
        catalog: NEW_CATALOG,
      }),
    );
    const resolved = await mismatchGroup();
    assert.equal(resolved.status, 'resolved');

    // 10:00, arriving last: X updated with another email, Y rejected again, with an older catalog.
    const late = await post(runAt('r-1000', 10, [applied('x', 'update', 'x.other@example.com'), titleRejected('y')], { catalog: OLD_CATALOG }));

    // The late run is stored whole: run, records and errors.
    const lateRun = await db.knex('sync_runs').where({ org_id: orgId, id: late }).first();
    assert.equal(lateRun.run_id, 'r-1000');
    assert.equal(lateRun.started_at.toISOString(), iso(10));
    const lateRecords = await db.knex('feed_records').where({ org_id: orgId, sync_run_id: late }).orderBy('index');
    assert.deepEqual(
      lateRecords.map((r) => [r.external_id, r.action, r.outcome, r.email]),
      [
        ['x', 'update', 'succeeded', 'x.other@example.com'],
        ['y', 'create', 'failed', 'y@example.com'],
      ],
    );
    const lateErrors = await db.knex('errors').where({ org_id: orgId, sync_run_id: late });
    assert.equal(lateErrors.length, 1);
    assert.equal(lateErrors[0].code, 'job_title_mismatch');
    assert.equal(lateErrors[0].record_index, 1);
    assert.equal(lateErrors[0].group_id, resolved.id);

    // X is inactive, as the newer run left it, with the person the late update gave them: in run order
    // (09:00 create, 10:00 update, 11:00 deactivate) the deactivation keeps the person the target knew.
    const x = await db.knex('employee_states').where({ org_id: orgId, integration_id: integrationId, external_id: 'x' }).first();
    assert.equal(x.active, false);
    assert.equal(x.email, 'x.other@example.com');
    assert.equal(x.state_started_at.toISOString(), iso(11));
    assert.equal(Number(x.sync_run_id), newer);

    // The catalog is still the newer run's.
    const integration = await db.knex('integrations').where({ org_id: orgId, id: integrationId }).first();
    assert.deepEqual(integration.catalog, NEW_CATALOG);
    assert.equal(integration.catalog_started_at.toISOString(), iso(11));
    assert.equal(integration.last_run_started_at.toISOString(), iso(11));

    // The group counts the late occurrence but stays resolved, and Y stays cleared.
    const group = await mismatchGroup();
    assert.equal(group.status, 'resolved');
    assert.equal(group.occurrences, 2);
    assert.equal(group.first_seen_started_at.toISOString(), iso(9));
    assert.equal(group.last_seen_started_at.toISOString(), iso(10));
    const row = await db.knex('error_groups').where({ org_id: orgId, id: group.id }).first();
    assert.equal(row.resolved_started_at.toISOString(), iso(11));
    const members = await db.knex('error_group_members').where({ org_id: orgId, group_id: group.id });
    assert.deepEqual(
      members.map((m) => [m.external_id, m.open]),
      [['y', false]],
    );
  });

  test('a late older run naming a new employee that a newer run applied does not leave that employee affected', async () => {
    const { orgId, post, mismatchGroup } = await newIntegration();
    await post(runAt('r-0900', 9, [titleRejected('y')]));
    // 11:00: Y and Z are applied; the group resolves.
    await post(
      runAt('r-1100', 11, [applied('y', 'create', 'y@example.com', 'Kitchen Porter'), applied('z', 'create', 'z@example.com', 'Kitchen Porter')], {
        status: 'completed',
      }),
    );
    assert.equal((await mismatchGroup()).status, 'resolved');

    // 10:00, late: Z was rejected then. The newer run already applied Z.
    await post(runAt('r-1000', 10, [titleRejected('z')]));
    const group = await mismatchGroup();
    assert.equal(group.status, 'resolved');
    assert.equal(group.employees_affected, 2);
    const members = await db.knex('error_group_members').where({ org_id: orgId, group_id: group.id }).orderBy('external_id');
    assert.deepEqual(
      members.map((m) => [m.external_id, m.open]),
      [
        ['y', false],
        ['z', false],
      ],
    );

    // 12:00: W regresses the group; 13:00: W is applied. Nobody is affected any more: resolved again.
    await post(runAt('r-1200', 12, [titleRejected('w')]));
    assert.equal((await mismatchGroup()).status, 'regressed');
    await post(runAt('r-1300', 13, [applied('w', 'create', 'w@example.com', 'Kitchen Porter')], { status: 'completed' }));
    assert.equal((await mismatchGroup()).status, 'resolved');
  });

  test('a late run between two applied runs does not reopen an employee cleared since', async () => {
    const { orgId, post, mismatchGroup } = await newIntegration();
    await post(runAt('r-0900', 9, [titleRejected('y'), titleRejected('v')]));
    await post(runAt('r-1000', 10, [applied('y', 'create', 'y@example.com', 'Kitchen Porter')], { status: 'completed' }));
    await post(runAt('r-1300', 13, [applied('y', 'update', 'y@example.com', 'Kitchen Porter')], { status: 'completed' }));
    // 12:00, late: Y rejected again, but the 13:00 run applied Y since.
    await post(runAt('r-1200', 12, [titleRejected('y')]));
    const group = await mismatchGroup();
    assert.equal(group.status, 'open'); // V is still affected
    const members = await db.knex('error_group_members').where({ org_id: orgId, group_id: group.id }).orderBy('external_id');
    assert.deepEqual(
      members.map((m) => [m.external_id, m.open]),
      [
        ['v', true],
        ['y', false],
      ],
    );
    // Applying V resolves the group: Y does not hold it open.
    await post(runAt('r-1400', 14, [applied('v', 'create', 'v@example.com', 'Kitchen Porter')], { status: 'completed' }));
    assert.equal((await mismatchGroup()).status, 'resolved');
  });

  test('a late older run does not resolve a group a newer run still shows', async () => {
    const { post, mismatchGroup } = await newIntegration();
    await post(runAt('r-1100', 11, [titleRejected('y')]));
    // 10:00, late, applies Y: older than the run that showed the error, so Y stays affected.
    await post(runAt('r-1000', 10, [applied('y', 'create', 'y@example.com', 'Kitchen Porter')], { status: 'completed' }));
    const group = await mismatchGroup();
    assert.equal(group.status, 'open');
    assert.equal(group.last_seen_started_at.toISOString(), iso(11));
  });
});
