/**
 * The employee summaries that ingest keeps (src/employees/employee-summaries.queries.ts):
 * the state rules over runs, runs arriving out of order, open errors, and the
 * migration's backfill, which must compute exactly what ingest computed run by run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { createApp } from '../src/app/app.js';
import { employeeState, EMPLOYEE_STATES } from '../src/employees/employee-summary.js';
import { backfill } from '../migrations/2026-11-29-1920-create-employee-summaries.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration, makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
let app: Express;
let slugs = 0;

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex });
});
after(() => db.drop());

const CATALOG = { job_titles: ['Head Chef', 'Kitchen Porter'], departments: ['Kitchen'], branches: ['London Soho'] };
const iso = (hour: number) => `2026-11-21T${String(hour).padStart(2, '0')}:00:00.000Z`;

const person = (id: string, jobTitle = 'Head Chef', extra: Record<string, unknown> = {}) => ({
  first_name: `First ${id}`,
  last_name: `Last ${id}`,
  email: `${id}@example.com`,
  job_title: jobTitle,
  department: 'Kitchen',
  branch: 'London Soho',
  ...extra,
});
const ok = (id: string, action = 'update', extra: Record<string, unknown> = {}) => ({
  external_id: id,
  action,
  outcome: 'succeeded',
  employee: person(id, 'Head Chef', extra),
  messages: [],
});
const failed = (id: string, action = 'update') => ({
  external_id: id,
  action,
  outcome: 'failed',
  employee: person(id, 'kitchen porter'),
  messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: "Job title 'kitchen porter' does not exist" }],
});

async function newIntegration() {
  slugs += 1;
  const { organisation, integration, token } = await createOrgWithIntegration(db.knex, { slug: `sum-${slugs}` });
  const post = async (runId: string, hour: number, records: unknown[]) => {
    const response = await postRun(app, token, makeRun({ run_id: runId, started_at: iso(hour), finished_at: iso(hour), catalog: CATALOG, records }));
    assert.equal(response.status, 201, response.text);
  };
  const summary = async (externalId: string) => {
    const row = await db.knex('employee_summaries').where({ org_id: organisation.id, integration_id: integration.id, external_id: externalId }).first();
    assert.ok(row, `${externalId} has a summary`);
    return row as Record<string, unknown> & { state: string; failing_since: Date | null; open_errors: number; first_name: string | null };
  };
  return { orgId: organisation.id, integrationId: integration.id, post, summary };
}

const at = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

describe('employee summaries kept by ingest', () => {
  test('the state follows the runs: synced, blocked since the first failure, synced again, inactive, never applied', async () => {
    const { post, summary } = await newIntegration();
    await post('r1', 1, [ok('a', 'create'), failed('n', 'create'), { ...ok('s', 'skip') }]);
    assert.equal((await summary('a')).state, 'synced');
    assert.equal((await summary('n')).state, 'never_applied');
    assert.equal((await summary('n')).open_errors, 1);
    assert.equal((await summary('s')).state, 'synced', 'an unknown ID that is skipped is active');

    await post('r2', 2, [failed('a')]);
    await post('r3', 3, [failed('a')]);
    let a = await summary('a');
    assert.equal(a.state, 'blocked');
    assert.equal(at(a.failing_since), iso(2), 'the streak started with the first failure');
    assert.equal(a.open_errors, 1);
    assert.equal(a.job_title, 'kitchen porter', 'the values last sent');
    assert.equal(at(a.applied_started_at), iso(1), 'last synced');

    await post('r4', 4, [ok('a')]);
    a = await summary('a');
    assert.equal(a.state, 'synced');
    assert.equal(a.failing_since, null);
    assert.equal(a.open_errors, 0, 'the applied record cleared the open error');
    assert.equal(at(a.first_seen_started_at), iso(1));
    assert.equal(at(a.last_started_at), iso(4));

    await post('r5', 5, [ok('a', 'deactivate')]);
    assert.equal((await summary('a')).state, 'inactive');
    await post('r6', 6, [ok('a', 'skip')]);
    assert.equal((await summary('a')).state, 'inactive', 'a skip changes nothing');
    await post('r7', 7, [{ ...failed('a', 'reactivate') }]);
    assert.equal((await summary('a')).state, 'blocked', 'a failed reactivation blocks them');
  });

  test('a warning record with an error blocks; an info error (re-created after delete) does not', async () => {
    const { post, summary } = await newIntegration();
    await post('w1', 1, [ok('w', 'create'), ok('r', 'create')]);
    await post('w2', 2, [
      {
        external_id: 'w',
        action: 'update',
        outcome: 'warning',
        employee: person('w', 'kitchen porter'),
        messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: 'no' }],
      },
      ok('r', 'create'),
    ]);
    const w = await summary('w');
    assert.equal(w.state, 'blocked');
    assert.equal(w.open_errors, 1);
    assert.equal(w.failing_since, null, 'no failure streak: the record was applied');
    const r = await summary('r');
    assert.equal(r.state, 'synced');
    assert.equal(r.open_errors, 0);
    const infos = await db.knex('errors').where({ code: 'recreated_after_delete' }).count<{ count: string }[]>('* as count');
    assert.ok(Number(infos[0]!.count) >= 1, 'the create did raise the info error');
  });

  test('runs arriving out of order never overwrite newer values, and place the failure streak right', async () => {
    const { post, summary } = await newIntegration();
    await post('o9', 9, [ok('e1', 'create'), failed('e2', 'create'), ok('e3', 'create'), failed('e4', 'create'), ok('e6', 'create'), ok('e7', 'create')]);
    await post('o11', 11, [
      failed('e1'),
      failed('e2'),
      ok('e3', 'update', { first_name: 'Newer' }),
      failed('e4'),
      failed('e5', 'create'),
      failed('e6'),
      ok('e7', 'skip'),
    ]);
    await post('o10', 10, [
      failed('e1'),
      ok('e2', 'create'),
      failed('e3'),
      ok('e4', 'create'),
      failed('e5', 'create'),
      ok('e6'),
      failed('e6'),
      ok('e7', 'deactivate'),
    ]);

    const e1 = await summary('e1');
    assert.equal(at(e1.failing_since), iso(10), 'a late failure inside the streak moves its start earlier');
    const e2 = await summary('e2');
    assert.equal(e2.state, 'blocked');
    assert.equal(at(e2.applied_started_at), iso(10), 'the late applied record is the newest applied one');
    assert.equal(at(e2.failing_since), iso(11), 'the streak now starts after it');
    const e3 = await summary('e3');
    assert.equal(e3.state, 'synced');
    assert.equal(e3.first_name, 'Newer', "the late run's values never overwrite the newer run's");
    assert.equal(e3.failing_since, null);
    assert.equal(at(e3.last_started_at), iso(11));
    const e4 = await summary('e4');
    assert.equal(e4.state, 'blocked', 'no longer never applied');
    assert.equal(at(e4.failing_since), iso(11));
    const e5 = await summary('e5');
    assert.equal(at(e5.first_seen_started_at), iso(10));
    assert.equal(at(e5.failing_since), iso(10));
    assert.equal(e5.state, 'never_applied');
    const e6 = await summary('e6');
    assert.equal(at(e6.failing_since), iso(10), 'the late run applied, then failed them');
    const e7 = await summary('e7');
    assert.equal(e7.state, 'inactive', 'create, deactivate (late), then a skip: inactive');
  });

  test("the migration's backfill computes from the stored records exactly what ingest kept run by run", async () => {
    const columns = [
      'org_id',
      'integration_id',
      'external_id',
      'first_name',
      'last_name',
      'email',
      'job_title',
      'department',
      'branch',
      'last_started_at',
      'last_sync_run_id',
      'last_index',
      'last_action',
      'last_outcome',
      'first_seen_started_at',
      'first_seen_sync_run_id',
      'applied_started_at',
      'applied_sync_run_id',
      'applied_index',
      'active',
      'active_started_at',
      'active_sync_run_id',
      'failing_since',
      'open_errors',
      'state',
      'search_key',
      'sort_key',
    ];
    const snapshot = () => db.knex('employee_summaries').select(columns).orderBy(['org_id', 'integration_id', 'external_id']);
    const kept = await snapshot();
    assert.ok(kept.length >= 12, `the earlier tests stored employees (${kept.length})`);
    await db.knex.transaction(async (trx) => {
      await trx('employee_summaries').delete();
      await backfill(trx);
    });
    assert.deepEqual(await snapshot(), kept);
  });

  test('the generated state column follows the same rules as employeeState', async () => {
    const { orgId, integrationId } = await newIntegration();
    const now = new Date(iso(1));
    const cases = [];
    for (const everApplied of [false, true]) {
      for (const lastOutcome of ['succeeded', 'warning', 'failed'] as const) {
        for (const openErrors of [0, 2]) {
          for (const active of everApplied ? [true, false] : [null]) cases.push({ everApplied, lastOutcome, openErrors, active });
        }
      }
    }
    await db.knex('employee_summaries').insert(
      cases.map((c, i) => ({
        org_id: orgId,
        integration_id: integrationId,
        external_id: `case-${i}`,
        last_started_at: now,
        last_sync_run_id: 1,
        last_index: 0,
        last_action: 'update',
        last_outcome: c.lastOutcome,
        first_seen_started_at: now,
        first_seen_sync_run_id: 1,
        applied_started_at: c.everApplied ? now : null,
        active: c.active,
        open_errors: c.openErrors,
        search_key: '',
        sort_key: '',
      })),
    );
    const rows = await db.knex('employee_summaries').where({ org_id: orgId }).select('external_id', 'state');
    const stateOf = new Map(rows.map((row) => [row.external_id, row.state]));
    const seen = new Set<string>();
    cases.forEach((c, i) => {
      assert.equal(stateOf.get(`case-${i}`), employeeState(c), JSON.stringify(c));
      seen.add(employeeState(c));
    });
    assert.deepEqual([...seen].sort(), [...EMPLOYEE_STATES].sort(), 'every state is reached');
  });
});
