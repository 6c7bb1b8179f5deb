/**
 * The overview's two queries read each integration's figures through an index
 * (the newest run, the rollups' hours, the open missed_run gap, the open
 * groups by code, the blocked employees) and never scan a whole table, on a
 * fresh database whose tables have no statistics yet (where a missing index
 * shows: PostgreSQL 15 has no skip scan) and again once analysed. Nor do
 * they ever name feed_records or errors. The assertions are on plan shapes,
 * never on time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hourlyErrors, overviewIntegrations } from '../src/overview/overview.queries.js';
import { planOfOneQuery } from './helpers/plans.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration } from './helpers/fixtures.js';
import { disableAutovacuum } from './helpers/partitions.js';

const INTEGRATIONS = 12;
const RUNS_PER_INTEGRATION = 3_000;
const HOURS = 24 * 90;
const GROUPS_PER_INTEGRATION = 2_000;
const EMPLOYEES_PER_INTEGRATION = 2_000;
const NOW = new Date('2026-11-29T12:00:00Z');

let db: TestDatabase;
let orgId: number;
let otherOrgId: number;

const TABLES = ['sync_runs', 'run_stats_hourly', 'error_counts_hourly', 'integration_events', 'error_groups', 'employee_summaries'];

before(async () => {
  db = await createTestDatabase();
  // "Without statistics" must mean it: autovacuum could otherwise analyse a table halfway through the inserts.
  for (const table of TABLES) await disableAutovacuum(db.knex, table);
  const a = await createOrgWithIntegration(db.knex, { slug: 'plans-a' });
  const b = await createOrgWithIntegration(db.knex, { slug: 'plans-b' });
  orgId = a.organisation.id;
  otherOrgId = b.organisation.id;
  await db.knex.raw(
    `INSERT INTO integrations (org_id, name, schedule_interval_seconds, required_fields)
     SELECT org.id, 'more ' || n, 900, '{}' FROM organisations org CROSS JOIN generate_series(2, ?) AS n`,
    [INTEGRATIONS],
  );
  const everyIntegration = 'FROM integrations i';
  await db.knex.raw(
    `INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, record_count, counts, error_counts, body_sha256, header)
     SELECT i.org_id, i.id, 'run-' || n, 'scheduled', (ARRAY['completed', 'completed_with_errors', 'failed'])[1 + n % 3],
       timestamptz '2026-11-29T12:00:00Z' - n * interval '15 minutes', timestamptz '2026-11-29T12:00:00Z' - n * interval '15 minutes',
       10, '{"succeeded": 8, "failed": 2}', '{}', md5(n::text), '{}'
     ${everyIntegration} CROSS JOIN generate_series(1, ?) AS n`,
    [RUNS_PER_INTEGRATION],
  );
  await db.knex.raw(
    `INSERT INTO run_stats_hourly (org_id, integration_id, hour, runs, failed_runs, runs_with_errors, records, records_succeeded,
       records_failed, records_warning, min_records, max_records, duration_ms, max_duration_ms)
     SELECT i.org_id, i.id, timestamptz '2026-11-29T12:00:00Z' - n * interval '1 hour', 4, n % 2, 1, 40, 38, 2, 0, 10, 10, 4000, 1000
     ${everyIntegration} CROSS JOIN generate_series(0, ?) AS n`,
    [HOURS],
  );
  await db.knex.raw(
    `INSERT INTO error_counts_hourly (org_id, integration_id, hour, code, errors)
     SELECT i.org_id, i.id, timestamptz '2026-11-29T12:00:00Z' - n * interval '1 hour', c.code, 1 + n % 5
     ${everyIntegration} CROSS JOIN generate_series(0, ?) AS n
     CROSS JOIN unnest(ARRAY['job_title_mismatch', 'department_mismatch', 'unclassified']) AS c (code)`,
    [HOURS],
  );
  await db.knex.raw(
    `INSERT INTO error_groups (org_id, integration_id, group_key, code, field, value, severity, run_level,
       first_seen_started_at, last_seen_started_at, first_seen_sync_run_id, last_seen_sync_run_id, occurrences, status)
     SELECT i.org_id, i.id, 'key-' || n, (ARRAY['job_title_mismatch', 'department_mismatch', 'branch_mismatch', 'unclassified'])[1 + n % 4],
       'job_title', 'value ' || n, 'error', false, timestamptz '2026-11-01', timestamptz '2026-11-01', 1, 1, 1,
       (ARRAY['open', 'resolved', 'ignored', 'regressed', 'resolved', 'resolved'])[1 + n % 6]
     ${everyIntegration} CROSS JOIN generate_series(1, ?) AS n`,
    [GROUPS_PER_INTEGRATION],
  );
  await db.knex.raw(
    `INSERT INTO employee_summaries (org_id, integration_id, external_id, last_started_at, last_sync_run_id, last_index, last_action, last_outcome,
       first_seen_started_at, first_seen_sync_run_id, applied_started_at, applied_sync_run_id, applied_index, active, search_key, sort_key)
     SELECT i.org_id, i.id, 'emp-' || n, timestamptz '2026-11-29', 1, n, 'update', CASE WHEN n % 10 = 0 THEN 'failed' ELSE 'succeeded' END,
       timestamptz '2026-11-01', 1, timestamptz '2026-11-01', 1, n, true, 'emp ' || n, 'emp ' || n
     ${everyIntegration} CROSS JOIN generate_series(1, ?) AS n`,
    [EMPLOYEES_PER_INTEGRATION],
  );
  await db.knex.raw(
    `INSERT INTO integration_events (org_id, integration_id, code, severity, due_at, last_due_at, missed_slots, occurred_at, resolved_at)
     SELECT i.org_id, i.id, 'missed_run', 'error', timestamptz '2026-11-29T12:00:00Z' - n * interval '1 day',
       timestamptz '2026-11-29T12:00:00Z' - n * interval '1 day', 1, timestamptz '2026-11-29T12:00:00Z' - n * interval '1 day',
       CASE WHEN n > 1 THEN timestamptz '2026-11-29T12:00:00Z' - n * interval '1 day' + interval '1 hour' END
     ${everyIntegration} CROSS JOIN generate_series(1, 200) AS n`,
  );
});
after(() => db.drop());

/** The plan PostgreSQL would use for the one query of `run`, in a new session, as text; the query never reads raw records. */
async function planOf(run: () => Promise<unknown>): Promise<string> {
  const { statement, plan } = await planOfOneQuery(db, run);
  assert.doesNotMatch(statement.sql, /\b(FROM|JOIN)\s+(feed_records|errors)\b/i, 'never the raw records or errors');
  return plan;
}

const since24h = new Date(NOW.getTime() - 23 * 3_600_000);
const since7d = new Date(NOW.getTime() - 7 * 24 * 3_600_000);

for (const phase of ['without statistics', 'analysed'] as const) {
  describe(`overview query plans, ${phase}`, () => {
    before(async () => {
      if (phase === 'analysed') await db.knex.raw('ANALYZE');
    });

    test("each integration's newest run, normal failed share, open gap, runs of 24 h, open groups by code and blocked employees come off an index each", async () => {
      for (const orgIds of [[orgId], [orgId, otherOrgId]]) {
        const plan = await planOf(() => overviewIntegrations(db.knex, orgIds, since24h));
        for (const index of ['sync_runs_by_start', 'run_stats_hourly_pkey', 'integration_events_open', 'error_groups_open_by_code']) {
          assert.match(plan, new RegExp(`Index (Only )?Scan (Backward )?(using|on) ${index} `), `${index}\n${plan}`);
        }
        // Without statistics PostgreSQL 15 and 18 guess one row for any (org_id, integration_id) and, on that
        // tie, keep the primary key (created last, see its migration), checking the state of the integration's
        // rows; the ingest analyses employee_summaries as it grows (analyzeIfOutgrown), and then the state index wins
        // (an index scan, or a bitmap scan of the same range when ANALYZE's sample expects a hundred blocked).
        const blocked = phase === 'analysed' ? 'employee_summaries_by_state' : 'employee_summaries_(by_state|pkey)';
        assert.match(
          plan,
          new RegExp(
            `(Index (Only )?Scan using ${blocked} on employee_summaries es|Bitmap Index Scan on ${blocked})[^\\n]*\\n\\s+Index Cond: \\(\\(org_id = i\\.org_id\\) AND \\(integration_id = i\\.id\\)`,
          ),
          plan,
        );
        assert.doesNotMatch(plan, new RegExp(`Seq Scan on (${TABLES.join('|')})\\b`), plan);
        // The newest run is read in index order, one row: no sort of an integration's runs.
        assert.match(plan, /Limit[^\n]*\n\s+->\s+Index Scan using sync_runs_by_start /, plan);
      }
    });

    test("the sparklines read 7 days of each integration's hours off the rollup's primary key", async () => {
      for (const orgIds of [[orgId], [orgId, otherOrgId]]) {
        const plan = await planOf(() => hourlyErrors(db.knex, orgIds, since7d));
        // An index scan, or (analysed, expecting a few hundred hours each) a bitmap scan of the same key range.
        assert.match(plan, /(Index (Only )?Scan using|Bitmap Index Scan on) error_counts_hourly_pkey /, plan);
        assert.match(plan, /Index Cond: \(\(org_id = i\.org_id\) AND \(integration_id = i\.id\) AND \(hour >= /, plan);
        assert.doesNotMatch(plan, /Seq Scan on error_counts_hourly/, plan);
      }
    });

    test('the answers are right on this data', async () => {
      const rows = await overviewIntegrations(db.knex, [orgId], since24h);
      assert.equal(rows.length, INTEGRATIONS);
      for (const row of rows) {
        assert.equal(row.runs_24h, 24 * 4);
        assert.equal(row.blocked, EMPLOYEES_PER_INTEGRATION / 10);
        // Open (n % 6 = 0) and regressed (n % 6 = 3) groups: a third of them, each code's share.
        const open = Array.from({ length: GROUPS_PER_INTEGRATION }, (_, i) => (i + 1) % 6).filter((r) => r === 0 || r === 3).length;
        assert.equal(
          Object.values(row.open_groups).reduce((sum, n) => sum + n, 0),
          open,
        );
        assert.deepEqual(row.missed_due_at, new Date('2026-11-28T12:00:00Z'), 'the one gap still open');
        assert.equal(row.normal_failed_share, 0.05);
      }
      const hours = await hourlyErrors(db.knex, [orgId], since7d);
      assert.equal(hours.length, INTEGRATIONS * (7 * 24 + 1));
    });
  });
}
