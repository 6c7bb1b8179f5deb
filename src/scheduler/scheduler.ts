/**
 * The scheduler inside the app process: every `tickMs` it runs each job once,
 * one after the other. A tick never overlaps another (the next is scheduled
 * only once the previous one finished), a job that fails is logged and the
 * others, and the next tick, still run. Jobs must be safe with several
 * processes ticking on one database (each claims its work with FOR UPDATE
 * SKIP LOCKED or a conditional update). Its timer never keeps the process alive.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { logger } from '../logger.js';
import { jobRan, tickStarted } from '../metrics/metrics.js';
import type { Clock } from '../shared/clock.js';

export interface Job {
  name: string;
  /** One pass of the job at `now` (the scheduler's clock). */
  run(knex: Knex, now: Date): Promise<void>;
}

export interface Scheduler {
  /** Runs every job once now (after the tick under way, if any), and resolves when done. */
  tick(): Promise<void>;
  /** No more ticks; resolves once the tick under way, if any, has finished. */
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  knex: Knex;
  clock: Clock;
  tickMs: number;
  jobs: readonly Job[];
  /** Where failures go (default: the app's logger). */
  log?: Pick<Logger, 'error' | 'debug'>;
  /** Start ticking on a timer (default true); false leaves it to tick() (tests). */
  timer?: boolean;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { knex, clock, tickMs, jobs } = options;
  const log = options.log ?? logger();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Ticks run one after the other: each waits for the one before.
  let last: Promise<void> = Promise.resolve();

  const runJobs = async () => {
    for (const job of jobs) {
      if (stopped) return;
      const started = performance.now();
      try {
        await job.run(knex, clock.now());
        log.debug({ job: job.name, ms: Math.round(performance.now() - started) }, 'scheduler job done');
        jobRan(job.name, (performance.now() - started) / 1000, true);
      } catch (error) {
        log.error({ job: job.name, err: error }, 'scheduler job failed');
        jobRan(job.name, (performance.now() - started) / 1000, false);
      }
    }
  };

  const tick = () => {
    last = last.then(runJobs);
    return last;
  };

  const schedule = () => {
    if (stopped) return;
    const due = performance.now() + tickMs;
    timer = setTimeout(() => {
      timer = undefined;
      tickStarted((performance.now() - due) / 1000);
      void tick().then(schedule);
    }, tickMs);
    timer.unref();
  };

  if (options.timer !== false) schedule();

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await last;
    },
  };
}
