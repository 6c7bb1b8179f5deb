/**
 * The hourly rollups of the trends (run_stats_hourly, error_counts_hourly) are
 * written by ingest in each run's transaction. Whatever order runs arrive in —
 * late runs landing in hours already counted, runs of several integrations and
 * hours at once, a stored run posted again, failed runs, runs racing each
 * other — they always equal the aggregate of the raw rows (sync_runs, errors).
 * And the migrations that created them (2100, 2101, and 2130's records of the
 * runs that did not fail) fill them from stored runs exactly as ingest does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { createApp } from '../src/app/app.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import * as runStatsMigration from '../migrations/2026-11-29-2100-create-run-stats-hourly.js';
import * as errorCountsMigration from '../migrations/2026-11-29-2101-create-error-counts-hourly.js';
import * as completedRecordsMigration from '../migrations/2026-11-29-2130-add-completed-records-to-run-stats.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration, makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
let app: Express;
/** Two organisations, three integrations: tokens by index. */
const tokens: string[] = [];

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex, ingestLimits: { perMinute: 1_000_000 } });
  const a = await createOrgWithIntegration(db.knex, { slug: 'roll-a', integration: 'A one' });
  const second = await createIntegration(db.knex, { orgSlug: 'roll-a', name: 'A two', schedule: '1h' });
  const b = await createOrgWithIntegration(db.knex, { slug: 'roll-b', integration: 'B one' });
  tokens.push(a.token, second.token, b.token);
});
after(() => db.drop());

const BASE = Date.parse('2026-11-20T00:00:00Z');
const TITLES = ['Head Chef', 'Kitchen Porter', 'kitchen porter', 'Bartender ', 'Sous Chef'];

interface RunSpec {
  integration: number;
  /** Minutes after BASE the run started: up to three days, so runs share hours and spread over several. */
  startMinute: number;
  durationSeconds: number;
  failed: boolean;
  records: { title: number; outcome: 'succeeded' | 'failed' | 'warning'; noEmail: boolean }[];
}

const oneIn = (n: number) => fc.integer({ min: 1, max: n }).map((k) => k === 1);

const runSpec = fc.record({
  integration: fc.integer({ min: 0, max: 2 }),
  startMinute: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  durationSeconds: fc.integer({ min: 0, max: 5_000 }),
  failed: oneIn(5),
  records: fc.array(
    fc.record({
      title: fc.integer({ min: 0, max: TITLES.length - 1 }),
      outcome: fc.constantFrom('succeeded', 'failed', 'warning') as fc.Arbitrary<'succeeded' | 'failed' | 'warning'>,
      noEmail: oneIn(5),
    }),
    { maxLength: 5 },
  ),
}) satisfies fc.Arbitrary<RunSpec>;

let serial = 0;

function bodyOf(spec: RunSpec, runId: string): Record<string, unknown> {
  const started = BASE + spec.startMinute * 60_000 + 17_000;
  return makeRun({
    run_id: runId,
    started_at: new Date(started).toISOString(),
    finished_at: new Date(started + spec.durationSeconds * 1000).toISOString(),
    status: spec.failed ? 'failed' : spec.records.some((r) => r.outcome === 'failed') ? 'completed_with_errors' : 'completed',
    run_error: spec.failed ? 'The target refused the credentials' : null,
    records: spec.records.map((r, i) => ({
      external_id: `emp-${i}`,
      action: 'update',
      outcome: r.outcome,
      employee: {
        first_name: 'Ana',
        last_name: `Number ${i}`,
        email: r.noEmail ? null : `ana.${i}@example.com`,
        job_title: TITLES[r.title],
        department: 'Kitchen',
        branch: 'London Soho',
      },
      messages: r.outcome === 'failed' ? [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: `Job title '${TITLES[r.title]}' does not exist` }] : [],
    })),
  });
}

/** The rollups as stored, and the same figures aggregated from the raw rows. */
async function rollupsAndTruth(knex: Knex) {
  const stats = await knex.raw(`SELECT * FROM run_stats_hourly ORDER BY org_id, integration_id, hour`);
  const statsTruth = await knex.raw(`
    SELECT org_id, integration_id, date_bin('1 hour', started_at, timestamptz '2000-01-01 00:00:00+00') AS hour,
      count(*)::int AS runs, (count(*) FILTER (WHERE status = 'failed'))::int AS failed_runs,
      (count(*) FILTER (WHERE status = 'completed_with_errors'))::int AS runs_with_errors,
      sum(record_count)::bigint AS records, sum((counts->>'succeeded')::bigint)::bigint AS records_succeeded,
      sum((counts->>'failed')::bigint)::bigint AS records_failed, sum((counts->>'warning')::bigint)::bigint AS records_warning,
      min(record_count) AS min_records, max(record_count) AS max_records,
      sum(extract(epoch FROM finished_at - started_at) * 1000)::bigint AS duration_ms,
      max(extract(epoch FROM finished_at - started_at) * 1000)::bigint AS max_duration_ms,
      (coalesce(sum(record_count) FILTER (WHERE status <> 'failed'), 0))::bigint AS completed_records,
      min(record_count) FILTER (WHERE status <> 'failed') AS min_completed_records
    FROM sync_runs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
  const errors = await knex.raw(`SELECT org_id, integration_id, hour, code, errors FROM error_counts_hourly ORDER BY 1, 2, 3, 4`);
  const errorsTruth = await knex.raw(`
    SELECT e.org_id, e.integration_id, date_bin('1 hour', r.started_at, timestamptz '2000-01-01 00:00:00+00') AS hour, e.code,
      count(*)::bigint AS errors
    FROM errors e JOIN sync_runs r ON r.org_id = e.org_id AND r.id = e.sync_run_id
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`);
  return { stats: stats.rows, statsTruth: statsTruth.rows, errors: errors.rows, errorsTruth: errorsTruth.rows };
}

async function assertRollupsEqualRawRows(what: string) {
  const { stats, statsTruth, errors, errorsTruth } = await rollupsAndTruth(db.knex);
  assert.deepEqual(stats, statsTruth, `${what}: run_stats_hourly`);
  assert.deepEqual(errors, errorsTruth, `${what}: error_counts_hourly`);
}

describe('the hourly rollups', () => {
  test('equal the aggregate of sync_runs and errors, whatever order runs arrive in', { timeout: 300_000 }, async () => {
    /** Runs stored in earlier iterations: any of them may be posted again. */
    const stored: { token: string; body: Record<string, unknown> }[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(runSpec, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        async (specs, repeats, concurrency) => {
          const posts = specs.map((spec) => {
            serial += 1;
            return { token: tokens[spec.integration]!, body: bodyOf(spec, `run-${serial}`) };
          });
          // A stored run posted again (the same body), among the new ones: it adds nothing.
          for (const r of repeats) if (stored.length > 0) posts.splice(r % (posts.length + 1), 0, stored[r % stored.length]!);
          // Sent `concurrency` at a time: runs of one integration serialise on its lock, others interleave.
          for (let i = 0; i < posts.length; i += concurrency) {
            const answers = await Promise.all(posts.slice(i, i + concurrency).map((p) => postRun(app, p.token, p.body)));
            for (const answer of answers) assert.ok(answer.status === 201 || answer.status === 200, answer.text);
          }
          stored.push(...posts);
          await assertRollupsEqualRawRows(`after ${posts.length} posts`);
        },
      ),
      { numRuns: 40, includeErrorInReport: true },
    );
    const runs = Number((await db.knex('sync_runs').count<{ count: string }[]>('* as count'))[0]!.count);
    assert.ok(runs >= 40, `the property stored runs (${runs})`);
  });

  test('their migrations (2100, 2101, 2130) fill them from stored runs as ingest does', { timeout: 60_000 }, async () => {
    // A run that arrives after later ones, in an hour already counted, and a repeated post.
    const late = { integration: 0, startMinute: 5, durationSeconds: 12, failed: false, records: [{ title: 3, outcome: 'failed' as const, noEmail: false }] };
    const late2 = { ...late, startMinute: 6, failed: true, records: [] };
    for (const spec of [late, late2]) assert.equal((await postRun(app, tokens[0]!, bodyOf(spec, `late-${spec.startMinute}`))).status, 201);
    assert.equal((await postRun(app, tokens[0]!, bodyOf(late, 'late-5'))).status, 200);
    const byIngest = await rollupsAndTruth(db.knex);
    assert.ok(byIngest.stats.length > 3 && byIngest.errors.length > 3, 'there is something to compare');
    await completedRecordsMigration.down(db.knex);
    await errorCountsMigration.down(db.knex);
    await runStatsMigration.down(db.knex);
    await runStatsMigration.up(db.knex);
    await errorCountsMigration.up(db.knex);
    await completedRecordsMigration.up(db.knex);
    const byMigrations = await rollupsAndTruth(db.knex);
    assert.deepEqual(byMigrations.stats, byIngest.stats, 'run_stats_hourly');
    assert.deepEqual(byMigrations.errors, byIngest.errors, 'error_counts_hourly');
  });
});
