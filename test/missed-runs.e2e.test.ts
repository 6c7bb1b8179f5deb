/**
 * Missed-run detection on real PostgreSQL, through time on a frozen clock: the
 * scheduler's job stores each gap once as a missed_run event, a late run
 * closes it, gaps in history posted at once are found afterwards, and two
 * schedulers on one database (two pools, ticking at once, with runs arriving
 * meanwhile) store each gap exactly once.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Knex } from 'knex';
import { createKnex } from '../src/db/database.js';
import { feedRunSchema } from '../src/ingest/feed.schema.js';
import { ingestRun } from '../src/ingest/ingest.service.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { checkIntegration } from '../src/missed-runs/missed-runs.js';
import { checkMissedRuns } from '../src/missed-runs/missed-runs.service.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { missedRunsJob } from '../src/scheduler/jobs.js';
import { startScheduler } from '../src/scheduler/scheduler.js';
import { frozenClock } from '../src/shared/clock.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { makeRun } from './helpers/fixtures.js';

const MINUTE = 60_000;
let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
  await createOrganisation(db.knex, 'gaps', 'Gaps Ltd');
});
after(() => db.drop());

interface Ids {
  orgId: number;
  integrationId: number;
}

let integrations = 0;
async function newIntegration(schedule: string, options: { timeZone?: string; grace?: string } = {}): Promise<Ids> {
  integrations += 1;
  const { integration } = await createIntegration(db.knex, { orgSlug: 'gaps', name: `integration ${integrations}`, schedule, ...options });
  return { orgId: Number(integration.org_id), integrationId: Number(integration.id) };
}

/** Stores a run as the ingest endpoint would; resolves with its sync run id. */
async function storeRun(ids: Ids, startedAt: Date | string, knex: Knex = db.knex): Promise<number> {
  const start = new Date(startedAt).toISOString();
  const body = makeRun({ run_id: `run-${start}`, started_at: start, finished_at: start, status: 'completed', records: [] });
  const { summary } = await ingestRun(knex, ids, feedRunSchema.parse(body), createHash('sha256').update(JSON.stringify(body)).digest('hex'));
  return Number((summary as { id: number | string }).id);
}

interface StoredGap {
  due: string;
  last: string;
  slots: number;
  resolved: string | null;
  by: number | null;
}

async function gapsOf(ids: Ids): Promise<StoredGap[]> {
  const rows = await db.knex('integration_events').where({ org_id: ids.orgId, integration_id: ids.integrationId, code: 'missed_run' }).orderBy('due_at');
  return rows.map((row) => {
    assert.equal(row.severity, 'error');
    return {
      due: row.due_at.toISOString(),
      last: row.last_due_at.toISOString(),
      slots: row.missed_slots,
      resolved: row.resolved_at?.toISOString() ?? null,
      by: row.resolved_by_sync_run_id === null ? null : Number(row.resolved_by_sync_run_id),
    };
  });
}

const z = (iso: string) => new Date(iso).toISOString();

/** A scheduler that ticks only when told, with the real job list, logging failures into `errors`. */
function testScheduler(clock: ReturnType<typeof frozenClock>, knex: Knex = db.knex, errors: unknown[] = []) {
  return startScheduler({
    knex,
    clock,
    tickMs: 60_000,
    jobs: [missedRunsJob],
    timer: false,
    log: { error: (fields: unknown) => void errors.push(fields), debug: () => {} } as never,
  });
}

describe('missed runs', () => {
  test('an interval schedule: silent, in time, a gap that grows, closed by a late run, stored once', async () => {
    const ids = await newIntegration('15m', { grace: '10m' });
    const clock = frozenClock('2026-11-21T09:00:00Z');
    const errors: unknown[] = [];
    const scheduler = testScheduler(clock, db.knex, errors);

    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [], 'no run ever is silent, not missed');

    await storeRun(ids, '2026-11-21T10:00:00Z');
    clock.set('2026-11-21T10:25:00Z');
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [], 'exactly at the end of grace is in time');

    clock.set('2026-11-21T10:25:01Z');
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [{ due: z('2026-11-21T10:15:00Z'), last: z('2026-11-21T10:15:00Z'), slots: 1, resolved: null, by: null }]);
    const [first] = await db.knex('integration_events').where({ integration_id: ids.integrationId });
    assert.deepEqual(first.details, { expected: 'every 15m (grace 10m)' });
    assert.equal(first.occurred_at.toISOString(), z('2026-11-21T10:25:01Z'));

    // 10:15 and 10:30 passed their grace; 10:45's ends at 10:55.
    clock.set('2026-11-21T10:50:00Z');
    await scheduler.tick();
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [{ due: z('2026-11-21T10:15:00Z'), last: z('2026-11-21T10:30:00Z'), slots: 2, resolved: null, by: null }]);

    // The run comes at 11:02: it closes the gap at once, in its ingest transaction.
    const late = await storeRun(ids, '2026-11-21T11:02:00Z');
    assert.deepEqual(await gapsOf(ids), [
      { due: z('2026-11-21T10:15:00Z'), last: z('2026-11-21T10:30:00Z'), slots: 2, resolved: z('2026-11-21T11:02:00Z'), by: late },
    ]);
    // The next check counts the gap to its end (10:45 too passed its grace before 11:02).
    clock.set('2026-11-21T11:05:00Z');
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [
      { due: z('2026-11-21T10:15:00Z'), last: z('2026-11-21T10:45:00Z'), slots: 3, resolved: z('2026-11-21T11:02:00Z'), by: late },
    ]);
    const [closed] = await db.knex('integration_events').where({ integration_id: ids.integrationId });
    assert.equal(closed.occurred_at.toISOString(), z('2026-11-21T10:25:01Z'), 'detected when first seen');

    await scheduler.stop();
    assert.deepEqual(errors, []);
  });

  test('a run that started in time but was posted after its grace is no miss: the alarm goes', async () => {
    const ids = await newIntegration('15m', { grace: '10m' });
    const clock = frozenClock('2026-11-21T10:00:00Z');
    const scheduler = testScheduler(clock);
    await storeRun(ids, '2026-11-21T10:00:00Z');
    clock.set('2026-11-21T10:30:00Z');
    await scheduler.tick();
    assert.equal((await gapsOf(ids)).length, 1);
    // It started at 10:20, inside the grace of 10:15, and reached feedlog at 10:31.
    clock.set('2026-11-21T10:31:00Z');
    await storeRun(ids, '2026-11-21T10:20:00Z');
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), []);
    await scheduler.stop();
  });

  test('nightly at 02:00 Europe/Copenhagen: a week posted at once, gaps across the spring change found afterwards, closed', async () => {
    const ids = await newIntegration('0 2 * * *', { timeZone: 'Europe/Copenhagen', grace: '30m' });
    // 02:00 CET is 01:00Z until the 29th; then 02:00 CEST is 00:00Z. The 28th and the 29th (the change) are missing.
    const nights = [
      '2026-03-24T01:00:00Z',
      '2026-03-25T01:00:00Z',
      '2026-03-26T01:00:00Z',
      '2026-03-27T01:00:00Z',
      '2026-03-30T00:00:00Z',
      '2026-03-31T00:02:00Z',
    ];
    const ran = [];
    for (const night of nights) ran.push(await storeRun(ids, night));
    const clock = frozenClock('2026-03-31T06:00:00Z');
    const scheduler = testScheduler(clock);
    await scheduler.tick();
    // 03:00 CEST on the 29th (02:00 does not exist that night) is 01:00Z.
    assert.deepEqual(await gapsOf(ids), [
      { due: z('2026-03-28T01:00:00Z'), last: z('2026-03-29T01:00:00Z'), slots: 2, resolved: z('2026-03-30T00:00:00Z'), by: ran[4] },
    ]);

    // The engine stops after the 31st; by the 2nd of April at noon two nights passed.
    clock.set('2026-04-02T12:00:00Z');
    await scheduler.tick();
    assert.deepEqual((await gapsOf(ids))[1], { due: z('2026-04-01T00:00:00Z'), last: z('2026-04-02T00:00:00Z'), slots: 2, resolved: null, by: null });
    await scheduler.stop();
  });

  test('nightly at 02:00 Europe/Copenhagen across the autumn change: 02:00 happens twice, the slot once', async () => {
    const ids = await newIntegration('0 2 * * *', { timeZone: 'Europe/Copenhagen', grace: '30m' });
    await storeRun(ids, '2026-10-24T00:00:00Z');
    const clock = frozenClock('2026-10-25T00:30:00Z');
    const scheduler = testScheduler(clock);
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [], 'exactly at the end of grace of the first 02:00 (CEST)');
    clock.set('2026-10-25T01:45:00Z');
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [{ due: z('2026-10-25T00:00:00Z'), last: z('2026-10-25T00:00:00Z'), slots: 1, resolved: null, by: null }]);
    clock.set('2026-10-26T12:00:00Z');
    await scheduler.tick();
    // The next night's 02:00 is CET, 01:00Z.
    assert.deepEqual(await gapsOf(ids), [{ due: z('2026-10-25T00:00:00Z'), last: z('2026-10-26T01:00:00Z'), slots: 2, resolved: null, by: null }]);
    await scheduler.stop();
  });

  test('every 15 minutes across the autumn change: an interval counts real time, four slots an hour', async () => {
    const ids = await newIntegration('15m', { timeZone: 'Europe/Copenhagen', grace: '5m' });
    // 02:45 CEST (00:45Z); 02:00-03:00 then comes again in CET: two real hours until 02:45 CET (01:45Z).
    await storeRun(ids, '2026-10-25T00:45:00Z');
    const closing = await storeRun(ids, '2026-10-25T01:45:00Z');
    const clock = frozenClock('2026-10-25T01:50:00Z');
    const scheduler = testScheduler(clock);
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [
      { due: z('2026-10-25T01:00:00Z'), last: z('2026-10-25T01:30:00Z'), slots: 3, resolved: z('2026-10-25T01:45:00Z'), by: closing },
    ]);
    await scheduler.stop();
  });

  test('four days of 15-minute history posted at once, gaps and a silent day in it, examined in several checks', async () => {
    const ids = await newIntegration('15m', { grace: '10m' });
    const start = Date.parse('2026-11-01T00:00:00Z');
    const holes = new Set<number>([5, 6, 7, 100, 350]);
    // A silent day: slots 200 to 295.
    for (let slot = 200; slot < 296; slot += 1) holes.add(slot);
    const starts: Date[] = [];
    for (let slot = 0; slot < 4 * 96; slot += 1) if (!holes.has(slot)) starts.push(new Date(start + slot * 15 * MINUTE + 17_000));
    for (const at of starts) await storeRun(ids, at);
    const now = new Date(start + 4 * 96 * 15 * MINUTE + 5 * MINUTE);
    // 50 runs per check: six checks reach the end.
    let checks = 0;
    while ((await checkMissedRuns(db.knex, now, { runsPerCheck: 50 })) > 0) checks += 1;
    assert.equal(checks, Math.ceil((starts.length - 1) / 50));
    const slot = (n: number) => new Date(start + n * 15 * MINUTE + 17_000).toISOString();
    assert.deepEqual(
      (await gapsOf(ids)).map((gap) => [gap.due, gap.last, gap.slots, gap.resolved]),
      [
        [slot(5), slot(7), 3, slot(8)],
        [slot(100), slot(100), 1, slot(101)],
        [slot(200), slot(295), 96, slot(296)],
        [slot(350), slot(350), 1, slot(351)],
        // The last run (slot 383) is followed by slot 384, due 15 minutes later, whose grace ends 10 minutes after it: not yet.
      ],
    );
    // Nothing left to examine: another check finds nothing due.
    assert.equal(await checkMissedRuns(db.knex, now), 0);
  });

  test('a run posted out of order, older than what was examined, splits the gap it falls in', async () => {
    const ids = await newIntegration('15m', { grace: '10m' });
    await storeRun(ids, '2026-11-21T10:00:00Z');
    const eleven = await storeRun(ids, '2026-11-21T11:00:00Z');
    const clock = frozenClock('2026-11-21T11:05:00Z');
    const scheduler = testScheduler(clock);
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [
      { due: z('2026-11-21T10:15:00Z'), last: z('2026-11-21T10:45:00Z'), slots: 3, resolved: z('2026-11-21T11:00:00Z'), by: eleven },
    ]);
    // A retry of the 10:30 run arrives now.
    const halfPast = await storeRun(ids, '2026-11-21T10:30:00Z');
    await scheduler.tick();
    assert.deepEqual(await gapsOf(ids), [
      { due: z('2026-11-21T10:15:00Z'), last: z('2026-11-21T10:15:00Z'), slots: 1, resolved: z('2026-11-21T10:30:00Z'), by: halfPast },
      { due: z('2026-11-21T10:45:00Z'), last: z('2026-11-21T10:45:00Z'), slots: 1, resolved: z('2026-11-21T11:00:00Z'), by: eleven },
    ]);
    await scheduler.stop();
  });

  test('two schedulers on one database, ticking at once while runs arrive, store each gap exactly once', async () => {
    const otherKnex = createKnex(db.url, 5);
    const schedules: [string, { timeZone?: string; grace?: string }][] = [
      ['15m', { grace: '5m' }],
      ['10m', { grace: '0s' }],
      ['1h', { grace: '10m' }],
      ['*/20 * * * *', { timeZone: 'Europe/Copenhagen', grace: '2m' }],
      ['0 * * * *', { timeZone: 'America/New_York', grace: '5m' }],
    ];
    const all: { ids: Ids; every: number; schedule: string; grace: number; tz: string }[] = [];
    for (let i = 0; i < 20; i += 1) {
      const [schedule, options] = schedules[i % schedules.length]!;
      const ids = await newIntegration(schedule, options);
      all.push({ ids, every: 7 + (i % 5) * 6, schedule, grace: 0, tz: options.timeZone ?? 'UTC' });
    }
    const clock = frozenClock('2026-10-24T22:00:00Z');
    const errors: unknown[] = [];
    const checked = [0, 0];
    const log = { error: (fields: unknown) => void errors.push(fields), debug: () => {} } as never;
    // The job of src/scheduler/jobs.ts, counting what each scheduler checked.
    const [a, b] = [db.knex, otherKnex].map((knex, i) =>
      startScheduler({
        knex,
        clock,
        tickMs: 60_000,
        timer: false,
        log,
        jobs: [
          {
            name: 'missed-runs',
            run: async (trx, now) => {
              checked[i]! += await checkMissedRuns(trx, now);
            },
          },
        ],
      }),
    ) as [ReturnType<typeof startScheduler>, ReturnType<typeof startScheduler>];
    try {
      // 60 rounds of 7 minutes (7 hours, across the autumn change in Copenhagen and a quiet stretch for some):
      // both schedulers tick twice at once while some integrations post a run that started a moment ago.
      for (let round = 0; round < 60; round += 1) {
        clock.advance(7 * MINUTE);
        const now = clock.now();
        const posting = all.filter((integration, i) => round % integration.every === i % 3 || (round < 20 && (round + i) % 4 === 0));
        await Promise.all([
          a.tick(),
          b.tick(),
          ...posting.map((integration, i) => storeRun(integration.ids, new Date(now.getTime() - 30_000 * (i + 1)), i % 2 ? otherKnex : db.knex)),
          a.tick(),
          b.tick(),
        ]);
      }
      await Promise.all([a.tick(), b.tick()]);
      assert.deepEqual(errors, [], 'no job failed (no deadlock, no unique violation)');
      assert.ok(checked[0]! > 0 && checked[1]! > 0, `both schedulers took work: ${checked}`);

      // The truth: every integration's runs examined at once, from scratch.
      let stored = 0;
      for (const { ids } of all) {
        const integration = await db.knex('integrations').where({ org_id: ids.orgId, id: ids.integrationId }).first();
        const runs = await db
          .knex('sync_runs')
          .where({ org_id: ids.orgId, integration_id: ids.integrationId })
          .orderBy([{ column: 'started_at' }, { column: 'id' }]);
        const expected = checkIntegration({
          schedule: {
            intervalSeconds: integration.schedule_interval_seconds,
            cron: integration.schedule_cron,
            timeZone: integration.schedule_time_zone,
            graceSeconds: integration.grace_seconds,
          },
          checkpoint: null,
          runs: runs.map((run) => ({ id: Number(run.id), startedAt: run.started_at })),
          complete: true,
          now: clock.now(),
          maxWaitMs: 3_600_000,
        }).gaps.map((gap) => ({
          due: gap.dueAt.toISOString(),
          last: gap.lastDueAt.toISOString(),
          slots: gap.missedSlots,
          resolved: gap.resolvedAt?.toISOString() ?? null,
          by: gap.resolvedBySyncRunId,
        }));
        const found = await gapsOf(ids);
        assert.deepEqual(found, expected, `integration ${ids.integrationId} (${integration.schedule_cron ?? integration.schedule_interval_seconds})`);
        stored += found.length;
      }
      assert.ok(stored >= 20, `${stored} gaps: the test has gaps to find`);
      assert.ok(
        (await db.knex('integration_events').where({ code: 'missed_run' }).whereNull('resolved_at').count('* as n'))[0]!.n !== '0',
        'and some still open',
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await otherKnex.destroy();
    }
  });
});
