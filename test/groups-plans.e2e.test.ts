/**
 * The error groups lists, a group's members, occurrences and history, and
 * catalog drift read an index in the list's order (or, for drift, by code),
 * on a fresh database whose tables have no statistics yet (where a missing
 * index shows: PostgreSQL 15 has no skip scan) and again once analysed. The
 * assertions are on plan shapes, never on time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditTrailOf } from '../src/audit/audit.queries.js';
import { listDrift } from '../src/drift/drift.queries.js';
import { listGroupMembers, listGroupOccurrences } from '../src/groups/group-detail.queries.js';
import { listErrorGroups } from '../src/groups/groups.queries.js';
import { planOfOneQuery } from './helpers/plans.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration } from './helpers/fixtures.js';
import { disableAutovacuum, ensurePartitionsOfRuns } from './helpers/partitions.js';

const GROUPS = 20_000;
const MEMBERS_OF_BIG_GROUP = 5_000;
const ERRORS_OF_BIG_GROUP = 20_000;

let db: TestDatabase;
let orgId: number;
let otherOrgId: number;
let integrationId: number;
let bigGroup: number;

before(async () => {
  db = await createTestDatabase();
  // "Without statistics" must mean it: autovacuum could otherwise analyse a table halfway through
  // the inserts below (a CI run saw members analysed before the big group's 5,000 were added, so
  // PostgreSQL expected 2 rows and sorted them). The second phase analyses explicitly.
  for (const table of ['sync_runs', 'error_groups', 'error_group_members', 'errors', 'feed_records', 'employee_states', 'audit_events']) {
    await disableAutovacuum(db.knex, table);
  }
  const a = await createOrgWithIntegration(db.knex, { slug: 'plans-a' });
  const b = await createOrgWithIntegration(db.knex, { slug: 'plans-b' });
  orgId = a.organisation.id;
  otherOrgId = b.organisation.id;
  integrationId = a.integration.id;
  const codes = ['job_title_mismatch', 'department_mismatch', 'branch_mismatch', 'unclassified', 'missing_required_field', 'recreated_after_delete'];
  const pairs: [number, number][] = [
    [orgId, integrationId],
    [otherOrgId, b.integration.id],
  ];
  for (const [org, integration] of pairs) {
    await db.knex.raw(
      `INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, record_count, counts, error_counts, body_sha256, header)
       SELECT ?, ?, 'run-' || n, 'scheduled', 'completed_with_errors', timestamptz '2026-11-01' + n * interval '15 minutes',
         timestamptz '2026-11-01' + n * interval '15 minutes', 10, '{}', '{}', md5(n::text), '{}'
       FROM generate_series(1, 100) AS n`,
      [org, integration],
    );
    await db.knex.raw(
      `INSERT INTO error_groups (org_id, integration_id, group_key, code, field, value, severity, run_level,
         first_seen_started_at, last_seen_started_at, first_seen_sync_run_id, last_seen_sync_run_id, occurrences, status)
       SELECT ?, ?, 'key-' || n, (?::text[])[1 + n % 6], 'job_title', 'value ' || n, 'error', false,
         timestamptz '2026-11-01' + (n % 1000) * interval '1 minute', timestamptz '2026-11-01' + (n % 1000) * interval '1 minute', 1, 1, 1,
         (ARRAY['open', 'resolved', 'ignored', 'regressed'])[1 + n % 4]
       FROM generate_series(1, ?) AS n`,
      [org, integration, codes, GROUPS],
    );
  }
  bigGroup = Number((await db.knex('error_groups').where({ org_id: orgId, group_key: 'key-6' }).first('id')).id);
  await db.knex.raw(
    `INSERT INTO error_group_members (org_id, group_id, external_id, integration_id, open, last_seen_started_at)
     SELECT ?, g.id, 'emp-' || n, ?, n % 3 > 0, timestamptz '2026-11-01' + n * interval '1 second'
     FROM error_groups g CROSS JOIN generate_series(1, 3) AS n WHERE g.org_id = ?`,
    [orgId, integrationId, orgId],
  );
  await db.knex.raw(
    `INSERT INTO error_group_members (org_id, group_id, external_id, integration_id, open, last_seen_started_at)
     SELECT ?, ?, 'big-' || n, ?, n % 2 = 0, timestamptz '2026-11-01' + n * interval '1 second' FROM generate_series(1, ?) AS n`,
    [orgId, bigGroup, integrationId, MEMBERS_OF_BIG_GROUP],
  );
  const runId = Number((await db.knex('sync_runs').where({ org_id: orgId }).first('id')).id);
  await ensurePartitionsOfRuns(db.knex);
  await db.knex.raw(
    `INSERT INTO errors (org_id, started_at, sync_run_id, record_index, integration_id, code, severity, field, value, group_id)
     SELECT ?, (SELECT started_at FROM sync_runs WHERE id = ?), ?, n, ?, 'job_title_mismatch', 'error', 'job_title', 'v', CASE WHEN n <= ? THEN ? ELSE n END FROM generate_series(1, ?) AS n`,
    [orgId, runId, runId, integrationId, ERRORS_OF_BIG_GROUP, bigGroup, ERRORS_OF_BIG_GROUP * 3],
  );
  // Every member's latest record, and a state for some: a group's page looks their names up.
  await db.knex.raw(
    `INSERT INTO feed_records (org_id, sync_run_id, index, integration_id, started_at, external_id, action, outcome, first_name, raw)
     SELECT ?, r.id, n, ?, r.started_at, CASE WHEN n % 2 = 0 THEN 'big-' ELSE 'emp-' END || n, 'create', 'failed', 'Name ' || n, '{}'
     FROM (SELECT id, started_at FROM sync_runs WHERE org_id = ? ORDER BY id LIMIT 3) AS r CROSS JOIN generate_series(1, ?) AS n`,
    [orgId, integrationId, orgId, MEMBERS_OF_BIG_GROUP * 2],
  );
  await db.knex.raw(
    `INSERT INTO employee_states (org_id, integration_id, external_id, active, first_name, state_started_at, sync_run_id)
     SELECT ?, ?, 'big-' || n, true, 'State ' || n, timestamptz '2026-11-01', 1 FROM generate_series(1, ?) AS n`,
    [orgId, integrationId, MEMBERS_OF_BIG_GROUP],
  );
  await db.knex.raw(
    `INSERT INTO audit_events (org_id, actor, action, target_type, target_id, details)
     SELECT ?, 'someone', 'error_group.status_changed', 'error_group', (n % 5000)::text, '{"from":"open","to":"ignored"}' FROM generate_series(1, 20000) AS n`,
    [orgId],
  );
});
after(() => db.drop());

/** The plan PostgreSQL would use for the one query of `run`, in a new session, as text. */
const planOf = async (run: () => Promise<unknown>) => (await planOfOneQuery(db, run)).plan;

/** The plan reads `index` and never sorts (the index gives the order) nor scans the table whole. */
function readsInOrder(plan: string, index: string) {
  assert.match(plan, new RegExp(`Index (Only )?Scan (Backward )?using ${index}(_y\\d{4}m\\d\\d)? `), plan);
  assert.doesNotMatch(plan, /Sort/, plan);
  assert.doesNotMatch(plan, /Seq Scan/, plan);
}

const cursor: [string, number] = ['2026-11-01T08:00:00.000Z', 5000];

for (const phase of ['without statistics', 'analysed'] as const) {
  describe(`query plans, ${phase}`, () => {
    before(async () => {
      if (phase === 'analysed') await db.knex.raw('ANALYZE');
    });

    test('the groups list reads, for each filter, an index in its order', async () => {
      // The planner picks the index of the filter, or the unfiltered one when the filter keeps many rows: in order either way.
      const cases: [Parameters<typeof listErrorGroups>[2], string][] = [
        [{}, 'error_groups_by_last_seen'],
        [{ status: 'open' }, 'error_groups_by_(status|last_seen)'],
        [{ status: 'regressed', integration: integrationId }, 'error_groups_by_(status|integration|last_seen)'],
        [{ integration: integrationId }, 'error_groups_by_(integration|last_seen)'],
        [{ code: 'job_title_mismatch' }, 'error_groups_by_(code|last_seen)'],
      ];
      for (const [filters, index] of cases) {
        readsInOrder(await planOf(() => listErrorGroups(db.knex, [orgId], filters, 50)), index);
        const next = await planOf(() => listErrorGroups(db.knex, [orgId], filters, 50, cursor));
        // Without statistics PostgreSQL guesses that the cursor leaves a few dozen rows and may sort
        // them off the same index; the ingest analyses error_groups as it grows (analyzeIfOutgrown).
        if (phase === 'analysed') readsInOrder(next, index);
        else assert.match(next, new RegExp(`Index (Only )?Scan (Backward )?(using|on) ${index}(_y\\d{4}m\\d\\d)? `), next);
        assert.doesNotMatch(next, /Seq Scan/, next);
      }
      // q cannot use an index (a match anywhere in the text): the organisation's groups are read by index and
      // checked, in order, or, when PostgreSQL expects few matches, all matches are sorted.
      for (const after of [undefined, cursor]) {
        const plan = await planOf(() => listErrorGroups(db.knex, [orgId], { q: 'value 1' }, 50, after));
        assert.match(plan, /Index Scan (using|on) error_groups_/, plan);
        assert.doesNotMatch(plan, /Seq Scan/, plan);
      }
      // Two filters: one index in order, the other filter checked on its rows.
      const both = await planOf(() => listErrorGroups(db.knex, [orgId], { status: 'open', code: 'unclassified', integration: integrationId }, 50));
      assert.match(both, /Index Scan using error_groups_by_(status|code|integration|last_seen) /, both);
      assert.doesNotMatch(both, /Sort|Seq Scan/, both);
    });

    test("several organisations' groups are read each in index order, a page at most of each, and only those merged", async () => {
      const plan = await planOf(() => listErrorGroups(db.knex, [orgId, otherOrgId], { status: 'open' }, 50, cursor));
      assert.match(plan, /Function Scan on unnest/, plan);
      assert.match(plan, /->\s+Limit[\s\S]*Index Scan using error_groups_by_(status|last_seen) /, plan);
      // The one sort is of the merged pages, above the nested loop.
      assert.equal(plan.match(/Sort/g)?.length ?? 0, 2, plan); // "Sort" and its "Sort Key"
      assert.match(plan, /Sort[\s\S]*Nested Loop/, plan);
      assert.doesNotMatch(plan, /Seq Scan/, plan);
    });

    test("a group's employees and occurrences read a page off an index in their order, then look up that page's rows; its history reads the audit log by target", async () => {
      const pages = [
        await planOf(() => listGroupMembers(db.knex, orgId, bigGroup, 50)),
        await planOf(() => listGroupMembers(db.knex, orgId, bigGroup, 50, [true, '2026-11-01T00:10:00.000Z', 'ffffffffffffffffffffffffffffffff'])),
        await planOf(() => listGroupOccurrences(db.knex, orgId, bigGroup, 50)),
        await planOf(() => listGroupOccurrences(db.knex, orgId, bigGroup, 50, [10_000])),
      ];
      for (const [i, plan] of pages.entries()) {
        const index = i < 2 ? 'error_group_members_by_group' : 'errors_by_group';
        // The page's rows come straight off the index (a Limit right above it, no Sort below it);
        // what sorts, if anything, is that page of at most 51 rows after the lookups.
        // Partitioned errors: a Merge Append of each month's index, in order.
        assert.match(
          plan,
          new RegExp(
            `Limit[^\\n]*\\n\\s+->  (Merge Append[^\\n]*\\n\\s+Sort Key[^\\n]*\\n\\s+->  )?Index (Only )?Scan (Backward )?using ${index}(_y\\d{4}m\\d\\d)? `,
          ),
          plan,
        );
        assert.doesNotMatch(plan, /Seq Scan on (errors|error_group_members|feed_records)/, plan);
      }
      assert.match(pages[0]!, /feed_records_by_employee/, pages[0]);
      assert.match(pages[2]!, /feed_records_pkey/, pages[2]);
      const history = await planOf(() => auditTrailOf(db.knex, orgId, 'error_group', 42, 100));
      assert.match(history, /Index Scan using audit_events_by_target /, history);
      assert.doesNotMatch(history, /Sort|Seq Scan/, history);
    });

    test('drift reads only the open groups of the catalog codes, and counts open members through the members index', async () => {
      for (const filters of [{}, { integration: integrationId }, { integration: integrationId, field: 'branch' as const }]) {
        const plan = await planOf(() => listDrift(db.knex, [orgId], filters, 50));
        // Its own partial index, or the overview's open groups by (integration, code) when an integration is chosen.
        assert.match(plan, /Index Scan (using|on) error_groups_(drift|open_by_code) /, plan);
        assert.match(plan, /Index (Only )?Scan using error_group_members_\w+ /, plan);
        assert.doesNotMatch(plan, /Seq Scan/, plan);
      }
    });
  });
}
