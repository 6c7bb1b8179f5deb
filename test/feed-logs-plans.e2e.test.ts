/**
 * The feed logs, a run's records and the record page read an index in their
 * order: checked on the plans PostgreSQL makes for the very queries the pages
 * send (captured from knex), on a database big enough that a full read shows.
 * The tables are analysed first, as autovacuum (and ingest, for a young table)
 * does. Assertions are on plan shapes, never on time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listRecords, listRunRecords, previousRecordOf } from '../src/records/records.read.queries.js';
import { listSyncRuns } from '../src/runs/runs.read.queries.js';
import { explain, statementsOf } from './helpers/plans.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { ensurePartitionsOfRuns } from './helpers/partitions.js';

let db: TestDatabase;
let big: { org_id: number; id: number; integration_id: number; started_at: Date };
let orgIds: number[];
let last: { sql: string; bindings: unknown[] } = { sql: '', bindings: [] };

before(async () => {
  db = await createTestDatabase();
  const { knex } = db;
  await knex.raw(`INSERT INTO organisations (slug, name) SELECT 'plan-' || g, 'Plan ' || g FROM generate_series(1, 3) g`);
  await knex.raw(
    `INSERT INTO integrations (org_id, name, schedule_interval_seconds, required_fields) SELECT o.id, 'flow ' || g, 900, '{}' FROM organisations o, generate_series(1, 3) g`,
  );
  // 3,000 runs per integration, one every 15 minutes: a few rare statuses and triggers among them.
  await knex.raw(`INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, record_count, counts, error_counts, body_sha256, header)
    SELECT i.org_id, i.id, 'r-' || g, CASE WHEN g % 50 = 0 THEN 'manual' ELSE 'scheduled' END,
      CASE WHEN g % 200 = 0 THEN 'failed' WHEN g % 3 = 0 THEN 'completed_with_errors' ELSE 'completed' END,
      timestamptz '2026-09-01' + g * interval '15 min', timestamptz '2026-09-01' + g * interval '15 min' + interval '1 min', 10, '{}', '{}', 'x', '{}'
    FROM integrations i, generate_series(1, 3000) g`);
  orgIds = (await knex('organisations').orderBy('id').pluck('id')).map(Number);
  big = await knex('sync_runs').where({ org_id: orgIds[0] }).orderBy('started_at', 'desc').first('org_id', 'id', 'integration_id', 'started_at');
  // The newest run holds 30,000 records (1 in 97 failed, 1 in 31 a warning); 1,000 older runs hold 10 each.
  await ensurePartitionsOfRuns(knex);
  await knex.raw(
    `INSERT INTO feed_records (org_id, sync_run_id, index, integration_id, started_at, external_id, action, outcome, first_name, last_name, email, raw, employee)
     SELECT ?, ?, g, ?, ?, 'e-' || g, 'update', CASE WHEN g % 97 = 0 THEN 'failed' WHEN g % 31 = 0 THEN 'warning' ELSE 'succeeded' END,
       'First' || g, 'Last' || g, 'e' || g || '@example.com', '{}', '{}'
     FROM generate_series(0, 29999) g`,
    [big.org_id, big.id, big.integration_id, big.started_at],
  );
  await knex.raw(
    `INSERT INTO feed_records (org_id, sync_run_id, index, integration_id, started_at, external_id, action, outcome, raw, employee)
     SELECT r.org_id, r.id, g, r.integration_id, r.started_at, 'e-' || (g * 100 + r.id % 100), 'update', 'succeeded', '{}', '{}'
     FROM (SELECT * FROM sync_runs WHERE org_id = ? AND id <> ? ORDER BY started_at DESC LIMIT 1000) r, generate_series(0, 9) g`,
    [big.org_id, big.id],
  );
  await knex.raw(
    `INSERT INTO errors (org_id, started_at, sync_run_id, record_index, integration_id, code, severity, field, value)
     SELECT org_id, started_at, sync_run_id, index, integration_id, CASE WHEN index % 2 = 0 THEN 'job_title_mismatch' ELSE 'unclassified' END, 'error',
       CASE WHEN index % 2 = 0 THEN 'job_title' END, 'v'
     FROM feed_records WHERE sync_run_id <> ? UNION ALL
     SELECT org_id, started_at, sync_run_id, index, integration_id, CASE WHEN index % 2 = 0 THEN 'job_title_mismatch' ELSE 'unclassified' END, 'error',
       CASE WHEN index % 2 = 0 THEN 'job_title' END, 'v'
     FROM feed_records WHERE sync_run_id = ? AND outcome <> 'succeeded'`,
    [big.id, big.id],
  );
  // Each error in its group, as ingest leaves them: the groups' sightings bound the runs a code filter walks.
  await knex.raw(
    `INSERT INTO error_groups (org_id, integration_id, group_key, code, field, value, severity, run_level, first_seen_started_at, last_seen_started_at,
       first_seen_sync_run_id, last_seen_sync_run_id, occurrences)
     SELECT org_id, integration_id, code, code, min(field), 'v', 'error', false, min(started_at), max(started_at), min(sync_run_id), max(sync_run_id), count(*)
     FROM errors GROUP BY org_id, integration_id, code`,
  );
  await knex.raw(
    `UPDATE errors e SET group_id = g.id FROM error_groups g WHERE g.org_id = e.org_id AND g.integration_id = e.integration_id AND g.group_key = e.code`,
  );
  await knex.raw('ANALYZE');
  knex.on('query', (query: { sql: string; bindings?: unknown[] }) => {
    last = { sql: query.sql, bindings: query.bindings ?? [] };
  });
});
after(() => db.drop());

/** Runs `read` (which sends one query), then the plan PostgreSQL makes for that query in a new session. */
async function planOf(read: () => Promise<unknown>): Promise<string> {
  await read();
  return explain(db.url, last);
}

const after2: [string, number] = ['2026-09-20T00:00:00.000Z', Number.MAX_SAFE_INTEGER];

test("the feed logs read each organisation's newest runs in order, a page at a time, whatever the filter", async () => {
  const { knex } = db;
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['one organisation', () => listSyncRuns(knex, [orgIds[0]!], {}, 50), /Index Scan using sync_runs_by_org_start on sync_runs/],
    ['the next page', () => listSyncRuns(knex, [orgIds[0]!], {}, 50, after2), /Index Scan using sync_runs_by_org_start on sync_runs/],
    [
      'one integration',
      () => listSyncRuns(knex, [orgIds[0]!], { integration: big.integration_id }, 50, after2),
      /Index Scan using sync_runs_by_start on sync_runs/,
    ],
    ['every organisation (support)', () => listSyncRuns(knex, orgIds, {}, 50), /Index Scan using sync_runs_by_org_start on sync_runs/],
  ];
  for (const [label, read, index] of cases) {
    const plan = await planOf(read);
    assert.match(plan, index, `${label}:\n${plan}`);
    // Each organisation's scan stops after a page: a Limit right above it, no sort of every run.
    assert.match(plan, /Limit[^\n]*\n\s+->\s+Index Scan using sync_runs_by/, `${label}:\n${plan}`);
    assert.doesNotMatch(plan, /Seq Scan on sync_runs|Bitmap Heap Scan on sync_runs/, `${label}:\n${plan}`);
  }
  // The rare statuses and triggers have partial indexes of their own; when they
  // hold few runs PostgreSQL may read them all and sort them, never the whole list.
  for (const [label, read, index] of [
    ['failed runs', () => listSyncRuns(knex, [orgIds[0]!], { status: 'failed' }, 50), /sync_runs_by_status/],
    ['manual runs', () => listSyncRuns(knex, [orgIds[0]!], { trigger: 'manual' }, 50, after2), /sync_runs_by_trigger/],
  ] as const) {
    const plan = await planOf(read);
    assert.match(plan, index, `${label}:\n${plan}`);
    assert.doesNotMatch(plan, /Seq Scan on sync_runs|sync_runs_by_org_start/, `${label}:\n${plan}`);
  }
});

test("a run's records are read in the run's order, filtered by outcome, code or field, without a sort or a scan of the run per error", async () => {
  const { knex } = db;
  const inOrder: [string, () => Promise<unknown>, RegExp][] = [
    ['every record', () => listRunRecords(knex, big, {}, 50), /Index Scan using feed_records_pkey_y\d{4}m\d\d on feed_records/],
    ['a later page', () => listRunRecords(knex, big, {}, 50, 20_000), /Index Scan using feed_records_pkey_y\d{4}m\d\d on feed_records/],
    ['failed records', () => listRunRecords(knex, big, { outcome: 'failed' }, 50), /Index Scan using feed_records_by_run_outcome_y\d{4}m\d\d on feed_records/],
    [
      'warnings',
      () => listRunRecords(knex, big, { outcome: 'warning' }, 50, 3_000),
      /Index Scan using feed_records_by_run_outcome_y\d{4}m\d\d on feed_records/,
    ],
    [
      'the API, one run, failed',
      () => listRecords(knex, [big.org_id], { run: big.id, outcome: 'failed' }, 50),
      /Index Scan Backward using feed_records_by_run_outcome/,
    ],
    // Told the run's start too (its partition): the run's entries of the primary key (org_id, started_at, sync_run_id, index), backwards.
    [
      'the API, one run',
      () => listRecords(knex, [big.org_id], { run: big.id }, 50),
      /Index Scan (Backward )?using feed_records_(pkey|by_org_start)(_y\d{4}m\d\d)? on feed_records/,
    ],
  ];
  for (const [label, read, index] of inOrder) {
    const plan = await planOf(read);
    assert.match(plan, index, `${label}:\n${plan}`);
    assert.doesNotMatch(plan, /Seq Scan on feed_records|Bitmap Heap Scan on feed_records/, `${label}:\n${plan}`);
    // The API merges the organisations' pages (a sort of at most a page each, above
    // their Limit); below it, the index is read in order.
    if (label.startsWith('the API'))
      assert.match(
        plan,
        // (once partitioned, an Append or Merge Append of the months' indexes in the same order)
        /Limit[^\n]*\n(\s+InitPlan[^\n]*\n\s+->[^\n]*\n\s+Index Cond[^\n]*\n)?\s+->\s+((Merge )?Append[^\n]*\n(\s+Sort Key[^\n]*\n)?\s+->\s+)?Index Scan (Backward )?using feed_records_/,
        `${label}:\n${plan}`,
      );
    else assert.doesNotMatch(plan, /Sort/, `${label}:\n${plan}`);
  }
  for (const [label, filters] of [
    ['by code', { code: 'job_title_mismatch' }],
    ['by field', { field: 'job_title' }],
    ['by code and outcome', { code: 'unclassified', outcome: 'failed' }],
  ] as const) {
    const plan = await planOf(() => listRunRecords(knex, big, filters, 50));
    // The run's errors of that code or field name the records (through errors_by_record: PostgreSQL
    // may read them all and sort them, as many as there are such errors in the run, never every
    // record of the run); each record is then fetched by its key.
    // (Or the run's errors through the primary key's (org_id, started_at): the same errors, those of the run's start.)
    assert.match(plan, /(Index (Only )?Scan|Bitmap Index Scan) (using|on) errors_(by_record|pkey)/, `${label}:\n${plan}`);
    assert.doesNotMatch(plan, /Sort Key: f\./, `${label}:\n${plan}`);
    assert.match(
      plan,
      /Index Cond: \(\(org_id = .*\)( AND \(started_at = .*\))? AND \(sync_run_id = .*\)( AND \(outcome = .*\))? AND \(index = e\.record_index\)\)/,
      `${label}:\n${plan}`,
    );
    assert.doesNotMatch(plan, /Seq Scan/, `${label}:\n${plan}`);
  }
});

test("the record page finds the employee's previous record through feed_records_by_employee", async () => {
  const plan = await planOf(() =>
    previousRecordOf(db.knex, {
      org_id: big.org_id,
      integration_id: big.integration_id,
      external_id: 'e-5',
      started_at: big.started_at,
      sync_run_id: big.id,
      index: 5,
    }),
  );
  assert.match(plan, /Index Scan using feed_records_by_employee_y\d{4}m\d\d on feed_records/, plan);
  assert.doesNotMatch(plan, /Seq Scan on feed_records/, plan);
});

test('the records list across runs reads each organisation newest first from the primary key, a page at a time', async () => {
  const { knex } = db;
  const older: [string, number, number] = [new Date(big.started_at.getTime() - 3_600_000).toISOString(), Number.MAX_SAFE_INTEGER, 0];
  for (const [label, read] of [
    ['one organisation', () => listRecords(knex, [big.org_id], {}, 50)],
    ['a later page', () => listRecords(knex, [big.org_id], {}, 50, older)],
    ['every organisation (support)', () => listRecords(knex, orgIds, {}, 50)],
  ] as const) {
    const plan = await planOf(read);
    // The primary key (org_id, started_at, sync_run_id, index) read backwards, partition after partition, newest first.
    assert.match(
      plan,
      /Limit[^\n]*\n\s+->\s+(Append[^\n]*\n\s+->\s+)?Index Scan Backward using feed_records_pkey(_y\d{4}m\d\d)? on feed_records/,
      `${label}:\n${plan}`,
    );
    assert.doesNotMatch(plan, /Seq Scan on feed_records/, `${label}:\n${plan}`);
    // One sort only: the merge of the organisations' pages, at the top.
    assert.equal(plan.match(/Sort Key/g)?.length ?? 0, 1, `${label}:\n${plan}`);
  }
});

test("one employee's records, with no integration named, seek the ID in each integration of feed_records_by_employee", async () => {
  const plan = await planOf(() => listRecords(db.knex, orgIds, { external_id: 'e-5' }, 50));
  assert.match(plan, /Index Scan using feed_records_by_employee_y\d{4}m\d\d on feed_records/, plan);
  assert.match(plan, /Index Cond: \(\(org_id = o\.id\) AND \(integration_id = ANY/, plan);
  assert.doesNotMatch(plan, /Seq Scan on feed_records|feed_records_by_org_start/, plan);
});

test('q across runs finds the employees through employee_summaries, never by reading every record', async () => {
  const { knex } = db;
  await knex.raw(
    `INSERT INTO employee_summaries (org_id, integration_id, external_id, first_name, last_name, email, last_started_at, last_sync_run_id, last_index,
       last_action, last_outcome, first_seen_started_at, first_seen_sync_run_id, search_key, sort_key)
     SELECT ?, ?, 'e-' || g, 'First' || g, 'Last' || g, 'e' || g || '@example.com', ?, ?, g, 'update', 'succeeded', ?, ?,
       'first' || g || ' last' || g || chr(10) || 'e' || g || '@example.com' || chr(10) || 'e-' || g, 'last' || g
     FROM generate_series(0, 29999) g`,
    [big.org_id, big.integration_id, big.started_at, big.id, big.started_at, big.id],
  );
  await knex.raw('ANALYZE employee_summaries');
  // Few match: their summaries through the trigram index, then each one's newest records (feed_records_by_employee), merged.
  const [employees, records] = await statementsOf(knex, () => listRecords(knex, [big.org_id], { q: 'Last2999' }, 50));
  const found = await explain(db.url, employees!);
  assert.match(found, /Bitmap Index Scan on employee_summaries_search/, found);
  const plan = await explain(db.url, records!);
  assert.match(plan, /Limit[\s\S]*Index Scan using feed_records_by_employee(_y\d{4}m\d\d)? on feed_records/, plan);
  assert.doesNotMatch(plan, /Seq Scan on feed_records|employee_summaries/, plan);
  // Many match ("last" is in every name): each organisation's newest records in order, each checked
  // against its employee's summary (a per-row subquery by its key), never every match's records sorted.
  const [, walk] = await statementsOf(knex, () => listRecords(knex, orgIds, { q: 'last' }, 50));
  const walked = await explain(db.url, walk!);
  assert.match(
    walked,
    /Limit[^\n]*\n\s+->\s+(Append[^\n]*\n\s+->\s+)?Index Scan (Backward )?using feed_records_(by_org_start|pkey)(_y\d{4}m\d\d)? on feed_records/,
    walked,
  );
  assert.match(walked, /SubPlan[\s\S]*Index Scan using employee_summaries_pkey on employee_summaries/, walked);
  assert.doesNotMatch(walked, /Seq Scan on feed_records|Bitmap Heap Scan on feed_records/, walked);
  assert.equal(walked.match(/Sort Key/g)?.length ?? 0, 1, walked);
  // Between (1,111 match "Last29"): the same walk, each record checked against the hashed list of them, no summary read.
  const [, listedWalk] = await statementsOf(knex, () => listRecords(knex, orgIds, { q: 'Last29' }, 50));
  const listedPlan = await explain(db.url, listedWalk!);
  assert.match(listedPlan, /Index Scan (Backward )?using feed_records_(by_org_start|pkey)(_y\d{4}m\d\d)? on feed_records/, listedPlan);
  assert.match(listedPlan, /= ANY \(/, listedPlan);
  assert.doesNotMatch(listedPlan, /employee_summaries|Seq Scan on feed_records|Bitmap Heap Scan on feed_records/, listedPlan);
  const listedRows = await listRecords(knex, [big.org_id], { q: 'Last29' }, 50);
  const expected = await knex('feed_records as f')
    .join('employee_summaries as s', (join) =>
      join.on('s.org_id', 'f.org_id').andOn('s.integration_id', 'f.integration_id').andOn('s.external_id', 'f.external_id'),
    )
    .where('f.org_id', big.org_id)
    .where('s.search_key', 'like', '%last29%')
    .orderBy([
      { column: 'f.started_at', order: 'desc' },
      { column: 'f.sync_run_id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .limit(51)
    .select('f.sync_run_id', 'f.index');
  assert.deepEqual(
    listedRows.map((row) => `${row.sync_run_id}:${row.index}`),
    expected.map((row) => `${row.sync_run_id}:${row.index}`),
  );
  const many = await listRecords(knex, [big.org_id], { q: 'LAST' }, 50);
  assert.equal(many.length, 51);
  assert.ok(many.every((row) => row.sync_run_id === big.id));
  const rows = await listRecords(knex, [big.org_id], { q: 'lást2999' }, 50);
  assert.deepEqual(rows.map((row) => row.external_id).sort(), [
    'e-2999',
    'e-29990',
    'e-29991',
    'e-29992',
    'e-29993',
    'e-29994',
    'e-29995',
    'e-29996',
    'e-29997',
    'e-29998',
    'e-29999',
  ]);
});

test('records with an error code, severity or field, or failed, across runs walk the runs newest first and stop at a page', async () => {
  const { knex } = db;
  const older: [string, number, number] = [big.started_at.toISOString(), big.id, 100];
  for (const [label, read] of [
    ['by code', () => listRecords(knex, orgIds, { code: 'job_title_mismatch' }, 50)],
    ['by field, a later page', () => listRecords(knex, [big.org_id], { field: 'job_title' }, 50, older)],
    ['by severity and integration', () => listRecords(knex, orgIds, { severity: 'error', integration: big.integration_id }, 50)],
    ['failed', () => listRecords(knex, orgIds, { outcome: 'failed' }, 50)],
    ['warnings from a day', () => listRecords(knex, [big.org_id], { outcome: 'warning', from: new Date('2026-09-20T00:00:00Z') }, 50)],
  ] as const) {
    const plan = await planOf(read);
    // Each organisation's runs in order, sorted only within a run (an incremental sort) under the page's Limit
    // (with a code, severity or field, after the matching groups' first and last sightings, InitPlans on error_groups).
    assert.match(
      plan,
      /Limit[^\n]*\n(?:\s+(?:InitPlan|->\s+Aggregate|->\s+[\w ]*Scan[^\n]* on error_groups|Filter|Index Cond|Recheck Cond)[^\n]*\n)*\s+->\s+Incremental Sort[\s\S]*Presorted Key: r\.started_at, r\.id[\s\S]*Index Scan using sync_runs_by_(org_)?start on sync_runs r/,
      `${label}:\n${plan}`,
    );
    assert.match(plan, /errors_by_record|feed_records_by_run_outcome/, `${label}:\n${plan}`);
    assert.doesNotMatch(plan, /Seq Scan on (feed_records|errors|sync_runs)|Bitmap Heap Scan on (feed_records|errors)/, `${label}:\n${plan}`);
  }
  // The same records as reading every record would give.
  const byRun = await listRecords(knex, [big.org_id], { code: 'unclassified' }, 30);
  const all = await knex('feed_records as f')
    .join('errors as e', (join) => join.on('e.org_id', 'f.org_id').andOn('e.sync_run_id', 'f.sync_run_id').andOn('e.record_index', 'f.index'))
    .where({ 'f.org_id': big.org_id, 'e.code': 'unclassified' })
    .distinct('f.sync_run_id', 'f.index', 'f.started_at')
    .orderBy([
      { column: 'f.started_at', order: 'desc' },
      { column: 'f.sync_run_id', order: 'desc' },
      { column: 'f.index', order: 'desc' },
    ])
    .limit(31);
  assert.deepEqual(
    byRun.map((row) => `${row.sync_run_id}:${row.index}`),
    all.map((row) => `${row.sync_run_id}:${row.index}`),
  );
  // Bounded by the matching groups' sightings, a filter still finds what reading every error would (none for info here).
  for (const filters of [{ code: 'job_title_mismatch' }, { field: 'job_title' }, { severity: 'error' }, { severity: 'info' }] as const) {
    const bounded = await listRecords(knex, orgIds, filters, 40);
    const everyError = await knex('feed_records as f')
      .join('errors as e', (join) => join.on('e.org_id', 'f.org_id').andOn('e.sync_run_id', 'f.sync_run_id').andOn('e.record_index', 'f.index'))
      .whereIn('f.org_id', orgIds)
      .where(Object.fromEntries(Object.entries(filters).map(([column, value]) => [`e.${column}`, value])))
      .distinct('f.org_id', 'f.sync_run_id', 'f.index', 'f.started_at')
      .orderBy([
        { column: 'f.started_at', order: 'desc' },
        { column: 'f.sync_run_id', order: 'desc' },
        { column: 'f.index', order: 'desc' },
      ])
      .limit(41);
    assert.deepEqual(
      bounded.map((row) => `${row.sync_run_id}:${row.index}`),
      everyError.map((row) => `${row.sync_run_id}:${row.index}`),
      JSON.stringify(filters),
    );
  }
  const page2 = await listRecords(knex, [big.org_id], { code: 'unclassified' }, 30, [
    byRun[29]!.started_at.toISOString(),
    byRun[29]!.sync_run_id,
    byRun[29]!.index,
  ]);
  assert.equal(`${page2[0]!.sync_run_id}:${page2[0]!.index}`, `${all[30]!.sync_run_id}:${all[30]!.index}`);
});
