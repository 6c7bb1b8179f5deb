import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createApp } from '../src/app/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';
import { makeLargeRun } from './helpers/large-run.js';

// Large enough that every step takes its bulk path (several 5,000-row chunks),
// small enough for CI. The assertions are on plan shapes, never on time.
const SIZE = 12_000;

let db: TestDatabase;
let early: pg.Client;
const statements: { sql: string; bindings: unknown[] }[] = [];
// The query PostgreSQL runs to check each inserted member's group. It plans it
// once per session and keeps the plan until the table's statistics change.
const FK_CHECK = 'SELECT 1 FROM ONLY error_groups x WHERE org_id = $1 AND id = $2 FOR KEY SHARE OF x';

before(async () => {
  db = await createTestDatabase();
  // A session that planned the check while the tables were empty, as the
  // pool's sessions did during the first run.
  early = new pg.Client({ connectionString: db.url });
  await early.connect();
  await early.query('SET plan_cache_mode = force_generic_plan');
  await early.query(`PREPARE fk_check(bigint, bigint) AS ${FK_CHECK}`);
  await early.query('EXECUTE fk_check(0, 0)');
  db.knex.on('query', (query: { sql: string; bindings?: unknown[] }) => statements.push({ sql: query.sql, bindings: query.bindings ?? [] }));
  const { token } = await createOrgWithIntegration(db.knex);
  const app = createApp({ knex: db.knex });
  // Two consecutive runs of one integration on a fresh database, the second a
  // day later: every employee is created again, so the second run adds one
  // recreated_after_delete group per employee (thousands of new groups), as the
  // statistics still describe the nearly empty tables of before the first run.
  for (const [index, startedAt] of ['2026-11-21T02:00:00Z', '2026-11-22T02:00:00Z'].entries()) {
    statements.length = 0;
    const run = { ...makeLargeRun(SIZE, `run-${index}`), started_at: startedAt, finished_at: startedAt };
    const response = await postRun(app, token, gzipSync(JSON.stringify(run)));
    assert.equal(response.status, 201, response.text);
  }
});
after(async () => {
  await early.end();
  await db.drop();
});

/** The plan PostgreSQL would use for `sql` in a new session, as text. */
async function planOf(sql: string, bindings: unknown[]): Promise<string> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, bindings);
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

test('the foreign-key check of each new group member finds its group through the primary key', async () => {
  // Planned on an empty error_groups and kept, the check went through
  // error_groups_by_status and read every group of the organisation per
  // member: quadratic in the run's new groups. Fresh statistics replan it.
  const plan = (await early.query<{ 'QUERY PLAN': string }>('EXPLAIN EXECUTE fk_check(1, 1)')).rows.map((row) => row['QUERY PLAN']).join('\n');
  assert.match(plan, /error_groups_pkey/, plan);
  assert.match(plan, /Index Cond: \(\(org_id = \$1\) AND \(id = \$2\)\)/, plan);
});

test("clearing the employees a run applied is driven by the run's own external IDs, never by a join", async () => {
  const clear = statements.find((statement) => /^\s*UPDATE error_group_members/.test(statement.sql));
  assert.ok(clear, 'the second run cleared applied members');
  const plan = await planOf(clear.sql, clear.bindings);
  assert.doesNotMatch(plan, /feed_records/, plan);
  assert.doesNotMatch(plan, /Nested Loop|Hash Join|Merge Join/, plan);
});

test("loading the employee states a run mentions matches the run's IDs as one constant array, never one built per query", async () => {
  // `external_key = ANY(ARRAY(SELECT md5(id) ...))` is an InitPlan, not a
  // constant: PostgreSQL cannot hash it, and a filter on it scans the whole
  // array for every row (a second 100k-record run took 104 s against 13 s on 15).
  const load = statements.find((statement) => /^\s*select .* from "employee_states"/i.test(statement.sql));
  assert.ok(load, 'the second run loaded employee states');
  const plan = await planOf(load.sql, load.bindings);
  assert.doesNotMatch(plan, /InitPlan|SubPlan/, plan);
});
