import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApp } from '../src/app/app.js';
import { DEMO_ADMIN, DEMO_INTEGRATIONS, DEMO_ORG } from '../src/simulate/demo.js';
import { signIn } from './helpers/accounts.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { freePort } from './helpers/free-port.js';

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

/** `feedlog demo --days 2 --once` on the test database: serves on a free port, sets up, posts, prints, stops. */
async function demo() {
  const result = await runCli(['demo', '--days', '2', '--once'], { DATABASE_URL: db.url, PORT: String(await freePort()), HOST: '127.0.0.1' });
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  const password = /^ {2}password: (\S+)$/m.exec(result.stdout)?.[1];
  assert.ok(password, `the password is printed:\n${result.stdout}`);
  assert.match(result.stdout, /^feedlog demo is ready on http:\/\/127\.0\.0\.1:\d+ /m);
  assert.match(result.stdout, new RegExp(`email: +${DEMO_ADMIN.replace('.', '\\.')}`));
  return { ...result, password };
}

async function integrations() {
  return db
    .knex('integrations')
    .join('organisations', 'organisations.id', 'integrations.org_id')
    .where('organisations.slug', DEMO_ORG.slug)
    .select('integrations.*')
    .orderBy('integrations.id');
}

const lastRun = (integrationId: number) => db.knex('sync_runs').where({ integration_id: integrationId }).orderBy('started_at', 'desc').first();

test('feedlog demo creates the organisation, its admin, three integrations and their history; a second run reuses them', async () => {
  const first = await demo();
  assert.match(first.stdout, /created, with three integrations/);

  const organisations = await db.knex('organisations').where({ slug: DEMO_ORG.slug });
  assert.equal(organisations.length, 1);
  const app = createApp({ knex: db.knex });
  await signIn(app, DEMO_ADMIN, first.password);

  const rows = await integrations();
  assert.deepEqual(
    rows.map((row) => row.name),
    DEMO_INTEGRATIONS.map((spec) => spec.name),
  );
  const [mapal, planday, hr] = rows;
  assert.equal(mapal.schedule_interval_seconds, 900);
  assert.equal(planday.schedule_cron, '0 2 * * *');
  assert.equal(planday.schedule_time_zone, 'Europe/Copenhagen');
  assert.equal(hr.schedule_interval_seconds, 3600);
  for (const spec of DEMO_INTEGRATIONS) assert.ok(first.stdout.includes(`    ${spec.name}: posted `), `${spec.name}: posted ...`);
  assert.equal((first.stdout.match(/ingest token: fl_ing_/g) ?? []).length, 3);

  // Two days of history, posted over HTTP with their past started_at.
  const counts: { integration_id: number; n: string }[] = await db.knex('sync_runs').select('integration_id').count({ n: '*' }).groupBy('integration_id');
  const runsOf = (id: number) => Number(counts.find((row) => row.integration_id === id)?.n ?? 0);
  assert.ok(runsOf(mapal.id) >= 180 && runsOf(mapal.id) <= 193, `${runsOf(mapal.id)} Mapal OS runs`);
  assert.equal(runsOf(planday.id), 2);
  assert.ok(runsOf(hr.id) >= 40 && runsOf(hr.id) <= 44, `${runsOf(hr.id)} HR feed runs`);
  const records = await db.knex('feed_records').count({ n: '*' }).first();
  assert.ok(Number(records!.n) > 3_000);

  // The story at the end of the backfill.
  const now = Date.now();
  const mapalLast = await lastRun(mapal.id);
  assert.notEqual(mapalLast.status, 'failed', 'Mapal OS is healthy');
  assert.ok(now - mapalLast.started_at.getTime() < 40 * 60_000, 'Mapal OS ran in the last half hour');
  const plandayLast = await lastRun(planday.id);
  assert.equal(plandayLast.status, 'failed', 'Planday is failing: its last run failed');
  assert.match(plandayLast.run_error, /Planday API/);
  const hrLast = await lastRun(hr.id);
  assert.ok(now - hrLast.started_at.getTime() > 4 * 3_600_000, 'the HR feed has been silent for hours');
  const mapalRuns = await db.knex('sync_runs').where({ integration_id: mapal.id }).select('record_count', 'started_at');
  const sizes = mapalRuns.map((run) => Number(run.record_count)).filter((n) => n > 0);
  const median = [...sizes].sort((a, b) => a - b)[Math.floor(sizes.length / 2)]!;
  assert.ok(sizes.filter((n) => n < 0.75 * median).length >= 12, 'a volume drop: hours of Mapal OS runs with far fewer employees');
  const codes = await db.knex('errors').distinct('code').pluck('code');
  assert.ok(codes.includes('run_failed'));
  assert.ok(codes.length >= 4, `several kinds of error: ${codes.join(', ')}`);

  // A second run: the same organisation, admin and integrations; a new password; nothing posted twice.
  const before = await db.knex('sync_runs').count({ n: '*' }).first();
  const second = await demo();
  assert.match(second.stdout, /reused, with three integrations/);
  assert.match(second.stdout, /a new password/);
  assert.notEqual(second.password, first.password);
  await signIn(app, DEMO_ADMIN, second.password);
  assert.equal((await db.knex('organisations').where({ slug: DEMO_ORG.slug })).length, 1);
  assert.equal((await db.knex('users').where({ email: DEMO_ADMIN })).length, 1);
  assert.deepEqual(
    (await integrations()).map((row) => row.id),
    rows.map((row) => row.id),
  );
  const afterCount = await db.knex('sync_runs').count({ n: '*' }).first();
  assert.ok(Number(afterCount!.n) - Number(before!.n) <= 3, 'at most the runs that came due meanwhile');
  assert.equal((await lastRun(planday.id)).status, 'failed', 'still failing');
});
