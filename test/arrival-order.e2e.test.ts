/**
 * error-codes.md: "The result never depends on the order in which runs
 * arrive: a run that arrives after runs that started later is classified
 * against the employee state as of its own started_at, and the later records
 * that it affects are checked again."
 *
 * Each case posts the same runs twice over HTTP, to two integrations of one
 * organisation: once in run order (started_at), once in the order of arrival
 * under test. It checks the few facts the case is about on the late-arrival
 * integration, then that the whole snapshot of what classification derived
 * (test/helpers/arrival-snapshot.ts: errors, groups, members, employee states,
 * summaries, rollups) equals the run-order one. The facts are checked on the
 * run-order integration too, so a case cannot pass by both being wrong.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { createApp } from '../src/app/app.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { type IntegrationSnapshot, snapshotDifferences, snapshotIntegration } from './helpers/arrival-snapshot.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
let app: Express;
let orgId: number;
const ORG = 'arrival';
let integrations = 0;

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex, ingestLimits: { perMinute: 1_000_000 } });
  orgId = (await createOrganisation(db.knex, ORG, 'Arrival order Ltd')).id;
});
after(() => db.drop());

type Body = Record<string, unknown>;

const at = (hour: number) => `2026-11-21T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** A run of one integration at the given hour (UTC, 2026-11-21), with the records given. */
function runAt(runId: string, hour: number, records: unknown[]): Body {
  const failed = (records as { outcome: string }[]).some((r) => r.outcome === 'failed');
  return makeRun({
    run_id: runId,
    started_at: at(hour),
    finished_at: `2026-11-21T${String(hour).padStart(2, '0')}:04:00.000Z`,
    status: failed ? 'completed_with_errors' : 'completed',
    records,
  });
}

const person = (first: string, last: string, email: string) => ({
  first_name: first,
  last_name: last,
  email,
  job_title: 'Head Chef',
  department: 'Kitchen',
  branch: 'London Soho',
});
const ANA = person('Ana', 'Lopez', 'ana@example.com');
const BOB = person('Bob', 'Stone', 'bob@example.com');

const applied = (id: string, action: string, employee: Record<string, string>) => ({ external_id: id, action, outcome: 'succeeded', employee, messages: [] });

/** A failed record whose engine text says nothing the classifier knows: `unclassified` unless our own checks find something. */
const failedQuietly = (id: string, action: string, employee: Record<string, string>) => ({
  external_id: id,
  action,
  outcome: 'failed',
  employee,
  messages: [{ text: 'The target did not answer in time' }],
});

async function newIntegration(label: string) {
  integrations += 1;
  const { integration, token } = await createIntegration(db.knex, { orgSlug: ORG, name: `${label} ${integrations}`, schedule: '1h' });
  return { id: integration.id, token };
}

async function post(token: string, body: Body, expectedStatus = 201) {
  const response = await postRun(app, token, body);
  assert.equal(response.status, expectedStatus, `${String(body.run_id)}: ${response.text}`);
}

interface Outcome {
  inOrder: IntegrationSnapshot;
  late: IntegrationSnapshot;
  /** The two integrations, run order first. */
  integrations: { id: number; token: string }[];
}

/**
 * Posts `runs` in run order to one new integration and in `arrival` order (run
 * ids) to another; returns both snapshots. The runs must have distinct
 * started_at.
 */
async function bothOrders(runs: Body[], arrival: string[]): Promise<Outcome> {
  const byStart = [...runs].sort((a, b) => Date.parse(a.started_at as string) - Date.parse(b.started_at as string));
  const inOrder = await newIntegration('in run order');
  for (const run of byStart) await post(inOrder.token, run);
  const late = await newIntegration('late arrival');
  for (const runId of arrival) await post(late.token, runs.find((run) => run.run_id === runId)!);
  return {
    inOrder: await snapshotIntegration(db.knex, orgId, inOrder.id),
    late: await snapshotIntegration(db.knex, orgId, late.id),
    integrations: [inOrder, late],
  };
}

/**
 * Checks the case's facts on the run-order integration (they hold on any
 * correct ingest, so a failure there is a wrong case), then on the late one,
 * then that the whole snapshots are equal. A failure on the late one prints
 * the first differences of the snapshots too.
 */
function assertSameAnswer(outcome: Outcome, facts: (snapshot: IntegrationSnapshot) => void = () => {}) {
  facts(outcome.inOrder);
  const differences = snapshotDifferences(outcome.inOrder, outcome.late);
  const report = `late arrival differs from run order (expected: run order; got: late arrival):\n${differences.join('\n')}`;
  try {
    facts(outcome.late);
  } catch (error) {
    if (error instanceof assert.AssertionError) error.message = `after the late arrival: ${error.message}\n${report}`;
    throw error;
  }
  assert.deepEqual(differences, [], report);
}

const codesOf = (snapshot: IntegrationSnapshot, runId: string, index: number) =>
  snapshot.runs[runId]!.records[index]!.errors.map((e) => (e.variant ? `${e.code}/${e.variant}` : e.code));

describe('every order of arrival gives the answer of run order', () => {
  test("the issue's example: a late 10:00 create of ID 7 as Ana makes the 11:00 create as Bob the duplicate", async () => {
    const runs = [runAt('r-1000', 10, [applied('7', 'create', ANA)]), runAt('r-1100', 11, [applied('7', 'create', BOB)])];
    const outcome = await bothOrders(runs, ['r-1100', 'r-1000']);
    assertSameAnswer(outcome, (snapshot) => {
      // Bob overwrote Ana at 11:00: that record is the duplicate (it was checked again once Ana arrived).
      assert.deepEqual(codesOf(snapshot, 'r-1100', 0), ['duplicate_external_id/across_runs']);
      // Nobody held ID 7 before 10:00.
      assert.deepEqual(codesOf(snapshot, 'r-1000', 0), []);
      assert.equal(snapshot.employeeStates['7']?.first_name, 'Bob');
      assert.equal(snapshot.employeeStates['7']?.active, true);
      const group = Object.values(snapshot.groups).find((g) => g.code === 'duplicate_external_id');
      assert.equal(group?.occurrences, 1);
      assert.equal(group?.first_seen_started_at, at(11));
      assert.deepEqual(
        group?.members.map((m) => [m.external_id, m.open]),
        [['7', true]],
      );
    });
  });

  test('a late 09:00 run in which another ID takes an email makes the 10:00 create with it email_in_use', async () => {
    const shared = person('Ana', 'Lopez', 'shared@example.com');
    const runs = [
      runAt('r-0900', 9, [applied('b', 'create', shared)]),
      runAt('r-1000', 10, [failedQuietly('a', 'create', person('Ann', 'Lee', 'Shared@Example.com'))]),
    ];
    const outcome = await bothOrders(runs, ['r-1000', 'r-0900']);
    assertSameAnswer(outcome, (snapshot) => {
      // B held the email, active, since 09:00: A's create at 10:00 collides with it, and that explains the failure.
      assert.deepEqual(codesOf(snapshot, 'r-1000', 0), ['email_in_use']);
      assert.equal(
        Object.values(snapshot.groups).some((g) => g.code === 'unclassified'),
        false,
      );
    });
  });

  test('a late deactivation frees an email that a later run then uses', async () => {
    const shared = person('Ana', 'Lopez', 'shared@example.com');
    const runs = [
      runAt('r-0900', 9, [applied('b', 'create', shared)]),
      runAt('r-1000', 10, [applied('b', 'deactivate', shared)]),
      runAt('r-1100', 11, [failedQuietly('a', 'create', person('Ann', 'Lee', 'shared@example.com'))]),
    ];
    const outcome = await bothOrders(runs, ['r-0900', 'r-1100', 'r-1000']);
    assertSameAnswer(outcome, (snapshot) => {
      // B was deactivated at 10:00, so the email was free at 11:00: the failure stays unexplained.
      assert.deepEqual(codesOf(snapshot, 'r-1100', 0), ['unclassified']);
      assert.equal(
        Object.values(snapshot.groups).some((g) => g.code === 'email_in_use'),
        false,
      );
      assert.equal(snapshot.employeeStates.b?.active, false);
    });
  });

  test('recreated_after_delete appears on the later create when the earlier create arrives late', async () => {
    const runs = [runAt('r-0900', 9, [applied('x', 'create', ANA)]), runAt('r-1000', 10, [applied('x', 'create', ANA)])];
    const outcome = await bothOrders(runs, ['r-1000', 'r-0900']);
    assertSameAnswer(outcome, (snapshot) => {
      assert.deepEqual(codesOf(snapshot, 'r-0900', 0), []);
      assert.deepEqual(codesOf(snapshot, 'r-1000', 0), ['recreated_after_delete']);
    });
  });

  test('recreated_after_delete disappears when a late deactivation comes between the two creates', async () => {
    const runs = [
      runAt('r-0900', 9, [applied('x', 'create', ANA)]),
      runAt('r-1000', 10, [applied('x', 'deactivate', ANA)]),
      runAt('r-1100', 11, [applied('x', 'create', ANA)]),
    ];
    const outcome = await bothOrders(runs, ['r-0900', 'r-1100', 'r-1000']);
    assertSameAnswer(outcome, (snapshot) => {
      // X was inactive when the 11:00 create came: a leaver coming back, not a deletion in the target.
      assert.deepEqual(codesOf(snapshot, 'r-1100', 0), []);
      assert.equal(
        Object.values(snapshot.groups).some((g) => g.code === 'recreated_after_delete'),
        false,
      );
      assert.equal(snapshot.employeeStates.x?.active, true);
    });
  });

  test('a late run between two runs of one ID, the later a deactivation: the state keeps the late run’s person, inactive', async () => {
    const runs = [
      runAt('r-0900', 9, [applied('x', 'create', ANA)]),
      runAt('r-1000', 10, [applied('x', 'update', BOB)]),
      runAt('r-1100', 11, [applied('x', 'deactivate', BOB)]),
    ];
    const outcome = await bothOrders(runs, ['r-0900', 'r-1100', 'r-1000']);
    assertSameAnswer(outcome, (snapshot) => {
      assert.deepEqual(codesOf(snapshot, 'r-1000', 0), ['duplicate_external_id/across_runs']);
      assert.deepEqual(codesOf(snapshot, 'r-1100', 0), []);
      const state = snapshot.employeeStates.x!;
      assert.deepEqual([state.active, state.first_name, state.email, state.state_started_at], [false, 'Bob', 'bob@example.com', at(11)]);
      // The summary shows the newest values sent and that the target holds them inactive.
      const summary = snapshot.employeeSummaries.x!;
      assert.deepEqual([summary.first_name, summary.active, summary.last_action], ['Bob', false, 'deactivate']);
    });
  });

  test('a group shows its earliest occurrence’s value, and resolves when a later run no longer shows it, whatever arrived first', async () => {
    // Both runs' errors are the same whatever the order (run_failed depends on no state); only the group's bookkeeping can differ.
    const failedRun = (runId: string, hour: number, minute: number, error: string) =>
      makeRun({
        run_id: runId,
        started_at: `2026-11-21T${hour}:${String(minute).padStart(2, '0')}:00.000Z`,
        finished_at: `2026-11-21T${hour}:${String(minute + 1).padStart(2, '0')}:00.000Z`,
        status: 'failed',
        run_error: error,
        records: [],
      });
    const runs = [
      failedRun('r-1000', 10, 0, 'Target timed out after 20091 ms'),
      failedRun('r-1030', 10, 30, 'Target timed out after 36218 ms'),
      runAt('r-1100', 11, [applied('7', 'update', ANA)]),
    ];
    const outcome = await bothOrders(runs, ['r-1100', 'r-1030', 'r-1000']);
    assertSameAnswer(outcome, (snapshot) => {
      const group = Object.values(snapshot.groups).find((g) => g.code === 'run_failed');
      // One group (the texts differ only by a number), first seen at 10:00: its value is the 10:00 run's.
      assert.equal(group?.occurrences, 2);
      assert.equal(group?.value, 'Target timed out after 20091 ms');
      // The 11:00 run completed without it, and a run-level group has nobody to wait for.
      assert.equal(group?.status, 'resolved');
    });
  });

  test('a late run’s error on an employee applied since leaves its group resolved, as run order does', async () => {
    const rejected = {
      external_id: 'y',
      action: 'create',
      outcome: 'failed',
      employee: { ...ANA, job_title: 'kitchen porter' },
      messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: "Job title 'kitchen porter' does not exist" }],
    };
    const runs = [runAt('r-1000', 10, [rejected]), runAt('r-1100', 11, [applied('y', 'create', { ...ANA, job_title: 'Kitchen Porter' })])];
    const outcome = await bothOrders(runs, ['r-1100', 'r-1000']);
    assertSameAnswer(outcome, (snapshot) => {
      const group = Object.values(snapshot.groups).find((g) => g.code === 'job_title_mismatch');
      assert.deepEqual(
        group?.members.map((m) => [m.external_id, m.open, m.cleared_started_at]),
        [['y', false, at(11)]],
      );
      assert.equal(group?.status, 'resolved');
    });
  });

  test('an identical retry of an old run changes nothing, before and after a late run', async () => {
    const runs = [
      runAt('r-0900', 9, [applied('7', 'create', ANA), failedQuietly('8', 'create', person('Cy', 'Moss', 'ana@example.com'))]),
      runAt('r-1000', 10, [applied('7', 'update', BOB)]),
      runAt('r-1100', 11, [applied('8', 'create', person('Cy', 'Moss', 'cy@example.com'))]),
    ];
    const outcome = await bothOrders(runs, ['r-0900', 'r-1100', 'r-1000']);
    assertSameAnswer(outcome);

    // Post every run again, oldest first and then newest first, to both: each is a 200 and changes nothing.
    for (const { id, token } of outcome.integrations) {
      const before = await snapshotIntegration(db.knex, orgId, id);
      for (const run of [...runs, ...[...runs].reverse()]) await post(token, run, 200);
      const differences = snapshotDifferences(before, await snapshotIntegration(db.knex, orgId, id));
      assert.deepEqual(differences, [], `an identical retry changed the snapshot:\n${differences.join('\n')}`);
    }
  });
});
