/**
 * The real server (`feedlog serve`) runs the scheduler after it starts
 * listening: a gap in an integration's runs shows up as a missed_run event
 * within a tick, and SIGTERM stops the scheduler before the database closes.
 * With SCHEDULER=off (as the other tests' servers run) it finds nothing.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { startServer } from './helpers/server-process.js';

let db: TestDatabase;
let integrationId: number;

before(async () => {
  db = await createTestDatabase();
  const organisation = await createOrganisation(db.knex, 'serve-gaps', 'Serve Gaps');
  const { integration } = await createIntegration(db.knex, { orgSlug: 'serve-gaps', name: 'quiet', schedule: '15m', grace: '5m' });
  integrationId = Number(integration.id);
  // The last run started two hours ago (the server's clock is the system's).
  const started = new Date(Date.now() - 2 * 3_600_000);
  await db.knex('sync_runs').insert({
    org_id: organisation.id,
    integration_id: integrationId,
    run_id: 'old',
    trigger: 'scheduled',
    status: 'completed',
    started_at: started,
    finished_at: started,
    record_count: 0,
    counts: {},
    error_counts: {},
    body_sha256: 'x',
    header: {},
  });
});
after(() => db.drop());

const missedEvents = () => db.knex('integration_events').where({ integration_id: integrationId, code: 'missed_run' });

test('with SCHEDULER=off the server looks for no missed run', async () => {
  const server = await startServer(db.url, { SCHEDULER: 'off', SCHEDULER_TICK: '1s' });
  try {
    await sleep(2_500);
    assert.equal((await missedEvents()).length, 0);
  } finally {
    await server.kill();
  }
});

test('the server finds a missed run within a tick, and SIGTERM stops its scheduler cleanly', { timeout: 120_000 }, async () => {
  const server = await startServer(db.url, { SCHEDULER: 'on', SCHEDULER_TICK: '1s' });
  try {
    let events = await missedEvents();
    for (const deadline = Date.now() + 30_000; events.length === 0 && Date.now() < deadline; await sleep(200)) events = await missedEvents();
    assert.equal(events.length, 1, server.output());
    assert.equal(events[0].resolved_at, null);
    // Two hours after a run at t: slots t+15m ... t+1h45m passed their 5-minute grace (t+2h's has not).
    assert.equal(events[0].missed_slots, 7);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.output());
    assert.doesNotMatch(server.output(), /scheduler job failed/);
  } finally {
    await server.kill();
  }
});
