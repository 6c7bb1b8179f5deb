import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import type { Knex } from 'knex';
import pg from 'pg';
import { createApp } from '../app/app.js';
import { createKnex } from '../db/database.js';
import { ensureEmbeddedPostgres, type EmbeddedServer } from '../db/embedded.js';
import { migrateToLatest } from '../db/migrate.js';
import { countRows, createOrgWithIntegration, makeRun } from '../../test/helpers/fixtures.js';
import { freePort } from '../../test/helpers/free-port.js';
import { postRun } from '../../test/helpers/ingest.js';

// Issue 9: PostgreSQL dying mid-ingest. The test runner's server must not be
// stopped, so this file runs its own throw-away embedded PostgreSQL (the only
// server a CI machine with just Node and npm is sure to have).
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedlog-outage-'));
fs.chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as 'postgres' and must enter it
let port: number;
let server: EmbeddedServer;
let knex: Knex;
let app: Express;
let token: string;

before(async () => {
  port = await freePort();
  server = await ensureEmbeddedPostgres(dataDir, port);
  knex = createKnex(server.url('postgres'), 4);
  await migrateToLatest(knex);
  ({ token } = await createOrgWithIntegration(knex));
  app = createApp({ knex });
});
after(async () => {
  await knex?.destroy();
  await server?.release();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function stored() {
  return {
    runs: await countRows(knex, 'sync_runs'),
    records: await countRows(knex, 'feed_records'),
    errors: await countRows(knex, 'errors'),
    groups: await countRows(knex, 'error_groups'),
  };
}

/**
 * Waits until the ingest waits for the held lock. Asked on the app's own pool:
 * pg_stat_activity is a snapshot per transaction, so not on the lock holder.
 */
async function untilBlocked(): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const { rows } = await knex.raw("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO employee_states%'");
    if (rows.length > 0) return;
    await sleep(50);
  }
  assert.fail('the ingest never reached the locked employee state');
}

/** Every process of the server, the postmaster first, as `kill -9` or the OOM killer would end them. */
async function killServer(): Promise<void> {
  const { rows } = await knex.raw<{ rows: { pid: number }[] }>('SELECT pid FROM pg_stat_activity');
  const postmaster = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  for (const pid of [postmaster, ...rows.map((row) => row.pid)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await sleep(200);
}

/**
 * Posts a run that stops halfway (its run, records, groups and errors written
 * inside its transaction, the employees' state rows held by another session),
 * ends PostgreSQL with `stop`, and checks the answers during and after the
 * outage, then that nothing of the run is left once PostgreSQL is back.
 */
async function ingestInterruptedBy(stop: () => Promise<void>, runId: string) {
  const before = await stored();
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  admin.on('error', () => {}); // it dies with the server, on purpose
  await admin.connect();
  await admin.query('BEGIN');
  await admin.query('SELECT * FROM employee_states FOR UPDATE');
  const inFlight = postRun(app, token, makeRun({ run_id: runId })).then((response) => response);
  await untilBlocked();

  await stop();
  const during = await inFlight;
  assert.equal(during.status, 503, during.text);
  assert.equal(during.headers['retry-after'], '10');
  assert.equal(during.type, 'application/problem+json');

  const whileDown = await postRun(app, token, makeRun({ run_id: `${runId}-while-down` }));
  assert.equal(whileDown.status, 503, whileDown.text);
  assert.equal(whileDown.headers['retry-after'], '10');

  server = await ensureEmbeddedPostgres(dataDir, port);
  // The pool may still hold connections to the old server: the first reads after the
  // restart may fail, as they would for any client; what is stored is what matters.
  let after: Awaited<ReturnType<typeof stored>> | undefined;
  for (let tries = 0; tries < 5 && !after; tries++) after = await stored().catch(() => undefined);
  assert.deepEqual(after, before, 'nothing of the interrupted run was kept');
  const retried = await postRun(app, token, makeRun({ run_id: runId }));
  assert.equal(retried.status, 201, retried.text);
}

test('PostgreSQL stopped in the middle of an ingest: 503 with Retry-After, during and after; nothing half-written once back', async () => {
  assert.equal((await postRun(app, token, makeRun({ run_id: 'before' }))).status, 201);
  await ingestInterruptedBy(() => server.release(), 'during-stop');
});

test('PostgreSQL killed in the middle of an ingest: the same', async () => {
  await ingestInterruptedBy(killServer, 'during-kill');
});
