/**
 * The summary email's queries read index ranges as short as their period: for an hour's
 * summary they never scan an organisation's rollups, groups or employees. Checked on
 * fresh tables (no statistics, as on a new install; PostgreSQL 15 has no skip scan),
 * with many organisations around the one read. Assertions are on plan shapes, never on time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { blockedSql, groupCountsSql, largestSql, missedSql, runsSql, summaryData } from '../src/summaries/summary.queries.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { disableAutovacuum } from './helpers/partitions.js';
import { explain } from './helpers/plans.js';
import { seedSummaryOrganisations } from './helpers/summary-seed.js';

let db: TestDatabase;
let orgId: number;
let ids: number[];
const until = new Date('2026-11-30T08:00:00Z');
const period = { start: new Date(until.getTime() - 3_600_000), end: until };
const previousStart = new Date(until.getTime() - 2 * 3_600_000);

// The tables the summary reads, beside the organisation's integrations.
const TABLES = ['run_stats_hourly', 'error_counts_hourly', 'integration_events', 'error_groups', 'error_group_members', 'employee_summaries'];

before(async () => {
  db = await createTestDatabase();
  // "Without statistics" must mean it: autovacuum analysed error_groups once halfway through a busy suite on 15,
  // and with its 1-row estimate the largest groups were rightly sorted instead of read in order.
  for (const table of TABLES) await disableAutovacuum(db.knex, table);
  const { orgIds } = await seedSummaryOrganisations(db.knex, { organisations: 60, seed: 7, until, hours: 96 });
  orgId = orgIds[17]!;
  ids = (await db.knex('integrations').where('org_id', orgId).orderBy('id').pluck('id')).map(Number);
});
after(() => db.drop());

async function planOf(sql: string, bindings: Record<string, unknown>): Promise<string> {
  const native = db.knex.raw(sql, bindings).toSQL().toNative();
  return explain(db.url, { sql: native.sql, bindings: [...native.bindings] });
}

const noScan = (plan: string) => {
  assert.doesNotMatch(plan, /Seq Scan/, plan);
  assert.doesNotMatch(plan, /Bitmap Heap Scan/, plan);
};

describe('the summary queries read their index ranges', () => {
  test('runs: the hourly rollup by organisation, integration and hour', async () => {
    const plan = await planOf(runsSql, { orgId, ids, from: previousStart, start: period.start, end: period.end });
    noScan(plan);
    assert.match(plan, /Nested Loop[\s\S]*Function Scan on unnest[\s\S]*Index (Only )?Scan using run_stats_hourly_pkey on run_stats_hourly/, plan);
    assert.match(plan, /Index Cond: \(\(org_id = \S+\) AND \(integration_id = i\.id\) AND \(hour >= .*\) AND \(hour < .*\)\)/, plan);
  });

  test('missed runs: the gaps by organisation, integration, code and due time', async () => {
    const plan = await planOf(missedSql, { orgId, ids, start: period.start, end: period.end });
    noScan(plan);
    assert.match(
      plan,
      /Nested Loop[\s\S]*Function Scan on unnest[\s\S]*Index Scan using integration_events_(once|by_integration_due) on integration_events/,
      plan,
    );
    assert.match(plan, /Index Cond: \(\(org_id = \S+\) AND \(integration_id = i\.id\) AND .*due_at >= .*due_at < /, plan);
  });

  test('group counts: each over the index of its own time column', async () => {
    const plan = await planOf(groupCountsSql, { orgId, ids, severities: ['error'], start: period.start, end: period.end, from: previousStart });
    noScan(plan);
    for (const index of ['error_groups_by_first_seen', 'error_groups_regressed_by_time', 'error_groups_resolved_by_time']) {
      assert.match(plan, new RegExp(`Index Scan using ${index} on error_groups`), plan);
    }
    assert.equal(plan.match(/Index Cond: \(\(org_id = \S+\) AND \((first_seen_started_at|status_changed_at|resolved_started_at) >= /g)?.length, 5, plan);
  });

  test('largest open groups: read in order of occurrences, no sort, members counted per group', async () => {
    const plan = await planOf(largestSql, { orgId, ids, severities: ['error', 'info'], limit: 20 });
    noScan(plan);
    assert.match(plan, /Limit[\s\S]*Index Scan using error_groups_open_by_occurrences on error_groups g/, plan);
    assert.doesNotMatch(plan, /Sort/, plan);
    assert.match(plan, /using error_group_members_(by_group|pkey) on error_group_members m/, plan);
  });

  test('employees blocked longest: each integration’s first few in order of failing_since', async () => {
    const plan = await planOf(blockedSql, { orgId, ids, limit: 5 });
    noScan(plan);
    assert.match(
      plan,
      /Nested Loop[\s\S]*Function Scan on unnest[\s\S]*Limit[\s\S]*Index Scan using employee_summaries_blocked_since on employee_summaries/,
      plan,
    );
    // Only the outer sort, of at most five rows an integration; none inside the loop.
    const sorts = plan.split('\n').filter((line) => /^\s*(->\s+)?(Incremental )?Sort {2}|^\s*(->\s+)?(Incremental )?Sort \(/.test(line));
    assert.ok(sorts.length <= 1, plan);
    assert.doesNotMatch(plan.slice(plan.indexOf('Function Scan')), /Sort/, plan);
  });

  test('the figures: severities and integrations narrow every count and list', async () => {
    const all = await summaryData(db.knex, orgId, { integrationIds: null, minSeverity: 'info' }, { start: new Date(until.getTime() - 86_400_000), end: until });
    const errors = await summaryData(
      db.knex,
      orgId,
      { integrationIds: null, minSeverity: 'error' },
      { start: new Date(until.getTime() - 86_400_000), end: until },
    );
    const one = await summaryData(
      db.knex,
      orgId,
      { integrationIds: [ids[0]!], minSeverity: 'info' },
      { start: new Date(until.getTime() - 86_400_000), end: until },
    );
    const since = new Date(until.getTime() - 86_400_000);
    const count = (where: Record<string, unknown>) =>
      db
        .knex('error_groups')
        .where({ org_id: orgId, ...where })
        .where('first_seen_started_at', '>=', since)
        .where('first_seen_started_at', '<', until)
        .count<{ count: string }[]>('* AS count')
        .then((rows) => Number(rows[0]!.count));
    assert.equal(all.groups.new, await count({}));
    assert.equal(errors.groups.new, await count({ severity: 'error' }));
    assert.equal(one.groups.new, await count({ integration_id: ids[0] }));
    assert.ok(all.groups.new > errors.groups.new, 'the seed has info groups that min_severity error leaves out');
    assert.deepEqual(
      one.integrations.map((integration) => integration.id),
      [ids[0]],
    );
    assert.ok(errors.largestGroups.every((group) => group.severity === 'error'));
    assert.ok(one.largestGroups.every((group) => group.integrationId === ids[0]));
    assert.ok(one.blockedLongest.every((employee) => employee.integrationId === ids[0]));
    assert.equal(
      all.integrations.reduce((sum, integration) => sum + integration.runs, 0),
      24 * ids.length,
      'one run an hour per integration',
    );
    const expectedRuns = await db
      .knex('run_stats_hourly')
      .where({ org_id: orgId, integration_id: ids[0] })
      .where('hour', '>=', since)
      .where('hour', '<', until)
      .sum<{ sum: string }[]>('failed_runs AS sum');
    assert.equal(one.integrations[0]!.failedRuns, Number(expectedRuns[0]!.sum));
    // Another organisation's integration in the person's list (a stale or forged id) shows nothing of it.
    const theirs = Number((await db.knex('integrations').whereNot('org_id', orgId).orderBy('id').first('id')).id);
    const forged = await summaryData(db.knex, orgId, { integrationIds: [theirs], minSeverity: 'info' }, { start: since, end: until });
    assert.deepEqual(forged.integrations, []);
    assert.deepEqual([forged.groups.new, forged.groups.resolved, forged.largestGroups.length, forged.blockedLongest.length], [0, 0, 0, 0]);
    const sorted = [...all.blockedLongest].map((employee) => employee.failingSince.getTime());
    assert.deepEqual(
      sorted,
      [...sorted].sort((a, b) => a - b),
      'blocked longest first',
    );
  });
});
