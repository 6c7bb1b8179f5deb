/**
 * The trends reads (the hourly rollups, the missed-run gaps, each
 * integration's first run) go through the rollups' primary keys and
 * integration_events' indexes, bounded by the range's hours, for one integration
 * and for a whole organisation, on a fresh database whose tables have no
 * statistics yet (where a missing index shows: PostgreSQL 15 has no skip
 * scan) and again once analysed. The assertions are on plan shapes, never on
 * time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { planBuckets } from '../src/trends/buckets.js';
import { firstRunHours, readErrorCounts, readRunStats, type RollupScope } from '../src/trends/rollups.queries.js';
import { listMissedRunGaps } from '../src/trends/trends.queries.js';
import { planOfOneQuery } from './helpers/plans.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration } from './helpers/fixtures.js';
import { disableAutovacuum } from './helpers/partitions.js';

/** Integrations per organisation, each with a year of hourly rows (and three codes an hour). */
const INTEGRATIONS = 12;
const HOURS = 365 * 24;

let db: TestDatabase;
let orgId: number;
let integrationIds: number[];
const now = new Date('2026-11-29T12:00:00Z');

before(async () => {
  db = await createTestDatabase();
  for (const table of ['run_stats_hourly', 'error_counts_hourly', 'integration_events', 'integrations']) {
    await disableAutovacuum(db.knex, table);
  }
  const a = await createOrgWithIntegration(db.knex, { slug: 'trends-a' });
  const b = await createOrgWithIntegration(db.knex, { slug: 'trends-b' });
  orgId = a.organisation.id;
  integrationIds = [a.integration.id];
  for (let i = 1; i < INTEGRATIONS; i += 1) {
    integrationIds.push((await createIntegration(db.knex, { orgSlug: 'trends-a', name: `flow ${i}`, schedule: '15m' })).integration.id);
  }
  const otherIds = [b.integration.id];
  for (let i = 1; i < INTEGRATIONS; i += 1) {
    otherIds.push((await createIntegration(db.knex, { orgSlug: 'trends-b', name: `flow ${i}`, schedule: '15m' })).integration.id);
  }
  for (const [org, ids] of [
    [orgId, integrationIds],
    [b.organisation.id, otherIds],
  ] as const) {
    await db.knex.raw(
      `INSERT INTO run_stats_hourly
       SELECT ?, i, timestamptz '2026-11-29 12:00Z' - h * interval '1 hour', 4, 0, 1, 400, 390, 5, 5, 90, 110, 40000, 12000
       FROM unnest(?::bigint[]) AS i CROSS JOIN generate_series(1, ?) AS h`,
      [org, ids, HOURS],
    );
    await db.knex.raw(
      `INSERT INTO error_counts_hourly
       SELECT ?, i, timestamptz '2026-11-29 12:00Z' - h * interval '1 hour', c, 3
       FROM unnest(?::bigint[]) AS i CROSS JOIN generate_series(1, ?) AS h CROSS JOIN unnest(ARRAY['job_title_mismatch', 'unclassified', 'run_failed']) AS c`,
      [org, ids, HOURS],
    );
    await db.knex.raw(
      `INSERT INTO integration_events (org_id, integration_id, code, severity, due_at, last_due_at, missed_slots, occurred_at, resolved_at)
       SELECT ?, i, 'missed_run', 'error', timestamptz '2026-11-29 12:00Z' - h * interval '6 hours',
         timestamptz '2026-11-29 12:00Z' - h * interval '6 hours' + interval '30 minutes', 3, now(), timestamptz '2026-11-29 12:00Z' - h * interval '6 hours' + interval '1 hour'
       FROM unnest(?::bigint[]) AS i CROSS JOIN generate_series(1, 1400) AS h`,
      [org, ids],
    );
  }
});
after(() => db.drop());

/** The plan PostgreSQL would use for the one query of `run`, in a new session, as text. */
const planOf = async (run: () => Promise<unknown>) => (await planOfOneQuery(db, run)).plan;

/** The plan reads `index` with the range's hours in its condition (not a filter over the whole history), and scans no table whole. */
function readsRangeThrough(plan: string, index: string, bound = 'hour >=') {
  assert.match(plan, new RegExp(`(Index (Only )?Scan|Bitmap Index Scan) (Backward )?(using|on) ${index}\\b`), plan);
  const condition = /Index Cond: (.*)/.exec(plan)?.[1] ?? '';
  assert.ok(condition.includes(bound), `the index condition bounds ${bound}: ${plan}`);
  assert.doesNotMatch(plan, /Seq Scan/, plan);
}

const scopeOf = (ids: number[], range: '24h' | '7d' | '30d'): RollupScope => {
  const plan = planBuckets(range, 'Europe/Copenhagen', now);
  return { orgId, integrationIds: ids, from: plan.from, to: plan.to, bucketStarts: plan.buckets.map((b) => b.start) };
};

for (const phase of ['without statistics', 'analysed'] as const) {
  describe(`trends query plans, ${phase}`, () => {
    before(async () => {
      if (phase === 'analysed') await db.knex.raw('ANALYZE');
    });

    for (const [what, ids] of [
      ['one integration', () => integrationIds.slice(0, 1)],
      ['a whole organisation', () => integrationIds],
    ] as const) {
      test(`run figures and errors per code of ${what} read the range through the primary keys`, async () => {
        for (const range of ['24h', '7d', '30d'] as const) {
          readsRangeThrough(await planOf(() => readRunStats(db.knex, scopeOf(ids(), range))), 'run_stats_hourly_pkey');
          readsRangeThrough(await planOf(() => readErrorCounts(db.knex, scopeOf(ids(), range))), 'error_counts_hourly_pkey');
        }
      });

      test(`missed-run gaps of ${what} read an index per integration; once analysed, an index over the range's slots`, async () => {
        const scope = scopeOf(ids(), '30d');
        const plan = await planOf(() => listMissedRunGaps(db.knex, orgId, ids(), scope.from, scope.to));
        assert.doesNotMatch(plan, /Seq Scan/, plan);
        const conditions = plan.match(/Index Cond: .*/g) ?? [];
        assert.ok(conditions.length >= 2, plan);
        for (const condition of conditions) assert.match(condition, /org_id = .* AND \(integration_id = i\.id\)/, plan);
        // Without statistics PostgreSQL guesses one event per integration, and may take integration_events_by_time:
        // every event of the integration, which are few (a gap is one row). Analysed, it bounds the slots, through
        // the once index (code, due_at) or the events list's (integration, due_at), checking the code on each row.
        if (phase === 'analysed') {
          const scans = plan.match(/(Index (Only )?Scan( Backward)?|Bitmap Index Scan) (using|on) \w+/g) ?? [];
          assert.ok(scans.length >= 2 && scans.every((scan) => /integration_events_(once|by_integration_due)$/.test(scan)), plan);
          for (const condition of conditions) assert.match(condition, /due_at [<>]/, plan);
        }
      });

      test(`the first run of each of ${what} is one probe of the primary key`, async () => {
        const plan = await planOf(() => firstRunHours(db.knex, orgId, ids()));
        assert.match(plan, /Index (Only )?Scan using run_stats_hourly_pkey/, plan);
        assert.match(plan, /Limit/, plan);
        assert.doesNotMatch(plan, /Seq Scan on run_stats_hourly|Sort/, plan);
      });
    }

    test('the figures read are the range, whole', async () => {
      const scope = scopeOf(integrationIds, '30d');
      const stats = await readRunStats(db.knex, scope);
      assert.equal(stats.length, 30);
      const hours = (scope.to.getTime() - scope.from.getTime()) / 3_600_000;
      // The rows end at 11:00 UTC today (now is 12:00): the rest of today's bucket is empty.
      const filled = hours - (scope.to.getTime() - now.getTime()) / 3_600_000;
      assert.equal(
        stats.reduce((sum, s) => sum + s.runs, 0),
        4 * INTEGRATIONS * filled,
      );
    });
  });
}
