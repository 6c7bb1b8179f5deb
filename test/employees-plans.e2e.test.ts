/**
 * The employee reads go through their indexes, in the list's order: mapped
 * employees by (organisation, integration, sort key) in
 * employee_summaries_list (or _by_state with a state), search through the
 * trigram index, one employee through the primary key, the history through
 * feed_records_by_employee and errors_by_record. The table is as ingest
 * leaves it after a first large run: analyzed in the run's transaction
 * (analyzeIfOutgrown), since without statistics PostgreSQL rates every index
 * on (organisation, integration) alike. Plans are checked by shape, never by
 * time, on PostgreSQL 15 and on the embedded 18.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { countStates, listEmployeeSummaries, searchEmployeeSummaries, summariesOfEmployee } from '../src/employees/employee-summaries.queries.js';
import { erroredRecordsOf, errorsWithGroupsOf, openGroupsOfEmployee, previousRecordOf } from '../src/employees/employee-history.queries.js';
import { analyzeIfOutgrown } from '../src/db/statistics.queries.js';
import { explain } from './helpers/plans.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration } from './helpers/fixtures.js';
import { ensurePartitionsOfRuns } from './helpers/partitions.js';

const EMPLOYEES = 30_000;

let db: TestDatabase;
let orgA = 0;
let orgB = 0;
let integrationA = 0;
let integrationA2 = 0;
const statements: { sql: string; bindings: unknown[] }[] = [];

before(async () => {
  db = await createTestDatabase();
  const a = await createOrgWithIntegration(db.knex, { slug: 'plan-a', integration: 'A one' });
  const b = await createOrgWithIntegration(db.knex, { slug: 'plan-b', integration: 'B one' });
  orgA = a.organisation.id;
  orgB = b.organisation.id;
  integrationA = a.integration.id;
  const second = await db
    .knex('integrations')
    .insert({ ...(await db.knex('integrations').where({ id: integrationA }).first()), id: undefined, name: 'A two' })
    .returning('id');
  integrationA2 = Number(second[0]!.id);
  // Employees spread over three integrations of two organisations, a tenth of them blocked.
  for (const [org, integration, count] of [
    [orgA, integrationA, EMPLOYEES],
    [orgA, integrationA2, EMPLOYEES / 3],
    [orgB, b.integration.id, EMPLOYEES / 3],
  ] as const) {
    await db.knex.raw(
      `INSERT INTO employee_summaries (org_id, integration_id, external_id, first_name, last_name, email, last_started_at, last_sync_run_id, last_index,
         last_action, last_outcome, first_seen_started_at, first_seen_sync_run_id, applied_started_at, applied_sync_run_id, applied_index, active,
         failing_since, search_key, sort_key)
       SELECT ?, ?, '4512_' || i, 'First' || i, 'Last' || i, 'person' || i || '@example.com', now(), 1, i, 'update',
         CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'succeeded' END, now(), 1, now(), 1, i, true,
         CASE WHEN i % 10 = 0 THEN now() END,
         'first' || i || ' last' || i || E'\\nperson' || i || E'@example.com\\n4512_' || i, 'last' || i || ' first' || i
       FROM generate_series(1, ?) AS i`,
      [org, integration, count],
    );
  }
  if (process.env.KEEP_PLAN_DB) console.log(`plan database: ${db.name}`);
  // As ingest does after a first large run of a young table.
  await db.knex.transaction((trx) => analyzeIfOutgrown(trx, 'employee_summaries', EMPLOYEES * 2));
  // Records of org A's first integration: a few per employee.
  const [run] = await db
    .knex('sync_runs')
    .insert({
      org_id: orgA,
      integration_id: integrationA,
      run_id: 'plan-run',
      trigger: 'scheduled',
      status: 'completed',
      started_at: new Date(),
      finished_at: new Date(),
      record_count: 0,
      counts: {},
      error_counts: {},
      body_sha256: 'x',
      header: {},
    })
    .returning('id');
  await ensurePartitionsOfRuns(db.knex);
  await db.knex.raw(
    `INSERT INTO feed_records (org_id, sync_run_id, index, integration_id, started_at, external_id, action, outcome, error_count, raw)
     SELECT ?, ?, i, ?, now() - (i % 3) * interval '1 day', '4512_' || (i / 3), 'update', 'failed', 1, '{}'::jsonb FROM generate_series(1, ?) AS i`,
    [orgA, run.id, integrationA, EMPLOYEES * 3],
  );
  // One open error group with every employee of it as a member, and an error on each record.
  const [group] = await db
    .knex('error_groups')
    .insert({
      org_id: orgA,
      integration_id: integrationA,
      group_key: 'record:job_title_mismatch',
      code: 'job_title_mismatch',
      severity: 'error',
      run_level: false,
      first_seen_started_at: new Date(),
      last_seen_started_at: new Date(),
      first_seen_sync_run_id: run.id,
      last_seen_sync_run_id: run.id,
      occurrences: EMPLOYEES * 3,
    })
    .returning('id');
  await db.knex.raw(
    `INSERT INTO error_group_members (org_id, group_id, external_id, integration_id, last_seen_started_at)
     SELECT ?, ?, '4512_' || i, ?, now() FROM generate_series(0, ?) AS i`,
    [orgA, group.id, integrationA, EMPLOYEES],
  );
  await db.knex.raw(
    `INSERT INTO errors (org_id, started_at, sync_run_id, record_index, integration_id, group_id, code, severity, field, value)
     SELECT org_id, started_at, sync_run_id, index, integration_id, ?, 'job_title_mismatch', 'error', 'job_title', 'kitchen porter'
     FROM feed_records WHERE org_id = ? AND sync_run_id = ? AND integration_id = ? AND index <= ?`,
    [group.id, orgA, run.id, integrationA, EMPLOYEES * 3],
  );
  db.knex.on('query', (query: { sql: string; bindings?: unknown[] }) => statements.push({ sql: query.sql, bindings: query.bindings ?? [] }));
});
after(() => (process.env.KEEP_PLAN_DB ? db.knex.destroy() : db.drop()));

/** The plan of the last statement `run` sent, in a new session. */
async function planOf(run: () => Promise<unknown>): Promise<string> {
  statements.length = 0;
  await run();
  const statement = statements[statements.length - 1];
  assert.ok(statement, 'the read sent a statement');
  const plan = await explain(db.url, statement);
  if (process.env.SHOW_PLANS) console.log(`--- ${statement.sql.slice(0, 80)}\n${plan}`);
  return plan;
}

test("mapped employees of one integration read employee_summaries_list in the list's order", async () => {
  const plan = await planOf(() => listEmployeeSummaries(db.knex, [orgA], { integration: integrationA }, 50));
  assert.match(plan, /Index Scan using employee_summaries_list on employee_summaries/, plan);
  assert.doesNotMatch(plan, /Sort|Seq Scan on employee_summaries/, plan);
  const next = await planOf(() => listEmployeeSummaries(db.knex, [orgA], { integration: integrationA }, 50, [orgA, integrationA, 'last5 first5', 5]));
  assert.match(next, /Index Scan using employee_summaries_list/, next);
  assert.doesNotMatch(next, /Sort|Seq Scan on employee_summaries/, next);
});

test("with a state, they read employee_summaries_by_state in the list's order", async () => {
  const plan = await planOf(() => listEmployeeSummaries(db.knex, [orgA], { integration: integrationA, state: 'blocked' }, 50));
  assert.match(plan, /Index Scan using employee_summaries_by_state on employee_summaries/, plan);
  assert.doesNotMatch(plan, /Sort|Seq Scan on employee_summaries/, plan);
});

test("every integration of the caller's organisations: still the list index, in order", async () => {
  for (const orgIds of [[orgA], [orgA, orgB]]) {
    const plan = await planOf(() => listEmployeeSummaries(db.knex, orgIds, {}, 50));
    assert.match(plan, /Index Scan using employee_summaries_list on employee_summaries/, plan);
    assert.doesNotMatch(plan, /Sort|Seq Scan on employee_summaries/, plan);
  }
});

test('mapped employees with a word of three characters or more take the matches from the trigram index; shorter words walk the list in order', async () => {
  const plan = await planOf(() => listEmployeeSummaries(db.knex, [orgA], { integration: integrationA, words: ['last1234'] }, 50));
  assert.match(plan, /CTE matches[\s\S]*Bitmap Index Scan on employee_summaries_search/, plan);
  assert.doesNotMatch(plan, /Seq Scan on employee_summaries|Index Scan using employee_summaries_list/, plan);
  const short = await planOf(() => listEmployeeSummaries(db.knex, [orgA], { integration: integrationA, words: ['12'] }, 50));
  assert.match(short, /Index Scan using employee_summaries_list on employee_summaries/, short);
  assert.doesNotMatch(short, /Sort/, short);
});

test('search reads the trigram index', async (t) => {
  const trigram = await db.knex('pg_indexes').where({ indexname: 'employee_summaries_search' }).first();
  if (!trigram) {
    // A server without pg_trgm migrates without the index (migration 2026-11-29-1921) and search scans: say so rather than pass quietly.
    t.diagnostic('pg_trgm is not available on this server: search scans employee_summaries');
    assert.fail('the test servers (embedded PostgreSQL 18, Debian 15) ship pg_trgm: the trigram index must exist');
  }
  for (const words of [['last1234'], ['person12', 'example'], ['4512_777']]) {
    const plan = await planOf(() => searchEmployeeSummaries(db.knex, [orgA, orgB], words, 50));
    assert.match(plan, /Bitmap Index Scan on employee_summaries_search/, `${words}: ${plan}`);
    assert.doesNotMatch(plan, /Seq Scan on employee_summaries/, plan);
  }
});

test('one employee is found through the primary key of each integration', async () => {
  const plan = await planOf(() =>
    summariesOfEmployee(
      db.knex,
      [orgA, orgB],
      [
        { org_id: orgA, id: integrationA },
        { org_id: orgA, id: integrationA2 },
      ],
      '4512_77',
    ),
  );
  assert.match(
    plan,
    /Index Scan using employee_summaries_pkey on employee_summaries e .*\n\s+Index Cond: \(\(org_id = k\.org_id\) AND \(integration_id = k\.integration_id\) AND \(external_key = /,
    plan,
  );
  assert.doesNotMatch(plan, /Seq Scan on employee_summaries/, plan);
});

test('the counts by state of an integration that is not most of the table read only its rows, through an index', async () => {
  // Which index is a matter of statistics (the state index alone once analyzed; on a fresh table any index on the
  // organisation and integration looks as cheap). For an integration that is most of the table (integrationA here), a
  // sequential scan is the cheaper plan, and PostgreSQL takes it.
  const plan = await planOf(() => countStates(db.knex, [orgA], integrationA2));
  assert.match(
    plan,
    /(Index (Only )?Scan using employee_summaries_\w+ on employee_summaries|Bitmap Index Scan on employee_summaries_\w+)\s.*\n\s+Index Cond: \(.*integration_id = /,
    plan,
  );
  assert.doesNotMatch(plan, /Seq Scan/, plan);
});

test("the employee page's history reads feed_records_by_employee", async () => {
  const previous = await planOf(() =>
    previousRecordOf(db.knex, { org_id: orgA, integration_id: integrationA, external_id: '4512_77', started_at: new Date(), sync_run_id: 5, index: 3 }),
  );
  assert.match(previous, /feed_records_by_employee/, previous);
  const errored = await planOf(() => erroredRecordsOf(db.knex, orgA, integrationA, '4512_77', 20));
  assert.match(errored, /Index Scan using feed_records_by_employee_y\d{4}m\d\d on feed_records_y\d{4}m\d\d f(_\d+)?/, errored);
  const errors = await planOf(() =>
    errorsWithGroupsOf(db.knex, [
      { org_id: orgA, started_at: new Date(), sync_run_id: 1, index: 231 },
      { org_id: orgA, started_at: new Date(), sync_run_id: 1, index: 232 },
    ]),
  );
  assert.match(
    errors,
    /Index Scan using errors_by_record_y\d{4}m\d\d on errors_y\d{4}m\d\d e(_\d+)? .*\n\s+Index Cond: \(\(org_id = k\.org_id\) AND \(sync_run_id = k\.sync_run_id\) AND \(record_index = k\.record_index\)\)/,
    errors,
  );
  const groups = await planOf(() => openGroupsOfEmployee(db.knex, orgA, integrationA, '4512_77'));
  assert.match(groups, /Index Scan using error_group_members_open on error_group_members m/, groups);
});
