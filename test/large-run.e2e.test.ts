import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { createApp } from '../src/app/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { countRows, createOrgWithIntegration } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';
import { makeLargeRun } from './helpers/large-run.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test('a 100,000-record run is stored whole, with its errors, and a retry of it is a 200', async () => {
  const { token } = await createOrgWithIntegration(db.knex);
  const app = createApp({ knex: db.knex });
  const body = gzipSync(JSON.stringify(makeLargeRun(100_000)));
  const send = () => postRun(app, token, body);

  const response = await send();
  assert.equal(response.status, 201, response.text);
  assert.equal(response.body.record_count, 100_000);
  assert.deepEqual(response.body.counts, { succeeded: 90_000, failed: 10_000, warning: 0 });
  assert.equal(response.body.error_counts.job_title_mismatch, 10_000);
  assert.equal(await countRows(db.knex, 'feed_records'), 100_000);
  assert.equal(await countRows(db.knex, 'errors'), 10_000);
  assert.equal(await countRows(db.knex, 'employee_states'), 90_000, 'failed records change no employee state');

  const retry = await send();
  assert.equal(retry.status, 200);
  assert.equal(await countRows(db.knex, 'feed_records'), 100_000);
});
