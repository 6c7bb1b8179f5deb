/**
 * The missed-run check's queries read indexes, never a whole table: the claim
 * of due integrations (every organisation's, in one queue), an integration's
 * runs from its checkpoint, and the ingest's closing of open gaps (the partial
 * index of open gaps, not the whole history), and GET /api/v1/events' list
 * (an index in its order). Checked on a fresh database
 * whose tables have no statistics yet (where a missing index shows:
 * PostgreSQL 15 has no skip scan) and again once analysed. Plan shapes, never time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Knex } from 'knex';
import pg from 'pg';
import { listEvents } from '../src/events/events.queries.js';
import { claimDueIntegrations, closeMissedRuns, deleteGapsNotFound, runsFrom } from '../src/missed-runs/missed-runs.queries.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { disableAutovacuum } from './helpers/partitions.js';

const ORGS = 20;
const INTEGRATIONS_PER_ORG = 250;
const RUNS = 2_000;
const GAPS = 5_000;

let db: TestDatabase;
let orgId: number;
let integrationId: number;

before(async () => {
  db = await createTestDatabase();
  // "Without statistics" must mean it: autovacuum must not analyse a table halfway through the inserts.
  for (const table of ['integrations', 'sync_runs', 'integration_events']) {
    await disableAutovacuum(db.knex, table);
  }
  await db.knex.raw(`INSERT INTO organisations (slug, name) SELECT 'gaps-' || g, 'Gaps ' || g FROM generate_series(1, ?) g`, [ORGS]);
  // 5,000 integrations, their checks due over the next days (a few now).
  await db.knex.raw(
    `INSERT INTO integrations (org_id, name, schedule_interval_seconds, required_fields, missed_check_at, missed_checked_through)
     SELECT o.id, 'flow ' || g, 900, '{}', timestamptz '2026-11-21' + ((o.id * 7919 + g * 104729) % 10000) * interval '1 minute',
       timestamptz '2026-11-20'
     FROM organisations o, generate_series(1, ?) g`,
    [INTEGRATIONS_PER_ORG],
  );
  const first = await db.knex('integrations').orderBy(['org_id', 'id']).first('org_id', 'id');
  orgId = Number(first.org_id);
  integrationId = Number(first.id);
  // 2,000 runs for each of 50 integrations, one every 15 minutes.
  await db.knex.raw(
    `INSERT INTO sync_runs (org_id, integration_id, run_id, trigger, status, started_at, finished_at, record_count, counts, error_counts, body_sha256, header)
     SELECT i.org_id, i.id, 'r-' || g, 'scheduled', 'completed', timestamptz '2026-10-01' + g * interval '15 min',
       timestamptz '2026-10-01' + g * interval '15 min', 10, '{}', '{}', 'x', '{}'
     FROM (SELECT org_id, id FROM integrations ORDER BY org_id, id LIMIT 50) i, generate_series(1, ?) g`,
    [RUNS],
  );
  // 5,000 past gaps for each of those 50 integrations, all closed, and one open gap each.
  await db.knex.raw(
    `INSERT INTO integration_events (org_id, integration_id, code, severity, due_at, last_due_at, missed_slots, occurred_at, resolved_at, details)
     SELECT i.org_id, i.id, 'missed_run', 'error', timestamptz '2026-01-01' + g * interval '1 hour', timestamptz '2026-01-01' + g * interval '1 hour', 1,
       timestamptz '2026-01-01' + g * interval '1 hour', CASE WHEN g < ? THEN timestamptz '2026-01-01' + g * interval '1 hour' + interval '30 min' END, '{}'
     FROM (SELECT org_id, id FROM integrations ORDER BY org_id, id LIMIT 50) i, generate_series(1, ?) g`,
    [GAPS, GAPS],
  );
});
after(() => db.drop());

/**
 * The plans PostgreSQL would use for the statements `work` sends (not BEGIN and
 * the like), in a transaction rolled back afterwards so the data stay as
 * seeded; each explained in a new session, as text.
 */
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
      // knex writes ? placeholders; pg wants $n.
      let n = 0;
      const sql = statement.sql.replace(/\?/g, () => `$${++n}`);
      const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, statement.bindings);
      plans.push(result.rows.map((row) => row['QUERY PLAN']).join('\n'));
    }
    return plans;
  } finally {
    await client.end();
  }
}

for (const phase of ['without statistics', 'analysed'] as const) {
  describe(`missed-run query plans, ${phase}`, () => {
    before(async () => {
      if (phase === 'analysed') await db.knex.raw('ANALYZE');
    });

    test('the claim reads the due integrations off their index, oldest due first, and locks only those', async () => {
      const [plan] = await plansIn((t) => claimDueIntegrations(t, new Date('2026-11-21T01:00:00Z'), 20));
      // In index order, or (when PostgreSQL knows few are due) the due ones off the index, sorted: never the whole table.
      assert.match(plan!, /LockRows[\s\S]*(Index Scan using|Bitmap Index Scan on) integrations_missed_check /, plan);
      assert.doesNotMatch(plan!, /Seq Scan/, plan);
      if (/Sort/.test(plan!)) assert.match(plan!, /Sort[\s\S]*Bitmap Index Scan on integrations_missed_check\s+\(cost=[\d.]+ rows=\d{1,3} /, plan);
    });

    test("an integration's runs from its checkpoint are read off the runs index in their order", async () => {
      for (const from of [new Date('2026-10-10T00:00:00Z'), null]) {
        const [plan] = await plansIn((t) => runsFrom(t, orgId, integrationId, from, 1001));
        assert.match(plan!, /Index (Only )?Scan (Backward )?using sync_runs_by_start /, plan);
        assert.doesNotMatch(plan!, /Seq Scan|Sort/, plan);
      }
    });

    test('a run closes open gaps through the index of open gaps, and finds the run before it by index', async () => {
      const [close, check] = await plansIn((t) => closeMissedRuns(t, { orgId, integrationId, syncRunId: 1, startedAt: new Date('2026-11-21T00:00:00Z') }));
      assert.match(close!, /Index Scan using integration_events_open /, close);
      assert.doesNotMatch(close!, /Seq Scan/, close);
      assert.match(check!, /Index Scan using integrations_pkey /, check);
      assert.match(check!, /Index (Only )?Scan using sync_runs_by_start /, check);
      assert.doesNotMatch(check!, /Seq Scan|Sort/, check);
    });

    test('a false alarm is looked for among the gaps of the examined stretch only', async () => {
      const [plan] = await plansIn((t) =>
        deleteGapsNotFound(t, { orgId, integrationId }, { after: new Date('2026-06-01T00:00:00Z'), before: null }, [new Date('2026-06-02T00:00:00Z')]),
      );
      assert.match(plan!, /Index Scan using integration_events_(once|by_integration_due) /, plan);
      assert.doesNotMatch(plan!, /Seq Scan/, plan);
    });

    test("the events list reads each organisation's events off an index in its order", async () => {
      const cursor: [string, number] = ['2026-04-01T00:00:00.000Z', 1_000_000];
      const cases: [Parameters<typeof listEvents>[2], string][] = [
        [{}, 'integration_events_by_due'],
        [{ code: 'missed_run', open: 'false' }, 'integration_events_by_due'],
        [{ integration: integrationId }, 'integration_events_by_(integration_due|due)'],
      ];
      for (const [filters, index] of cases) {
        for (const after of [undefined, cursor]) {
          const [plan] = await plansIn((t) => listEvents(t, [orgId, orgId + 1], filters, 50, after));
          assert.doesNotMatch(plan!, /Seq Scan on integration_events/, plan);
          // Without statistics PostgreSQL guesses that a filter leaves a handful of rows and may read them off another
          // index of the table and sort them; analysed (autovacuum analyses the table as it grows), it reads in order.
          if (phase === 'analysed') assert.match(plan!, new RegExp(`Limit[^\\n]*\\n\\s+->  Index Scan using ${index} `), plan);
          else assert.match(plan!, /(Index Scan using|Bitmap Index Scan on) integration_events_/, plan);
        }
      }
      // The open gaps are few: read through their partial index (and sorted), or in order off the list's index.
      const [open] = await plansIn((t) => listEvents(t, [orgId], { open: 'true' }, 50));
      assert.match(open!, /(Index Scan using|Bitmap Index Scan on) integration_events_(open|by_due) /, open);
      assert.doesNotMatch(open!, /Seq Scan on integration_events/, open);
    });
  });
}
