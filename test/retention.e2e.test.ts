import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createKnex } from '../src/db/database.js';
import { prune, parseAge } from '../src/retention/retention.service.js';
import { ensureRecordPartitions, forgetKnownPartitions } from '../src/retention/partitions.js';
import { monthPartitions } from '../src/retention/retention.queries.js';
import { runCli } from './helpers/cli.js';
import { signIn, startWithFixtureUsers } from './helpers/accounts.js';
import { postRun } from './helpers/ingest.js';
import { makeRun } from './helpers/fixtures.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const monthOf = (at: Date) => `y${at.getUTCFullYear()}m${String(at.getUTCMonth() + 1).padStart(2, '0')}`;

let started: Awaited<ReturnType<typeof startWithFixtureUsers>>;
const runs = new Map<string, { id: number; orgId: number; startedAt: Date }>();

async function ingestAt(token: string, runId: string, startedAt: Date) {
  const response = await postRun(
    started.app,
    token,
    makeRun({ run_id: runId, started_at: startedAt.toISOString(), finished_at: new Date(startedAt.getTime() + 60_000).toISOString() }),
  );
  assert.ok(response.status === 201 || response.status === 200, response.text);
  const row = await started.db.knex('sync_runs').where({ run_id: runId }).first('id', 'org_id', 'started_at');
  runs.set(runId, { id: Number(row.id), orgId: Number(row.org_id), startedAt: row.started_at });
}

async function countsOf(runId: string) {
  const run = runs.get(runId)!;
  const [records, errors, stored] = await Promise.all([
    started.db.knex('feed_records').where({ org_id: run.orgId, sync_run_id: run.id }).count<{ count: string }[]>('* as count'),
    started.db.knex('errors').where({ org_id: run.orgId, sync_run_id: run.id }).count<{ count: string }[]>('* as count'),
    started.db.knex('sync_runs').where({ org_id: run.orgId, id: run.id }).count<{ count: string }[]>('* as count'),
  ]);
  return { run: Number(stored[0]!.count), records: Number(records[0]!.count), errors: Number(errors[0]!.count) };
}

const tableCount = async (table: string) => Number((await started.db.knex(table).count<{ count: string }[]>('* as count'))[0]!.count);

before(async () => {
  started = await startWithFixtureUsers();
  forgetKnownPartitions();
  // org-a keeps 90 days (the default), org-b 30 (set by the CLI below).
  for (const [name, days] of [
    ['a-400', 400],
    ['a-100', 100],
    ['a-50', 50],
    ['a-5', 5],
  ] as const) {
    await ingestAt(started.orgA.token, name, ago(days));
  }
  for (const [name, days] of [
    ['b-400', 400],
    ['b-50', 50],
    ['b-5', 5],
  ] as const) {
    await ingestAt(started.orgB.token, name, ago(days));
  }
});
after(() => started.db.drop());

describe('partitions', () => {
  test("ingest made the month partition of a year-old backfill before storing it, and every run's records and errors are there", async () => {
    const names = (await monthPartitions(started.db.knex, 'feed_records')).map((p) => p.name);
    assert.ok(names.includes(`feed_records_${monthOf(ago(400))}`), names.join(', '));
    const errorNames = (await monthPartitions(started.db.knex, 'errors')).map((p) => p.name);
    assert.ok(errorNames.includes(`errors_${monthOf(ago(400))}`), errorNames.join(', '));
    const old = await countsOf('a-400');
    assert.deepEqual(old, { run: 1, records: 2, errors: old.errors });
    assert.ok(old.errors > 0);
    // Each error carries its run's start.
    const mismatched = await started.db.knex.raw(
      'SELECT count(*) AS count FROM errors e JOIN sync_runs r ON r.org_id = e.org_id AND r.id = e.sync_run_id WHERE e.started_at <> r.started_at',
    );
    assert.equal(Number(mismatched.rows[0].count), 0);
  });

  test('two processes and many sessions making the same new month at once all succeed, and make it once', async () => {
    const month = new Date(Date.UTC(2041, 4, 17));
    const other = createKnex(started.db.url, 4);
    try {
      forgetKnownPartitions();
      const calls = [];
      for (let i = 0; i < 4; i++) {
        calls.push(ensureRecordPartitions(started.db.knex, month));
        calls.push(other.raw("SELECT feedlog_month_partition('feed_records', ?::timestamptz)", [month]));
        calls.push(other.raw("SELECT feedlog_month_partition('errors', ?::timestamptz)", [month]));
      }
      await Promise.all(calls);
    } finally {
      await other.destroy();
    }
    const made = (await monthPartitions(started.db.knex, 'feed_records')).filter((p) => p.name === 'feed_records_y2041m05');
    assert.equal(made.length, 1);
    assert.equal(made[0]!.from.toISOString(), '2041-05-01T00:00:00.000Z');
    assert.equal(made[0]!.to.toISOString(), '2041-06-01T00:00:00.000Z');
    // In a session in another time zone, the month is still the UTC month.
    await started.db.knex.transaction(async (trx) => {
      await trx.raw("SET LOCAL TimeZone = 'Pacific/Kiritimati'");
      await trx.raw("SELECT feedlog_month_partition('feed_records', '2041-06-30T23:30:00Z')");
    });
    const june = (await monthPartitions(started.db.knex, 'feed_records')).find((p) => p.name === 'feed_records_y2041m06');
    assert.equal(june?.from.toISOString(), '2041-06-01T00:00:00.000Z');
    assert.equal(june?.to.toISOString(), '2041-07-01T00:00:00.000Z');
  });

  test('ages are days or weeks', () => {
    assert.equal(parseAge('90d'), 90);
    assert.equal(parseAge('90'), 90);
    assert.equal(parseAge('12w'), 84);
    assert.throws(() => parseAge('3 months'), /Invalid age/);
    assert.throws(() => parseAge('0d'), /at least one day/);
  });
});

describe('feedlog prune', () => {
  const env = () => ({ DATABASE_URL: started.db.url });

  test('org retention is set by the CLI and audited', async () => {
    const set = await runCli(['org', 'retention', 'org-b', '30'], env());
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /keeps its records for 30 days/);
    const row = await started.db.knex('organisations').where({ slug: 'org-b' }).first('id', 'retention_days');
    assert.equal(row.retention_days, 30);
    const audit = await started.db.knex('audit_events').where({ org_id: row.id, action: 'organisation.retention_changed' }).first('details');
    assert.deepEqual(audit.details, { from: 90, to: 30 });
    const bad = await runCli(['org', 'retention', 'org-b', 'forever'], env());
    assert.equal(bad.code, 2);
  });

  test('--dry-run says what would go and deletes nothing', async () => {
    const before = await Promise.all(['sync_runs', 'feed_records', 'errors'].map(tableCount));
    const dry = await runCli(['prune', '--dry-run'], env());
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`Would drop partition feed_records_${monthOf(ago(400))}`));
    assert.match(dry.stdout, /org-b: would delete 2 runs, 4 records/);
    assert.match(dry.lastLine, /^Would delete \d+ partitions .* runs, .* records/);
    assert.deepEqual(await Promise.all(['sync_runs', 'feed_records', 'errors'].map(tableCount)), before);
  });

  test('the run page of a run whose month was dropped says its records were pruned; after the prune the run is gone, the groups and rollups stay', async () => {
    const owner = await signIn(started.app, 'owner@example.com');
    const old = runs.get('a-400')!;
    assert.match((await owner.agent.get(`/runs/${old.id}`)).text, /<td class="num">0<\/td>|4512_1/);

    const dropped = await prune(started.db.knex, { now: new Date(), partitionsOnly: true });
    assert.ok(dropped.droppedPartitions.includes(`feed_records_${monthOf(ago(400))}`), dropped.droppedPartitions.join(', '));
    assert.ok(dropped.droppedPartitions.includes(`errors_${monthOf(ago(400))}`));
    const page = await owner.agent.get(`/runs/${old.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Records pruned after 90 days/);
    assert.doesNotMatch(page.text, /4512_1/);

    const rollups = await Promise.all(['run_stats_hourly', 'error_counts_hourly', 'error_groups'].map(tableCount));
    const group = await started.db.knex('error_groups').where({ org_id: old.orgId }).orderBy('id').first('id');

    const pruned = await runCli(['prune'], env());
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.lastLine, /^Deleted \d+ partitions .* 4 runs, /);
    // org-a keeps 90 days, org-b 30: older runs went with their records and errors (the month straddling a cut-off by index).
    for (const name of ['a-400', 'a-100', 'b-400', 'b-50']) assert.deepEqual(await countsOf(name), { run: 0, records: 0, errors: 0 }, name);
    for (const name of ['a-50', 'a-5', 'b-5']) {
      const kept = await countsOf(name);
      assert.equal(kept.run, 1, name);
      assert.equal(kept.records, 2, name);
      assert.ok(kept.errors > 0, name);
    }
    assert.deepEqual(await Promise.all(['run_stats_hourly', 'error_counts_hourly', 'error_groups'].map(tableCount)), rollups);
    assert.equal((await owner.agent.get(`/runs/${old.id}`)).status, 404);
    assert.equal((await owner.agent.get(`/error-groups/${group.id}`)).status, 200);
    assert.equal((await owner.agent.get('/trends')).status, 200);
    assert.equal((await owner.agent.get(`/runs/${runs.get('a-5')!.id}`)).status, 200);

    // Nothing is left to prune.
    const again = await prune(started.db.knex, { now: new Date() });
    assert.deepEqual([again.droppedPartitions.length, again.deletedRuns, again.deletedRecords], [0, 0, 0]);
  });

  test('--older-than applies one cut-off to every organisation; a late run after the prune still classifies against the state in force', async () => {
    const cut = await runCli(['prune', '--older-than', '20d'], env());
    assert.equal(cut.code, 0, cut.stderr);
    assert.deepEqual(await countsOf('a-50'), { run: 0, records: 0, errors: 0 });
    assert.equal((await countsOf('a-5')).run, 1);
    // The employee state version in force at the cut-off was kept: a late run between the cut-off and a-5 is stored.
    await ingestAt(started.orgA.token, 'a-10-late', ago(10));
    assert.equal((await countsOf('a-10-late')).records, 2);
    const versions = await started.db
      .knex('employee_state_versions')
      .where({ org_id: runs.get('a-5')!.orgId })
      .count<{ count: string }[]>('* as count');
    assert.ok(Number(versions[0]!.count) > 0);
  });
});

test('deleting an integration deletes its runs, records and errors (the delete trigger)', async () => {
  const run = runs.get('b-5')!;
  assert.ok((await countsOf('b-5')).records > 0);
  const integration = await started.db.knex('sync_runs').where({ org_id: run.orgId, id: run.id }).first('integration_id');
  await started.db.knex('integrations').where({ org_id: run.orgId, id: integration.integration_id }).del();
  assert.deepEqual(await countsOf('b-5'), { run: 0, records: 0, errors: 0 });
  assert.equal(Number((await started.db.knex('errors').where({ org_id: run.orgId }).count<{ count: string }[]>('* as count'))[0]!.count), 0);
  const response = await request(started.app).get('/api/v1/records').set('Authorization', `Bearer ${started.apiTokens.outsider}`);
  assert.equal(response.status, 200);
  assert.equal(response.body.items.length, 0);
});
