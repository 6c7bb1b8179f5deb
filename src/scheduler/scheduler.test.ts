import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { frozenClock } from '../shared/clock.js';
import { type Job, startScheduler } from './scheduler.js';

// The jobs here never touch the database.
const knex = {} as Knex;

function recordingLog() {
  const errors: { job: string; err: unknown }[] = [];
  return { errors, log: { error: (fields: { job: string; err: unknown }) => errors.push(fields), debug: () => {} } as never };
}

describe('scheduler', () => {
  test('tick runs every job once, in order, at the clock time', async () => {
    const clock = frozenClock('2026-11-21T10:00:00Z');
    const seen: string[] = [];
    const jobs: Job[] = ['a', 'b'].map((name) => ({ name, run: async (_knex, now) => void seen.push(`${name} ${now.toISOString()}`) }));
    const scheduler = startScheduler({ knex, clock, tickMs: 60_000, jobs, timer: false });
    await scheduler.tick();
    clock.advance(60_000);
    await scheduler.tick();
    await scheduler.stop();
    assert.deepEqual(seen, ['a 2026-11-21T10:00:00.000Z', 'b 2026-11-21T10:00:00.000Z', 'a 2026-11-21T10:01:00.000Z', 'b 2026-11-21T10:01:00.000Z']);
  });

  test('a failing job is logged, and the other jobs and the next tick still run', async () => {
    const { errors, log } = recordingLog();
    let good = 0;
    const jobs: Job[] = [
      {
        name: 'broken',
        run: async () => {
          throw new Error('database unreachable');
        },
      },
      {
        name: 'good',
        run: async () => {
          good += 1;
        },
      },
    ];
    const scheduler = startScheduler({ knex, clock: frozenClock('2026-11-21T10:00:00Z'), tickMs: 5, jobs, log });
    for (const deadline = Date.now() + 5_000; good < 3 && Date.now() < deadline; ) await sleep(5);
    await scheduler.stop();
    assert.ok(good >= 3, `the good job ran on ${good} ticks`);
    assert.ok(errors.length >= 3);
    assert.equal(errors[0]!.job, 'broken');
    assert.equal((errors[0]!.err as Error).message, 'database unreachable');
  });

  test('ticks never overlap: on a timer shorter than a tick, and with tick() called meanwhile', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const slow: Job = {
      name: 'slow',
      run: async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(20);
        running -= 1;
        runs += 1;
      },
    };
    const scheduler = startScheduler({ knex, clock: frozenClock('2026-11-21T10:00:00Z'), tickMs: 1, jobs: [slow] });
    await Promise.all([scheduler.tick(), scheduler.tick(), scheduler.tick()]);
    for (const deadline = Date.now() + 5_000; runs < 6 && Date.now() < deadline; ) await sleep(5);
    await scheduler.stop();
    assert.equal(most, 1);
    assert.ok(runs >= 6);
  });

  test('stop() waits for the tick under way, and no tick starts after it', async () => {
    let finished = false;
    let started = 0;
    const job: Job = {
      name: 'long',
      run: async () => {
        started += 1;
        await sleep(100);
        finished = true;
      },
    };
    const scheduler = startScheduler({ knex, clock: frozenClock('2026-11-21T10:00:00Z'), tickMs: 1, jobs: [job] });
    for (const deadline = Date.now() + 5_000; started === 0 && Date.now() < deadline; ) await sleep(1);
    await scheduler.stop();
    assert.equal(finished, true, 'stop() resolved before the tick finished');
    const after = started;
    await sleep(30);
    assert.equal(started, after);
  });

  test('its timer does not keep the process alive', async () => {
    const active = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = active();
    const scheduler = startScheduler({ knex, clock: frozenClock('2026-11-21T10:00:00Z'), tickMs: 3_600_000, jobs: [] });
    try {
      // Unref'd timers are not listed among the resources that keep the event loop running.
      assert.equal(active(), before);
    } finally {
      await scheduler.stop();
    }
  });
});
