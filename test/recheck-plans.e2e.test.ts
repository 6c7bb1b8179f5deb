/**
 * The queries of the late-run path (a run that arrives after runs that started
 * later: its states as of its started_at, then the re-check of the later records
 * it affects) read, for the employees, emails, records and groups they are given,
 * an index that reaches just those: never a Seq Scan on feed_records, errors,
 * employee_state_versions or sync_runs, and never an index read over a whole
 * integration with the wanted keys left as a filter. Checked on a fresh database
 * whose tables have no statistics yet (where a missing index shows: PostgreSQL 15
 * has no skip scan, and without statistics it believes an organisation's and
 * integration's rows are a handful) and again once analysed. Plan shapes, never time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Knex } from 'knex';
import { overwriteEmployeeStates } from '../src/employees/employee-states.queries.js';
import { recountOpenErrors } from '../src/employees/employee-summaries.queries.js';
import { loadStatesAsOf, replaceVersionsAfter, versionsAfter } from '../src/employees/employee-versions.queries.js';
import { rebuildMembers, refreshSeen, settleStatuses } from '../src/groups/group-changes.queries.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import {
  appliedRecordsAfter,
  checkedRecordsOfRun,
  errorsOfRecords,
  knowledgeBefore,
  recordsOfEmployees,
  runsRelyingOnKnowledgeAfter,
} from '../src/recheck/recheck.queries.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration } from './helpers/fixtures.js';
import { explain, statementsOf } from './helpers/plans.js';
import { disableAutovacuum, ensurePartitionsOfRuns } from './helpers/partitions.js';

const CODES = ['job_title_mismatch', 'department_mismatch', 'branch_mismatch', 'unclassified', 'missing_required_field', 'recreated_after_delete'];

interface Flow {
  orgId: number;
  integrationId: number;
  runs: number;
  perRun: number;
  employees: number;
  start: string;
  step: string;
  prefix: string;
}

/**
 * One integration's history: `runs` runs of `perRun` records over `employees`
 * employees (each run the next block of them, so each employee is in every
 * employees/perRun-th run), a tenth failed or warned, the catalog sent every
 * 250th run and form fields every 400th; a state version for the applied records
 * of every fourth run; an error per failed record (300 groups) and warning (one
 * big group), a run-level error every tenth run; the members, states and summaries.
 */
async function fill(knex: Knex, flow: Flow): Promise<void> {
  const b = { ...flow, codes: CODES };
  await knex.raw(
    `INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, record_count, counts, error_counts, body_sha256, header)
     SELECT :orgId, :integrationId, 'run-' || n, 'scheduled', 'completed_with_errors', :start::timestamptz + n * :step::interval,
       :start::timestamptz + n * :step::interval + interval '5 minutes', :perRun, '{}', '{}', md5(:integrationId || '-' || n),
       CASE WHEN n % 250 = 1 THEN '{"catalog": {"job_titles": ["Chef"], "departments": ["Kitchen"], "branches": ["Soho"]}}'
            WHEN n % 400 = 7 THEN '{"form_fields": [{"name": "job_title"}]}' ELSE '{}' END::jsonb
     FROM generate_series(1, :runs) AS n`,
    b,
  );
  await ensurePartitionsOfRuns(knex);
  await knex.raw(
    `INSERT INTO feed_records (org_id, sync_run_id, index, integration_id, started_at, external_id, action, outcome, first_name, last_name, email,
       error_count, raw, employee, messages)
     SELECT r.org_id, r.id, i, r.integration_id, r.started_at, :prefix || e.k, CASE WHEN (i + r.n) % 97 = 0 THEN 'deactivate' ELSE 'update' END,
       CASE WHEN (i + r.n) % 20 = 0 THEN 'failed' WHEN (i + r.n) % 20 = 1 THEN 'warning' ELSE 'succeeded' END,
       'First ' || e.k, 'Last ' || e.k, CASE WHEN e.k % 10 = 0 THEN 'Emp-' ELSE 'emp-' END || e.k || '@example.com',
       CASE WHEN (i + r.n) % 20 < 2 THEN 1 ELSE 0 END, '{}',
       jsonb_build_object('first_name', 'First ' || e.k, 'last_name', 'Last ' || e.k, 'email', 'emp-' || e.k || '@example.com'), '[]'
     FROM (SELECT id, org_id, integration_id, started_at, row_number() OVER (ORDER BY started_at) AS n FROM sync_runs
           WHERE org_id = :orgId AND integration_id = :integrationId) AS r
     CROSS JOIN generate_series(0, :perRun - 1) AS i
     CROSS JOIN LATERAL (SELECT (r.n * :perRun + i) % :employees AS k) AS e`,
    b,
  );
  await knex.raw(
    `INSERT INTO employee_state_versions (org_id, integration_id, external_id, started_at, sync_run_id, active, first_name, last_name, email, email_key)
     SELECT org_id, integration_id, external_id, started_at, sync_run_id, action <> 'deactivate', first_name, last_name, email, lower(email)
     FROM feed_records WHERE org_id = :orgId AND integration_id = :integrationId AND outcome <> 'failed' AND sync_run_id % 4 = 0`,
    b,
  );
  await knex.raw(
    `INSERT INTO error_groups (org_id, integration_id, group_key, code, field, value, severity, run_level,
       first_seen_started_at, last_seen_started_at, first_seen_sync_run_id, last_seen_sync_run_id, occurrences, status)
     SELECT :orgId, :integrationId, 'g-' || g, (:codes::text[])[1 + g % 6], 'job_title', 'value ' || g, CASE WHEN g = 301 THEN 'info' ELSE 'error' END,
       g = 302, :start::timestamptz, :start::timestamptz + :runs * :step::interval, 1, 1, 1, (ARRAY['open', 'resolved', 'ignored', 'regressed'])[1 + g % 4]
     FROM generate_series(0, 302) AS g`,
    b,
  );
  // No join (PostgreSQL without statistics plans one badly): the groups' ids follow their numbers, inserted in order just above.
  const first = await knex('error_groups').where({ org_id: flow.orgId, integration_id: flow.integrationId }).min('id as base').first();
  const base = Number(first?.base);
  await knex.raw(
    `INSERT INTO errors (org_id, started_at, sync_run_id, record_index, integration_id, code, severity, field, value, group_id)
     SELECT f.org_id, f.started_at, f.sync_run_id, f.index, f.integration_id, (:codes::text[])[1 + x.n % 6], CASE WHEN x.n = 301 THEN 'info' ELSE 'error' END,
       'job_title', 'value ' || x.n, :base + x.n
     FROM feed_records f
     CROSS JOIN LATERAL (SELECT CASE WHEN f.outcome = 'failed' THEN substring(f.external_id FROM '[0-9]+$')::int % 300 ELSE 301 END AS n) AS x
     WHERE f.org_id = :orgId AND f.integration_id = :integrationId AND f.outcome <> 'succeeded'`,
    { ...b, base },
  );
  await knex.raw(
    `INSERT INTO errors (org_id, started_at, sync_run_id, record_index, integration_id, code, severity, field, value, group_id)
     SELECT r.org_id, r.started_at, r.id, NULL, r.integration_id, (:codes::text[])[1 + 302 % 6], 'error', NULL, NULL, :base + 302
     FROM sync_runs r WHERE r.org_id = :orgId AND r.integration_id = :integrationId AND r.id % 10 = 0`,
    { ...b, base },
  );
  await knex.raw(
    `INSERT INTO error_group_members (org_id, group_id, external_id, integration_id, open, last_seen_started_at)
     SELECT f.org_id, e.group_id, f.external_id, f.integration_id, bool_or(f.started_at > :start::timestamptz + (:runs - 50) * :step::interval), max(f.started_at)
     FROM errors e JOIN feed_records f ON f.org_id = e.org_id AND f.sync_run_id = e.sync_run_id AND f.index = e.record_index
     WHERE e.org_id = :orgId AND e.integration_id = :integrationId
     GROUP BY f.org_id, e.group_id, f.external_id, f.integration_id`,
    b,
  );
  await knex.raw(
    `INSERT INTO employee_states (org_id, integration_id, external_id, active, first_name, last_name, email, email_key, state_started_at, sync_run_id)
     SELECT DISTINCT ON (external_id) org_id, integration_id, external_id, action <> 'deactivate', first_name, last_name, email, lower(email), started_at,
       sync_run_id
     FROM feed_records WHERE org_id = :orgId AND integration_id = :integrationId AND outcome <> 'failed'
     ORDER BY external_id, started_at DESC`,
    b,
  );
  await knex.raw(
    `INSERT INTO employee_summaries (org_id, integration_id, external_id, first_name, last_name, email, last_started_at, last_sync_run_id, last_index,
       last_action, last_outcome, first_seen_started_at, first_seen_sync_run_id, search_key, sort_key)
     SELECT DISTINCT ON (external_id) org_id, integration_id, external_id, first_name, last_name, email, started_at, sync_run_id, index,
       action, outcome, :start::timestamptz, sync_run_id, lower(external_id || ' ' || email), lower(last_name || ' ' || first_name)
     FROM feed_records WHERE org_id = :orgId AND integration_id = :integrationId
     ORDER BY external_id, started_at DESC`,
    b,
  );
}

let db: TestDatabase;
const scope = { orgId: 0, integrationId: 0 };
/** A late run that started half-way through the history, stored last. */
let late: { startedAt: Date; syncRunId: number };
/** A later run it affects. */
let later: { startedAt: Date; syncRunId: number };
let groupIds: number[];
/** The late run's employees (its IDs are the ones it changed) and their emails. */
const ids = Array.from({ length: 200 }, (_, i) => `emp-${i * 7}`);
const emails = ids.map((id) => `${id}@example.com`);

before(async () => {
  db = await createTestDatabase();
  // "Without statistics" must mean it: autovacuum must not analyse a table halfway through the inserts.
  for (const table of [
    'sync_runs',
    'feed_records',
    'errors',
    'error_groups',
    'error_group_members',
    'employee_states',
    'employee_summaries',
    'employee_state_versions',
  ]) {
    await disableAutovacuum(db.knex, table);
  }
  const a = await createOrgWithIntegration(db.knex, { slug: 'recheck-a' });
  const b = await createOrgWithIntegration(db.knex, { slug: 'recheck-b' });
  const { integration: payroll } = await createIntegration(db.knex, { orgSlug: 'recheck-a', name: 'Fourth to Payroll', schedule: '1h' });
  scope.orgId = a.organisation.id;
  scope.integrationId = a.integration.id;
  // 1,500 hourly runs of 200 records over 3,000 employees (300,000 records); the organisation's
  // payroll flow sends the same people and emails under other IDs (100,000); another organisation
  // has the same IDs and emails (100,000 records over 20,000 employees, 5,000 runs).
  await fill(db.knex, { ...scope, runs: 1_500, perRun: 200, employees: 3_000, start: '2026-09-01', step: '1 hour', prefix: 'emp-' });
  await fill(db.knex, {
    orgId: scope.orgId,
    integrationId: payroll.id,
    runs: 500,
    perRun: 200,
    employees: 3_000,
    start: '2026-09-01 00:30',
    step: '3 hours',
    prefix: 'pay-',
  });
  await fill(db.knex, {
    orgId: b.organisation.id,
    integrationId: b.integration.id,
    runs: 5_000,
    perRun: 20,
    employees: 20_000,
    start: '2026-08-01',
    step: '15 minutes',
    prefix: 'emp-',
  });
  const runAt = async (n: number) => {
    const row = await db
      .knex('sync_runs')
      .where({ org_id: scope.orgId, integration_id: scope.integrationId, run_id: `run-${n}` })
      .first('id', 'started_at');
    return { syncRunId: Number(row.id), startedAt: row.started_at as Date };
  };
  const middle = await runAt(750);
  late = { startedAt: new Date(middle.startedAt.getTime() + 30 * 60_000), syncRunId: 1_000_000 };
  later = await runAt(900);
  groupIds = (await db.knex('error_groups').where({ org_id: scope.orgId, integration_id: scope.integrationId }).orderBy('id').select('id')).map((row) =>
    Number(row.id),
  );
});
after(() => db.drop());

/**
 * The plans of the statements `work` sends (not BEGIN and the like), run in a
 * transaction rolled back afterwards so the data stay as seeded, each explained
 * in a new session, as text.
 */
async function plansIn(work: (trx: Knex.Transaction) => Promise<unknown>): Promise<string[]> {
  const rollback = new Error('rollback');
  const statements = await statementsOf(db.knex, () =>
    db.knex
      .transaction(async (trx) => {
        await work(trx);
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      }),
  );
  const plans: string[] = [];
  for (const statement of statements.filter((s) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(s.sql.trim()))) plans.push(await explain(db.url, statement));
  return plans;
}

const BIG_TABLES = /Seq Scan on (feed_records|errors|employee_state_versions|sync_runs)\b/;

/**
 * The plan reads `index` (by name, as a regular expression) with an Index Cond that
 * matches `cond` on every scan of it: the wanted keys seek in the index, never a
 * filter over every entry of the organisation or integration. And no Seq Scan on a big table.
 */
function seeks(full: string, index: string, cond: RegExp) {
  // The messages show the arrays of IDs cut short, and feedlog_email_key's whitespace (inlined) as one mark.
  const plan = full.replace(/'\{[^}]{60,}\}'/g, "'{…}'").replace(/btrim\(email, '[^']*'::text\)/g, "btrim(email, '…'::text)");
  assert.doesNotMatch(plan, BIG_TABLES, plan);
  const lines = plan.split('\n');
  const scans = lines.flatMap((line, at) =>
    new RegExp(`(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) ${index}(_y\\d{4}m\\d\\d)? `).test(line) ? [at] : [],
  );
  assert.ok(scans.length > 0, `reads ${index}:\n${plan}`);
  for (const at of scans) {
    const condition = lines.slice(at + 1).find((line) => /^\s+(Index Cond|Filter|->)/.test(line));
    assert.ok(condition && /Index Cond/.test(condition), `${index} with an index condition:\n${plan}`);
    assert.match(condition, cond, `${index} seeks ${cond}:\n${plan}`);
  }
}

const byId = /external_key = /;
const byIdPrefix = /"left"\(external_id, 200\) = /;

for (const phase of ['without statistics', 'analysed'] as const) {
  describe(`late-run query plans, ${phase}`, () => {
    before(async () => {
      if (phase === 'analysed') await db.knex.raw('ANALYZE');
    });

    test('the states as of a run: one look-up per ID in the primary key, and the emails through their index', async () => {
      const [plan] = await plansIn((t) => loadStatesAsOf(t, scope, later, ids, emails));
      seeks(plan!, 'employee_state_versions_pkey', byId);
      seeks(plan!, 'employee_state_versions_by_email', /"left"\(email_key, 200\) = /);
      const [idsOnly] = await plansIn((t) => loadStatesAsOf(t, scope, later, ids, []));
      seeks(idsOnly!, 'employee_state_versions_pkey', byId);
    });

    test("the versions after a place in run order, and their replacement, seek each ID's versions in the primary key", async () => {
      const [read] = await plansIn((t) => versionsAfter(t, scope, late, ids));
      seeks(read!, 'employee_state_versions_pkey', byId);
      const [remove] = await plansIn((t) => replaceVersionsAfter(t, scope, late, ids, []));
      // Found by ID as above, then deleted by row address.
      assert.match(remove!, /^Delete on employee_state_versions[\s\S]*Tid Scan on employee_state_versions/, remove);
      seeks(remove!, 'employee_state_versions_pkey', byId);
    });

    test("the later records of the late run's IDs and emails seek each of them, in their integration, from the late run on", async () => {
      const [applied] = await plansIn((t) => appliedRecordsAfter(t, scope, late, ids));
      seeks(applied!, 'feed_records_by_employee', byIdPrefix);
      for (const where of [{ after: late }, { run: later }]) {
        const [plan] = await plansIn((t) => recordsOfEmployees(t, scope, where, ids, emails));
        seeks(plan!, 'feed_records_by_employee', byIdPrefix);
        seeks(plan!, 'feed_records_by_email', /"left"\(NULLIF\(lower\(btrim\(email, '…'::text\)\), ''::text\), 200\) = .*integration_id = /);
      }
    });

    test("a run's checked records come off the index of its failed and warning records", async () => {
      const [plan] = await plansIn((t) => checkedRecordsOfRun(t, scope.orgId, later));
      seeks(plan!, 'feed_records_by_run_outcome', /sync_run_id = /);
    });

    test('the runs that relied on the catalog or form fields, and the knowledge in force, seek the runs that sent one and walk only the runs between', async () => {
      for (const key of ['catalog', 'form_fields'] as const) {
        // The next run that sent its own, off the partial index of those runs; the runs up to it, between both starts.
        const [relying] = await plansIn((t) => runsRelyingOnKnowledgeAfter(t, scope, late, key));
        seeks(relying!, `sync_runs_sent_${key}`, /integration_id = /);
        seeks(relying!, 'sync_runs_by_start', /integration_id = .*started_at >= .*started_at <= /);
        assert.doesNotMatch(relying!, /Sort/, relying);
        // The newest run before that sent one: the first entry of its partial index.
        const [before] = await plansIn((t) => knowledgeBefore(t, scope, later, key));
        assert.match(before!, new RegExp(`Limit[^\\n]*\\n\\s+-> {2}Index Scan using sync_runs_sent_${key} `), before);
        seeks(before!, `sync_runs_sent_${key}`, /integration_id = /);
      }
    });

    test("the stored errors of a run's re-checked records seek each record, and its run-level errors, in errors_by_record", async () => {
      const indexes = Array.from({ length: 20 }, (_, i) => i * 10);
      for (const runLevel of [false, true]) {
        const [plan] = await plansIn((t) => errorsOfRecords(t, scope.orgId, later, indexes, runLevel));
        seeks(plan!, 'errors_by_record', /record_index (=|IS NULL)/);
      }
    });

    test("rebuilding members reads each employee's records and their errors by record; first and last seen read the group's errors", async () => {
      const pairs = ids.slice(0, 50).map((id, i) => ({ group_id: groupIds[i % 300]!, external_id: id }));
      const plans = await plansIn((t) => rebuildMembers(t, scope, pairs));
      assert.equal(plans.length, 2);
      for (const plan of plans) {
        seeks(plan, 'feed_records_by_employee', byIdPrefix);
        seeks(plan, 'errors_by_record', /record_index = /);
        assert.doesNotMatch(plan, /errors_by_group|Seq Scan on error_group_members/, plan);
      }
      // The members kept are found by their key, then updated by row address.
      assert.match(plans[1]!, /Tid Scan on error_group_members/, plans[1]);
      // The big group of warnings (a fifth of the integration's errors) and a small one.
      const [seen] = await plansIn((t) => refreshSeen(t, scope.orgId, [groupIds[0]!, groupIds[301]!], new Date('2026-09-01T00:00:00Z')));
      seeks(seen!, 'errors_by_group', /group_id = /);
      assert.doesNotMatch(seen!, /sync_runs_by_org_start|sync_runs_by_start/, seen);
    });

    test('settling statuses, recounting open errors and overwriting states read the given groups and employees by key', async () => {
      const [settle] = await plansIn((t) => settleStatuses(t, scope, groupIds.slice(0, 50), new Date('2026-12-01T00:00:00Z')));
      seeks(settle!, 'error_groups_pkey', /\(id = \w+\.id\)/);
      assert.match(settle!, /error_group_members_(pkey|by_group)/, settle);
      assert.doesNotMatch(settle!, /Seq Scan/, settle);
      const [recount] = await plansIn((t) => recountOpenErrors(t, scope, ids));
      seeks(recount!, 'employee_summaries_pkey', /external_key = w\.external_key/);
      assert.match(recount!, /Tid Scan on employee_summaries/, recount);
      assert.match(recount!, /error_group_members_open/, recount);
      assert.doesNotMatch(recount!, /Seq Scan/, recount);
      const states = ids.map((id) => ({
        external_id: id,
        active: true,
        first_name: 'F',
        last_name: 'L',
        email: `${id}@example.com`,
        startedAt: new Date('2026-12-01T00:00:00Z'),
        syncRunId: 1,
      }));
      const [overwrite] = await plansIn((t) => overwriteEmployeeStates(t, scope, states));
      seeks(overwrite!, 'employee_states_pkey', /external_key = x\.external_key/);
      assert.match(overwrite!, /Tid Scan on employee_states/, overwrite);
      assert.doesNotMatch(overwrite!, /Seq Scan/, overwrite);
    });
  });
}
