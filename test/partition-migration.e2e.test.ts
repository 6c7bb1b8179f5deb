import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import { listMigrations, MIGRATIONS_DIR, migrateToLatest, options } from '../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

// Migrations from 2026-12-01-0000 on partition feed_records and errors on a database that
// holds rows: every row stays, in the partition of its month, and going down keeps them too.
const FIRST = '2026-12-01-0000';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ empty: true });
});
after(() => db.drop());

const snapshot = async (table: string, order: string) => (await db.knex.raw(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
const RECORD_ORDER = 'org_id, sync_run_id, index';

test('a database with runs in three months, one of them a year ago, keeps every record and error through the migrations, up and down', async () => {
  const { knex } = db;
  const files = fs.readdirSync(MIGRATIONS_DIR).sort();
  for (;;) {
    const { done } = await listMigrations(knex);
    const next = files.find((file) => !done.includes(file));
    if (next === undefined || next >= FIRST) break;
    await knex.migrate.up(options());
  }
  const [org] = await knex('organisations').insert({ slug: 'moved', name: 'Moved' }).returning('id');
  const [integration] = await knex('integrations')
    .insert({ org_id: org.id, name: 'I', schedule_interval_seconds: 900, required_fields: ['email'] })
    .returning('id');
  const starts = ['2025-10-03T10:00:00Z', '2026-11-29T23:59:59Z', '2026-12-01T00:00:00Z'];
  for (const [n, start] of starts.entries()) {
    await knex.raw(
      `INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, record_count, counts, error_counts, body_sha256, header)
       VALUES (?, ?, ?, 'scheduled', 'completed_with_errors', ?, ?::timestamptz + interval '1 minute', 50, '{}', '{}', 'x', '{}')`,
      [org.id, integration.id, `run-${n}`, start, start],
    );
  }
  await knex.raw(
    `INSERT INTO feed_records (org_id, sync_run_id, index, integration_id, started_at, external_id, action, outcome, email, error_count, raw, employee, messages)
     SELECT r.org_id, r.id, g, r.integration_id, r.started_at, 'e-' || g, 'update', CASE WHEN g % 5 = 0 THEN 'failed' ELSE 'succeeded' END,
       ' E' || g || '@Example.com', (g % 5 = 0)::int, jsonb_build_object('g', g), jsonb_build_object('email', 'e' || g), '[]'
     FROM sync_runs r CROSS JOIN generate_series(0, 49) AS g`,
  );
  await knex.raw(
    `INSERT INTO errors (org_id, sync_run_id, record_index, integration_id, code, severity, field, value, group_id)
     SELECT org_id, sync_run_id, index, integration_id, 'job_title_mismatch', 'error', 'job_title', 'v' || index, NULL::bigint FROM feed_records WHERE outcome = 'failed'
     UNION ALL SELECT org_id, id, NULL, integration_id, 'run_failed', 'error', NULL, NULL, NULL FROM sync_runs`,
  );
  const records = await snapshot('feed_records', RECORD_ORDER);
  const errors = await snapshot('errors', 'org_id, id');
  assert.equal(records.length, 150);
  const lastId = Number((await knex.raw('SELECT max(id) AS id FROM errors')).rows[0].id);

  await migrateToLatest(knex);
  assert.deepEqual(await snapshot('feed_records', RECORD_ORDER), records);
  const moved = await snapshot('errors', 'org_id, id');
  assert.deepEqual(
    moved.map(({ started_at, ...error }: { started_at: Date }) => error),
    errors,
  );
  // Each error has its run's start, and sits in that month's partition.
  const runStarts = new Map((await knex('sync_runs').select('id', 'started_at')).map((r) => [Number(r.id), r.started_at.getTime()]));
  for (const error of moved) assert.equal(error.started_at.getTime(), runStarts.get(Number(error.sync_run_id)));
  const { rows: placed } = await knex.raw('SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM feed_records GROUP BY 1 ORDER BY 1');
  assert.deepEqual(placed, [
    { part: 'feed_records_y2025m10', n: 50 },
    { part: 'feed_records_y2026m11', n: 50 },
    { part: 'feed_records_y2026m12', n: 50 },
  ]);
  const { rows: kinds } = await knex.raw("SELECT relname, relkind FROM pg_class WHERE relname IN ('feed_records', 'errors') ORDER BY relname");
  assert.deepEqual(kinds, [
    { relname: 'errors', relkind: 'p' },
    { relname: 'feed_records', relkind: 'p' },
  ]);
  // The indexes are on the parents, named after them in each partition; the primary keys lead with (org_id, started_at).
  const { rows: indexes } = await knex.raw(
    "SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid IN ('feed_records'::regclass, 'errors'::regclass) ORDER BY 1",
  );
  assert.deepEqual(
    indexes.map((i: { name: string }) => i.name),
    [
      'errors_by_code',
      'errors_by_group',
      'errors_by_record',
      'errors_pkey',
      'feed_records_by_email',
      'feed_records_by_employee',
      'feed_records_by_run_outcome',
      'feed_records_pkey',
    ],
  );
  assert.match(indexes.find((i: { name: string }) => i.name === 'feed_records_pkey').def, /\(org_id, started_at, sync_run_id, index\)/);
  assert.match(indexes.find((i: { name: string }) => i.name === 'errors_pkey').def, /\(org_id, started_at, id\)/);
  const partitionIndexes = (await knex.raw("SELECT indexname FROM pg_indexes WHERE tablename = 'feed_records_y2025m10' ORDER BY 1")).rows.map(
    (r: { indexname: string }) => r.indexname,
  );
  assert.deepEqual(partitionIndexes, [
    'feed_records_by_email_y2025m10',
    'feed_records_by_employee_y2025m10',
    'feed_records_by_run_outcome_y2025m10',
    'feed_records_pkey_y2025m10',
  ]);
  // New errors take ids after the moved ones.
  const [run] = await knex('sync_runs').select('id', 'started_at').orderBy('id').limit(1);
  const [inserted] = await knex('errors')
    .insert({ org_id: org.id, sync_run_id: run.id, started_at: run.started_at, integration_id: integration.id, code: 'unclassified', severity: 'error' })
    .returning('id');
  assert.ok(Number(inserted.id) > lastId);
  await knex('errors').where({ id: inserted.id }).del();
  // No foreign key to sync_runs any more.
  const { rows: fks } = await knex.raw("SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('feed_records'::regclass, 'errors'::regclass)");
  assert.deepEqual(fks, []);

  // Down to before the partitioning: the same rows in one table each, with the old keys.
  for (;;) {
    const { done } = await listMigrations(knex);
    if (done[done.length - 1]! < FIRST) break;
    await knex.migrate.down(options());
  }
  assert.deepEqual(await snapshot('feed_records', RECORD_ORDER), records);
  assert.deepEqual(await snapshot('errors', 'org_id, id'), errors);
  const { rows: old } = await knex.raw(
    "SELECT relkind, (SELECT count(*) FROM pg_inherits WHERE inhparent = 'feed_records'::regclass)::int AS parts FROM pg_class WHERE relname = 'feed_records'",
  );
  assert.deepEqual(old, [{ relkind: 'r', parts: 0 }]);
  assert.match((await knex.raw("SELECT pg_get_indexdef('feed_records_pkey'::regclass) AS d")).rows[0].d, /\(org_id, sync_run_id, index\)/);
  assert.match((await knex.raw("SELECT pg_get_indexdef('feed_records_by_org_start'::regclass) AS d")).rows[0].d, /started_at DESC/);
  const [again] = await knex('errors')
    .insert({ org_id: org.id, sync_run_id: run.id, integration_id: integration.id, code: 'unclassified', severity: 'error' })
    .returning('id');
  assert.ok(Number(again.id) > lastId);
});
