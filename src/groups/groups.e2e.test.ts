import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { postRun } from '../../test/helpers/ingest.js';
import { createApp } from '../app/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { createOrgWithIntegration, makeRun } from '../../test/helpers/fixtures.js';
import { listErrorGroups, setGroupStatus, type ErrorGroupRow } from './groups.queries.js';

let db: TestDatabase;
let app: Express;
let slugs = 0;

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex });
});
after(() => db.drop());

/** Each test gets its own organisation and integration, so groups never leak between tests. */
async function newIntegration() {
  slugs += 1;
  const { organisation, integration, token } = await createOrgWithIntegration(db.knex, { slug: `groups-${slugs}` });
  const post = async (body: Record<string, unknown>) => {
    const response = await postRun(app, token, body);
    assert.equal(response.status, 201, response.text);
    return response.body as { id: string };
  };
  const groups = () => listErrorGroups(db.knex, [organisation.id], { integration: integration.id });
  return { orgId: organisation.id, integrationId: integration.id, post, groups };
}

/** A run started at 2026-11-21 at `hour`:00 UTC, finished a minute later. */
function runAt(runId: string, hour: number, records: unknown[], overrides: Record<string, unknown> = {}) {
  const at = (minute: number) => `2026-11-21T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;
  return makeRun({ run_id: runId, started_at: at(0), finished_at: at(1), status: 'completed_with_errors', records, ...overrides });
}

const person = (id: string, jobTitle: string) => ({
  first_name: `First${id}`,
  last_name: `Last${id}`,
  email: `e${id}@example.com`,
  job_title: jobTitle,
  department: 'Kitchen',
  branch: 'London Soho',
});

/** A failed create the engine rejected because the job title does not exist. */
const titleRejected = (id: string, jobTitle = 'kitchen porter') => ({
  external_id: id,
  action: 'create',
  outcome: 'failed',
  employee: person(id, jobTitle),
  messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: `Job title '${jobTitle}' does not exist` }],
});

/** The same employee created with the catalog's exact title. */
const applied = (id: string, jobTitle = 'Kitchen Porter', action = 'create') => ({
  external_id: id,
  action,
  outcome: 'succeeded',
  employee: person(id, jobTitle),
  messages: [],
});

const failedWithText = (id: string, text: string) => ({
  external_id: id,
  action: 'create',
  outcome: 'failed',
  employee: person(id, 'Head Chef'),
  messages: [{ code: null, field: null, text }],
});

function only(groups: ErrorGroupRow[], code: string): ErrorGroupRow {
  const matching = groups.filter((group) => group.code === code);
  assert.equal(matching.length, 1, `expected one ${code} group, got ${JSON.stringify(groups.map((g) => [g.code, g.value]))}`);
  return matching[0]!;
}

async function members(groupId: number) {
  const rows: { external_id: string; open: boolean }[] = await db
    .knex('error_group_members')
    .select('external_id', 'open')
    .where({ group_id: groupId })
    .orderBy('external_id');
  return Object.fromEntries(rows.map((row) => [row.external_id, row.open]));
}

describe('error groups', () => {
  test('a job title case mismatch of two employees is one open group, and other spellings of it join that group', async () => {
    const { post, groups } = await newIntegration();
    await post(runAt('r1', 10, [titleRejected('e1'), titleRejected('e2')]));

    const first = await groups();
    assert.equal(first.length, 1);
    const group = first[0]!;
    assert.equal(group.code, 'job_title_mismatch');
    assert.equal(group.field, 'job_title');
    assert.equal(group.status, 'open');
    assert.equal(group.occurrences, 2);
    assert.equal(group.employees_affected, 2);
    assert.equal(group.value, 'kitchen porter');
    assert.equal(group.expected, 'Kitchen Porter');
    assert.equal(group.variant, 'case');
    assert.equal(group.run_level, false);

    // Same normalised value, other spacing and case: the same group, keeping its first sample value.
    await post(runAt('r2', 11, [titleRejected('e3', '  KITCHEN   porter '), titleRejected('e4', 'Kitchen  Porter')]));
    const second = await groups();
    assert.equal(second.length, 1, JSON.stringify(second.map((g) => g.value)));
    assert.equal(second[0]!.id, group.id);
    assert.equal(second[0]!.occurrences, 4);
    assert.equal(second[0]!.employees_affected, 4);
    assert.equal(second[0]!.value, 'kitchen porter');
    assert.equal(second[0]!.status, 'open');
  });

  test('a group stays open until a newer run has applied every affected employee, then resolves', async () => {
    const { post, groups } = await newIntegration();
    await post(runAt('r1', 10, [titleRejected('e1'), titleRejected('e2')]));
    const [group] = await groups();

    await post(runAt('r2', 11, [applied('e1')], { status: 'completed' }));
    let now = only(await groups(), 'job_title_mismatch');
    assert.equal(now.status, 'open');
    assert.deepEqual(await members(group!.id), { e1: false, e2: true });

    await post(runAt('r3', 12, [applied('e2')], { status: 'completed' }));
    now = only(await groups(), 'job_title_mismatch');
    assert.equal(now.status, 'resolved');
    assert.deepEqual(await members(group!.id), { e1: false, e2: false });
    const [row] = await db.knex('error_groups').where({ id: group!.id }).select('resolved_started_at');
    assert.equal((row.resolved_started_at as Date).toISOString(), '2026-11-21T12:00:00.000Z');
    assert.equal(now.occurrences, 2);
  });

  test('a resolved group that occurs again in a newer run is regressed', async () => {
    const { post, groups } = await newIntegration();
    await post(runAt('r1', 10, [titleRejected('e1')]));
    await post(runAt('r2', 11, [applied('e1')], { status: 'completed' }));
    assert.equal(only(await groups(), 'job_title_mismatch').status, 'resolved');

    await post(runAt('r3', 12, [titleRejected('e2', 'KITCHEN PORTER')]));
    const group = only(await groups(), 'job_title_mismatch');
    assert.equal(group.status, 'regressed');
    assert.equal(group.occurrences, 2);
    assert.equal(group.last_seen_started_at.toISOString(), '2026-11-21T12:00:00.000Z');
    assert.deepEqual(await members(group.id), { e1: false, e2: true });
  });

  test('an ignored group stays ignored when it occurs again, can be reopened, and only by its own organisation', async () => {
    const { orgId, post, groups } = await newIntegration();
    const other = await newIntegration();
    await post(runAt('r1', 10, [titleRejected('e1')]));
    const group = only(await groups(), 'job_title_mismatch');

    assert.equal(await setGroupStatus(db.knex, orgId, group.id, 'ignored'), true);
    assert.equal(only(await groups(), 'job_title_mismatch').status, 'ignored');

    await post(runAt('r2', 11, [titleRejected('e2'), titleRejected('e3')]));
    let now = only(await groups(), 'job_title_mismatch');
    assert.equal(now.status, 'ignored');
    assert.equal(now.occurrences, 3);
    assert.equal(now.employees_affected, 3);

    // Every employee fixed: an ignored group is not resolved behind the person's back.
    await post(runAt('r3', 12, [applied('e1'), applied('e2'), applied('e3')], { status: 'completed' }));
    assert.equal(only(await groups(), 'job_title_mismatch').status, 'ignored');

    // Another organisation cannot touch it, whatever it asks.
    const untouched = await db.knex('error_groups').where({ id: group.id }).first();
    assert.equal(await setGroupStatus(db.knex, other.orgId, group.id, 'open'), false);
    assert.equal(await setGroupStatus(db.knex, other.orgId, group.id, 'ignored'), false);
    assert.deepEqual(await db.knex('error_groups').where({ id: group.id }).first(), untouched);
    assert.deepEqual(await other.groups(), []);

    assert.equal(await setGroupStatus(db.knex, orgId, group.id, 'open'), true);
    now = only(await groups(), 'job_title_mismatch');
    assert.equal(now.status, 'open');
    assert.ok(now.status_changed_at.getTime() >= untouched.status_changed_at.getTime());
  });

  test('a run_failed group resolves when the next run completes', async () => {
    const { post, groups } = await newIntegration();
    await post(runAt('r1', 10, [], { status: 'failed', run_error: 'Target API unreachable after 3 attempts' }));
    let group = only(await groups(), 'run_failed');
    assert.equal(group.status, 'open');
    assert.equal(group.run_level, true);
    assert.equal(group.value, 'Target API unreachable after 3 attempts');
    assert.equal(group.employees_affected, 0);

    await post(runAt('r2', 11, [applied('e1')], { status: 'completed' }));
    group = only(await groups(), 'run_failed');
    assert.equal(group.status, 'resolved');
    assert.equal((await groups()).length, 1);
  });

  test('unclassified failures whose texts differ only in numbers and ids are one group', async () => {
    const { post, groups } = await newIntegration();
    await post(
      runAt('r1', 10, [
        failedWithText('e1', 'Target API timeout after 20091 ms (request 2a7be0b)'),
        failedWithText('e2', 'Target API timeout after 36218 ms (request 4f67a6a7)'),
      ]),
    );
    await post(runAt('r2', 11, [failedWithText('e3', 'Target API timeout after 512 ms (request 99c1d0e3)')]));
    const all = await groups();
    assert.equal(all.length, 1, JSON.stringify(all.map((g) => [g.code, g.value])));
    const group = only(all, 'unclassified');
    assert.equal(group.occurrences, 3);
    assert.equal(group.employees_affected, 3);
    assert.equal(group.value, 'Target API timeout after 20091 ms (request 2a7be0b)');
    assert.equal(group.status, 'open');

    // A different kind of failure is a group of its own.
    await post(runAt('r3', 12, [failedWithText('e4', 'Manager 4512_7 not found')]));
    assert.equal((await groups()).filter((g) => g.code === 'unclassified').length, 2);
  });

  test('a newer failed record without the error does not clear its employee: only applied records do', async () => {
    const { post, groups } = await newIntegration();
    await post(runAt('r1', 10, [titleRejected('e1')]));
    const group = only(await groups(), 'job_title_mismatch');

    // e1 fails again, now for another reason: still affected, the group stays open.
    await post(runAt('r2', 11, [failedWithText('e1', 'Target API timeout after 20091 ms')]));
    assert.equal(only(await groups(), 'job_title_mismatch').status, 'open');
    assert.deepEqual(await members(group.id), { e1: true });

    // Once e1 is applied, it is cleared and the group resolves.
    await post(runAt('r3', 12, [applied('e1')], { status: 'completed' }));
    assert.deepEqual(await members(group.id), { e1: false });
    assert.equal(only(await groups(), 'job_title_mismatch').status, 'resolved');
  });

  test('every stored error carries the id of its group', async () => {
    const { orgId, post, groups } = await newIntegration();
    const run = await post(
      runAt('r1', 10, [
        titleRejected('e1'),
        titleRejected('e2', 'Kitchen  porter'),
        failedWithText('e3', 'Target API timeout after 20091 ms (request 2a7be0b)'),
        { ...titleRejected('e4', 'Head Chef'), employee: { ...person('e4', 'Head Chef'), branch: 'london soho' }, messages: [] },
      ]),
    );
    const errors: { record_index: number; code: string; field: string | null; group_id: number | null }[] = await db
      .knex('errors')
      .where({ org_id: orgId, sync_run_id: Number(run.id) })
      .orderBy('record_index');
    assert.deepEqual(
      errors.map((e) => [e.record_index, e.code]),
      [
        [0, 'job_title_mismatch'],
        [1, 'job_title_mismatch'],
        [2, 'unclassified'],
        [3, 'branch_mismatch'],
      ],
    );
    const byId = new Map((await groups()).map((group) => [group.id, group]));
    assert.equal(byId.size, 3);
    for (const error of errors) {
      assert.ok(error.group_id !== null, `error ${error.code} has no group`);
      const group = byId.get(error.group_id);
      assert.ok(group, `error ${error.code} points at group ${error.group_id}, not one of this integration's`);
      assert.equal(group.code, error.code);
      assert.equal(group.field, error.field);
    }
    assert.equal(errors[0]!.group_id, errors[1]!.group_id);
    assert.notEqual(errors[2]!.group_id, errors[3]!.group_id);
  });
});
