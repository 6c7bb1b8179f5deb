/**
 * PostgreSQL dies under the app (issue 9): on a dedicated embedded PostgreSQL
 * (its own temporary data directory and free port, so that stopping it
 * disturbs nobody), stopped in the middle of an ingest and in the middle of
 * page loads. Every answer while it is down is a 503 with Retry-After (never a
 * 500), nothing is half-written, and the same app — not restarted — answers
 * normally again once PostgreSQL is back.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import type { Knex } from 'knex';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../src/app/app.js';
import { findUserByEmail } from '../../src/auth/auth.queries.js';
import { SESSION_COOKIE, startSession } from '../../src/auth/sessions.js';
import { createKnex } from '../../src/db/database.js';
import { ensureEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createFixtureUsers, emailOf } from '../helpers/accounts.js';
import { freePort } from '../helpers/free-port.js';
import { makeRun } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';
import { makeLargeRun } from '../helpers/large-run.js';
import { waitForStatement } from '../helpers/server-process.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedlog-outage-'));
let port: number;
let server: EmbeddedServer;
let knex: Knex;
let app: Express;
let token: string;
let integrationId: number;
let cookie: string;
let apiToken: string;

const startPostgres = async () => {
  server = await ensureEmbeddedPostgres(dataDir, port);
};
const stopPostgres = () => server.release();

before(async () => {
  port = await freePort();
  await startPostgres();
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE feedlog_outage');
  await admin.end();
  knex = createKnex(server.url('feedlog_outage'), 5);
  await migrateToLatest(knex);
  const fixtures = await createFixtureUsers(knex);
  token = fixtures.orgA.token;
  apiToken = fixtures.apiTokens.owner;
  integrationId = fixtures.orgA.integration.id;
  app = createApp({ knex, ingestLimits: { perMinute: 100_000 } });
  const { cookieValue } = await startSession(knex, (await findUserByEmail(knex, emailOf('owner')))!.id, {});
  cookie = `${SESSION_COOKIE}=${cookieValue}`;
  assert.equal((await postRun(app, token, makeRun({ run_id: 'before' }))).status, 201);
});

after(async () => {
  await knex?.destroy();
  await server?.release().catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function rowsOfRun(runId: string) {
  const run = await knex('sync_runs').where({ integration_id: integrationId, run_id: runId }).first('id', 'record_count');
  if (!run) return { runs: 0, records: 0, errors: 0 };
  const count = async (table: string) => Number((await knex(table).where({ sync_run_id: run.id }).count<{ count: string }[]>('* as count'))[0]!.count);
  return { runs: 1, records: await count('feed_records'), errors: await count('errors'), recordCount: run.record_count as number };
}

/** Polls until `check` passes, or fails with its last error after `ms`. */
async function eventually(what: string, check: () => Promise<void>, ms = 30_000): Promise<void> {
  let last: unknown;
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(250)) {
    try {
      return await check();
    } catch (error) {
      last = error;
    }
  }
  assert.fail(`${what} within ${ms / 1000} s: ${last instanceof Error ? last.message : String(last)}`);
}

const page = (path: string) => request(app).get(path).set('Cookie', cookie).set('Accept', 'text/html');

function assertUnavailable(res: request.Response, what: string) {
  assert.equal(res.status, 503, `${what}: expected 503, got ${res.status} ${res.text.slice(0, 300)}`);
  assert.match(String(res.headers['retry-after'] ?? ''), /^\d+$/, `${what}: a 503 says when to retry (Retry-After)`);
}

test('PostgreSQL stopped during an ingest: 503 with Retry-After, nothing stored; the retry after it is back stores the run once', {
  timeout: 240_000,
}, async () => {
  const body = JSON.stringify(makeLargeRun(20_000, 'killed-db'));
  const posting = postRun(app, token, body).then((res) => res);
  // Stop PostgreSQL while the run's rows are being written.
  await waitForStatement(server.url('feedlog_outage'), /insert into "?feed_records/i);
  await stopPostgres();
  const res = await posting;
  assertUnavailable(res, 'the ingest PostgreSQL died under');
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);

  await startPostgres();
  assert.deepEqual(await rowsOfRun('killed-db'), { runs: 0, records: 0, errors: 0 }, 'nothing of the run was stored');
  await eventually('the same app stores the retried run', async () => {
    const retry = await postRun(app, token, body);
    assert.equal(retry.status, 201, `${retry.status} ${retry.text.slice(0, 300)}`);
  });
  const stored = await rowsOfRun('killed-db');
  assert.equal(stored.runs, 1);
  assert.equal(stored.records, 20_000, 'the run is whole');
  assert.equal((await postRun(app, token, body)).status, 200, 'posted again, it is the same run');
});

test('PostgreSQL stopped while pages, API reads and ingests are loading: every answer is a 200/201 or a 503 with Retry-After; the app recovers without a restart', {
  timeout: 240_000,
}, async () => {
  const answers: { what: string; status: number; retryAfter?: string; text: string }[] = [];
  let stop = false;
  let n = 0;
  const loaders = [
    () => page('/'),
    () => page('/error-groups'),
    () => page('/integrations'),
    () => request(app).get('/api/v1/sync-runs').set('Authorization', `Bearer ${apiToken}`),
    // Three ingest loops of 300-record runs, so that PostgreSQL stops inside some ingest's transaction.
    ...[0, 1, 2].map(() => () => postRun(app, token, makeLargeRun(300, `during-${n++}`))),
  ];
  const loops = loaders.map(async (load, i) => {
    while (!stop) {
      const res = await load();
      answers.push({ what: `loader ${i}`, status: res.status, retryAfter: res.headers['retry-after'], text: res.text.slice(0, 200) });
    }
  });
  await sleep(1_000);
  await stopPostgres();
  await sleep(2_000);
  stop = true;
  await Promise.all(loops);

  // Checked last, so that the recovery below is checked whatever these answers were.
  const bad = answers.filter((a) => !([200, 201].includes(a.status) || (a.status === 503 && /^\d+$/.test(a.retryAfter ?? ''))));
  assert.ok(
    answers.some((a) => a.status === 503),
    'some requests met the dead database',
  );

  // Down: each kind of request, once more, by itself.
  assertUnavailable(await page('/'), 'the overview page');
  assertUnavailable(await page('/members'), 'the members page');
  assertUnavailable(await request(app).get('/api/v1/error-groups').set('Authorization', `Bearer ${apiToken}`), 'an API read');
  assertUnavailable(await postRun(app, token, makeRun({ run_id: 'while-down' })), 'an ingest');
  assertUnavailable(await request(app).get('/readyz'), '/readyz');
  assert.equal((await request(app).get('/healthz')).status, 200, '/healthz answers while the process is up');

  await startPostgres();
  await eventually('the same app serves pages again', async () => {
    const res = await page('/');
    assert.equal(res.status, 200, `${res.status} ${res.text.slice(0, 200)}`);
  });
  assert.equal((await request(app).get('/readyz')).status, 200);
  assert.equal((await postRun(app, token, makeRun({ run_id: 'while-down' }))).status, 201);
  // Every run that answered 201 is there whole, the others are absent.
  const partial = await knex.raw(
    `SELECT r.run_id FROM sync_runs r LEFT JOIN feed_records f ON f.sync_run_id = r.id
      WHERE r.integration_id = ? GROUP BY r.id, r.run_id, r.record_count HAVING count(f.*) <> r.record_count`,
    [integrationId],
  );
  assert.deepEqual(partial.rows, [], 'no run is stored in part');
  for (const a of answers.filter((x) => Number(x.what.slice(7)) >= 4 && x.status === 201)) assert.ok(a.text.includes('"run_id"'));
  assert.deepEqual(bad, [], `every answer while PostgreSQL stopped is a success or a 503 with Retry-After (${answers.length} answers)`);
});
