/**
 * The alert job's queries read indexes in their order, never a whole table, so a tick
 * every minute over thousands of organisations costs what is new, not the history: the
 * claim of organisations (one queue for all), the runs received since each watermark
 * (sync_runs_by_receipt), the missed-run gaps detected since (their partial index), and
 * per new run its latest runs, its previous good runs, whether it is the newest
 * (sync_runs_by_start), the groups it opened (error_groups_by_integration) and the
 * outages it ends (primary key). Checked on a fresh database whose tables have no
 * statistics yet (where a missing index shows: PostgreSQL 15 has no skip scan) and again
 * once analysed. Plan shapes, never time. Also: the watermark moves on, and an
 * organisation left with nobody to alert stops being watched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Knex } from 'knex';
import pg from 'pg';
import {
  addWatermarks,
  type AlertWatermark,
  claimWatermarks,
  groupsOpenedBy,
  isNewestRun,
  type NewRun,
  newMissedRuns,
  newRuns,
  previousRecordCounts,
  runsUpTo,
  takeOutages,
} from '../src/alerts/alerts.queries.js';
import { detectAlerts } from '../src/alerts/alerts.service.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { disableAutovacuum } from './helpers/partitions.js';

const ORGS = 3_000;
const INTEGRATIONS_PER_ORG = 3;
const RUNS = 2_000;

let db: TestDatabase;
let marks: AlertWatermark[];
let run: NewRun;

before(async () => {
  db = await createTestDatabase();
  for (const table of ['integrations', 'sync_runs', 'integration_events', 'error_groups', 'email_alert_watermarks', 'email_alert_outages']) {
    await disableAutovacuum(db.knex, table);
  }
  await db.knex.raw(`INSERT INTO organisations (slug, name) SELECT 'alerts-' || g, 'Alerts ' || g FROM generate_series(1, ?) g`, [ORGS]);
  await db.knex.raw(
    `INSERT INTO integrations (org_id, name, schedule_interval_seconds, required_fields)
     SELECT o.id, 'flow ' || g, 900, '{}' FROM organisations o, generate_series(1, ?) g`,
    [INTEGRATIONS_PER_ORG],
  );
  // 2,000 runs for each of 30 integrations (10 organisations), one every 15 minutes, received a minute after they started.
  await db.knex.raw(
    `INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, received_at, record_count, counts, error_counts, body_sha256, header)
     SELECT i.org_id, i.id, 'r-' || g, 'scheduled', CASE WHEN g % 7 = 0 THEN 'failed' ELSE 'completed' END, timestamptz '2026-10-01' + g * interval '15 min',
       timestamptz '2026-10-01' + g * interval '15 min', timestamptz '2026-10-01' + g * interval '15 min' + interval '1 min', 10, '{}', '{}', 'x', '{}'
     FROM (SELECT org_id, id FROM integrations ORDER BY org_id, id LIMIT 30) i, generate_series(1, ?) g`,
    [RUNS],
  );
  // 500 groups and 500 closed gaps for each of those integrations.
  await db.knex.raw(
    `INSERT INTO error_groups (org_id, integration_id, group_key, code, severity, run_level, first_seen_started_at, last_seen_started_at,
       first_seen_sync_run_id, last_seen_sync_run_id, occurrences, status_changed_at)
     SELECT i.org_id, i.id, 'k-' || g, 'job_title_mismatch', 'error', false, timestamptz '2026-10-01' + g * interval '1 hour',
       timestamptz '2026-10-01' + g * interval '1 hour', 1, 1, 1, timestamptz '2026-10-01' + g * interval '1 hour'
     FROM (SELECT org_id, id FROM integrations ORDER BY org_id, id LIMIT 30) i, generate_series(1, 500) g`,
  );
  await db.knex.raw(
    `INSERT INTO integration_events (org_id, integration_id, code, severity, due_at, last_due_at, missed_slots, occurred_at, resolved_at, details)
     SELECT i.org_id, i.id, 'missed_run', 'error', timestamptz '2026-10-01' + g * interval '1 hour', timestamptz '2026-10-01' + g * interval '1 hour', 1,
       timestamptz '2026-10-01' + g * interval '1 hour', timestamptz '2026-10-01' + g * interval '1 hour' + interval '30 min', '{}'
     FROM (SELECT org_id, id FROM integrations ORDER BY org_id, id LIMIT 30) i, generate_series(1, 500) g`,
  );
  // One open gap for each of those integrations.
  await db.knex.raw(
    `INSERT INTO integration_events (org_id, integration_id, code, severity, due_at, last_due_at, missed_slots, occurred_at, details)
     SELECT i.org_id, i.id, 'missed_run', 'error', timestamptz '2026-10-20 12:07', timestamptz '2026-10-20 12:07', 1, timestamptz '2026-10-20 12:20', '{}'
     FROM (SELECT org_id, id FROM integrations ORDER BY org_id, id LIMIT 30) i`,
  );
  // Every organisation watched, examined up to 20 October (a tick every minute, the last ones last).
  await db.knex.raw(
    `INSERT INTO email_alert_watermarks (org_id, runs_through, events_through, since, checked_at)
     SELECT id, timestamptz '2026-10-20', timestamptz '2026-10-20', timestamptz '2026-10-01', timestamptz '2026-10-20' - (id % 60) * interval '1 second'
     FROM organisations`,
  );
  // A person alerted to an outage of every integration.
  const someone = await db.knex('users').insert({ email: 'ops@example.com', password_hash: 'x' }).returning('id');
  await db.knex.raw(
    `INSERT INTO email_alert_outages (org_id, integration_id, user_id, started_at, delivery_id)
     SELECT org_id, id, ?, timestamptz '2026-10-20', 1 FROM integrations`,
    [Number(someone[0]!.id)],
  );
  marks = (await db.knex('email_alert_watermarks').orderBy('org_id').limit(200).select('org_id', 'runs_through', 'events_through', 'since')).map(
    (row: AlertWatermark) => ({ ...row, org_id: Number(row.org_id) }),
  );
  const row = await db
    .knex('sync_runs')
    .orderBy([{ column: 'org_id' }, { column: 'started_at', order: 'desc' }])
    .first('*', db.knex.raw('started_at::text AS started_at_exact'), db.knex.raw('received_at::text AS received_at_exact'));
  run = { ...row, org_id: Number(row.org_id), id: Number(row.id), integration_id: Number(row.integration_id) };
});
after(() => db.drop());

/** The plans of the statements `work` sends, each explained in a new session, in a transaction rolled back afterwards. */
async function plansIn(work: (trx: Knex.Transaction) => Promise<unknown>): Promise<string[]> {
  const seen: { sql: string; bindings: unknown[] }[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => {
    if (!/^(BEGIN|COMMIT|ROLLBACK)/i.test(query.sql.trim())) seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  };
  db.knex.on('query', listener);
  const rollback = new Error('rollback');
  try {
    await db.knex
      .transaction(async (trx) => {
        await work(trx);
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
  } finally {
    db.knex.removeListener('query', listener);
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const plans: string[] = [];
    for (const statement of seen) {
      let n = 0;
      const sql = statement.sql.replace(/\?/g, () => `$${++n}`);
      const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, statement.bindings);
      plans.push(result.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    return plans;
  } finally {
    await client.end();
  }
}

const noSeqScan = (plan: string, table: string) => assert.doesNotMatch(plan, new RegExp(`Seq Scan on ${table}\\b`), plan);

for (const phase of ['without statistics', 'analysed'] as const) {
  describe(`alert query plans, ${phase}`, () => {
    before(async () => {
      if (phase === 'analysed') await db.knex.raw('ANALYZE');
    });

    test('the claim reads the organisations due off their index, and locks only those', async () => {
      const [plan] = await plansIn((t) => claimWatermarks(t, new Date('2026-11-21T00:00:00Z'), 200));
      assert.match(plan!, /LockRows[\s\S]*(Index Scan using|Bitmap Index Scan on) email_alert_watermarks_due /, plan);
      noSeqScan(plan!, 'email_alert_watermarks');
    });

    test('the runs received since each watermark: one range of sync_runs_by_receipt per organisation', async () => {
      const [plan] = await plansIn((t) => newRuns(t, marks, new Date('2026-10-21T00:00:00Z')));
      assert.match(
        plan!,
        /Nested Loop[\s\S]*Function Scan on (unnest )?w[\s\S]*(Index Scan using sync_runs_by_receipt on sync_runs r|Bitmap Index Scan on sync_runs_by_receipt)/,
        plan,
      );
      assert.match(plan!, /Index Cond: \(\(org_id = w\.org_id\) AND \(received_at >= w\.runs_through\) AND \(received_at < /, plan);
      noSeqScan(plan!, 'sync_runs');
    });

    test('the missed runs detected since: each organisation’s open gaps (a partial index), not the history of gaps', async () => {
      const [plan] = await plansIn((t) => newMissedRuns(t, marks, new Date('2026-10-21T00:00:00Z'), 600_000));
      assert.match(
        plan!,
        /Nested Loop[\s\S]*(Index Scan using integration_events_open on integration_events e|Bitmap Index Scan on integration_events_open)/,
        plan,
      );
      assert.match(plan!, /Index Cond: \(\(org_id = w\.org_id\) AND \(code = 'missed_run'::text\)\)/, plan);
      noSeqScan(plan!, 'integration_events');
    });

    test("a new run's latest runs, previous good runs and newer runs are read off sync_runs_by_start in its order", async () => {
      const plans = await plansIn(async (t) => {
        await runsUpTo(t, run, 10);
        await previousRecordCounts(t, [run], 10);
        await isNewestRun(t, run);
      });
      assert.equal(plans.length, 3);
      for (const plan of plans) {
        assert.match(plan, /Index (Only )?Scan (Backward )?using sync_runs_pkey on sync_runs this_run/, plan);
        assert.match(plan, /Index (Only )?Scan (Backward )?using sync_runs_by_start on sync_runs r\b/, plan);
        assert.doesNotMatch(plan, /Sort|Seq Scan/, plan);
      }
    });

    test('the groups each run opened: its integration, at its start (error_groups_by_integration) or among its open groups', async () => {
      const [plan] = await plansIn((t) => groupsOpenedBy(t, [run]));
      // Either index reads one integration's rows: those last seen at the run's start, or its open groups (a few hundred at most).
      assert.match(
        plan!,
        /Function Scan on run[\s\S]*Index Scan (Backward )?using (error_groups_by_integration|error_groups_open_by_code) on error_groups g\b[^\n]*\n\s+Index Cond: \(\(org_id = run\.org_id\) AND \(integration_id = run\.integration_id\)/,
        plan,
      );
      noSeqScan(plan!, 'error_groups');
    });

    test('the outages a good run ends: the primary key of email_alert_outages', async () => {
      const [plan] = await plansIn((t) => takeOutages(t, run));
      assert.match(plan!, /email_alert_outages_pkey/, plan);
      noSeqScan(plan!, 'email_alert_outages');
    });
  });
}

describe('watermarks', () => {
  test('a tick over 3,000 watched organisations with nothing new reads no history (timed, not asserted)', async (t) => {
    await db.knex.raw(`INSERT INTO users (email, password_hash) SELECT 'ops' || id || '@example.com', 'x' FROM organisations`);
    await db.knex.raw(
      `INSERT INTO memberships (org_id, user_id, role) SELECT o.id, u.id, 'ops' FROM organisations o JOIN users u ON u.email = 'ops' || o.id || '@example.com'`,
    );
    await db.knex.raw(`INSERT INTO email_preferences (org_id, user_id, frequency) SELECT org_id, user_id, 'off' FROM memberships`);
    await db.knex('email_alert_watermarks').delete();
    await db.knex.raw('ANALYZE');
    // Watched from the first tick on; then a minute later, one tick over all of them.
    assert.equal(await detectAlerts(db.knex, new Date('2026-11-21T00:00:00Z'), { batchSize: 500 }), ORGS);
    const started = performance.now();
    assert.equal(await detectAlerts(db.knex, new Date('2026-11-21T00:01:00Z'), { batchSize: 500 }), ORGS);
    t.diagnostic(`one tick over ${ORGS} organisations: ${Math.round(performance.now() - started)} ms`);
    assert.equal(Number((await db.knex('email_deliveries').count<{ count: string }[]>('* AS count'))[0]!.count), 0, 'nothing from history');
    await db.knex('email_preferences').delete();
  });

  test('a pass examines every watched organisation once per tick and moves its watermarks on; nobody left to alert, no watermark', async () => {
    const now = new Date('2026-11-21T00:02:00Z');
    assert.equal(await detectAlerts(db.knex, now, { batchSize: 500 }), ORGS);
    // Nobody subscribes to any of these organisations: they stop being watched.
    assert.equal(Number((await db.knex('email_alert_watermarks').count<{ count: string }[]>('* AS count'))[0]!.count), 0);
    assert.equal(await addWatermarks(db.knex, new Date(), now), 0);
  });
});
