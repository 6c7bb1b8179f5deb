import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import request from 'supertest';
import type { Knex } from 'knex';
import { createApp } from '../src/app/app.js';
import { createKnex } from '../src/db/database.js';
import { MAX_STRING_BYTES } from '../src/ingest/body.js';
import { createFixtureUsers, emailOf, signIn } from './helpers/accounts.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { withDatabaseName } from './helpers/database-url.js';
import { makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

// Issue 9, defect 2: one fat run made every read that touched it crawl, because
// lists read the stored header (sync_runs.header) and whole raw records
// (feed_records.raw). The behaviour that matters: every list and page works for a
// database role that may not read those two columns at all.
let db: TestDatabase;
let reader: Knex;
const role = `feedlog_reader_${randomBytes(4).toString('hex')}`;
let fixtures: Awaited<ReturnType<typeof createFixtureUsers>>;
let runId: string;

async function grantAllBut(table: string, hidden: string) {
  const { rows } = await db.knex.raw<{ rows: { column_name: string }[] }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ? AND column_name <> ?",
    [table, hidden],
  );
  await db.knex.raw(`REVOKE SELECT ON ${table} FROM ${role}`);
  await db.knex.raw(`GRANT SELECT (${rows.map((r) => `"${r.column_name}"`).join(', ')}) ON ${table} TO ${role}`);
}

before(async () => {
  db = await createTestDatabase();
  fixtures = await createFixtureUsers(db.knex);
  const fat = 'x'.repeat(MAX_STRING_BYTES);
  const run = makeRun({ run_id: 'fat-run', engine_dump: fat });
  const records = run.records as Record<string, Record<string, unknown>>[];
  (records[0] as Record<string, unknown>).engine_dump = fat;
  records[0]!.employee!.badge_colour = 'green';
  const response = await postRun(createApp({ knex: db.knex }), fixtures.orgA.token, run);
  assert.equal(response.status, 201, response.text);
  runId = response.body.id;

  await db.knex.raw(`CREATE ROLE ${role} LOGIN PASSWORD 'reader'`);
  await db.knex.raw(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await db.knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
  await grantAllBut('sync_runs', 'header');
  await grantAllBut('feed_records', 'raw');
  const url = new URL(db.url);
  url.username = role;
  url.password = 'reader';
  reader = createKnex(url.toString(), 3);
});
after(async () => {
  await reader?.destroy();
  await db.drop();
  // A role belongs to the server, not to the dropped database.
  const admin = createKnex(withDatabaseName(db.url, 'postgres'), 1);
  await admin.raw(`DROP ROLE IF EXISTS ${role}`);
  await admin.destroy();
});

test('the API lists and shows runs, records, employees and groups without reading the stored header or raw records', async () => {
  const app = createApp({ knex: reader });
  const get = (path: string) => request(app).get(path).set('Authorization', `Bearer ${fixtures.apiTokens.owner}`);
  for (const path of ['/api/v1/sync-runs', `/api/v1/sync-runs/${runId}`, `/api/v1/records?run=${runId}`, '/api/v1/employees/4512_1', '/api/v1/error-groups']) {
    const response = await get(path);
    assert.equal(response.status, 200, `${path}: ${response.text.slice(0, 300)}`);
    assert.doesNotMatch(response.text, /engine_dump/, path);
  }
  // The employee and its messages are still shown whole, unknown keys included.
  const records = await get(`/api/v1/records?run=${runId}`);
  const first = records.body.items.find((item: { index: number }) => item.index === 0);
  assert.equal(first.employee.badge_colour, 'green');
  assert.deepEqual(first.messages, []);
});

test('the pages do too', async () => {
  const owner = await signIn(createApp({ knex: reader }), emailOf('owner'));
  for (const path of ['/', '/error-groups', '/integrations']) {
    const response = await owner.agent.get(path);
    assert.equal(response.status, 200, `${path}: ${response.text.slice(0, 300)}`);
  }
});
