import { checkMissedRuns } from '../missed-runs/missed-runs.service.js';
import type { Job } from './scheduler.js';

/** Every job of the scheduler, run in this order on each tick. */
export const schedulerJobs: readonly Job[] = [
  {
    name: 'missed-runs',
    async run(knex, now) {
      await checkMissedRuns(knex, now);
    },
  },
];
