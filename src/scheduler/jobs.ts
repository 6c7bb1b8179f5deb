import { detectAlerts } from '../alerts/alerts.service.js';
import { composeDelivery } from './compose-delivery.js';
import type { Mailer } from '../email/mailer.js';
import { sendDueEmails } from '../email/sender.service.js';
import { enqueueDueSummaries } from '../summaries/summaries.service.js';
import { logger } from '../logger.js';
import { checkMissedRuns } from '../missed-runs/missed-runs.service.js';
import { frozenClock } from '../shared/clock.js';
import { dailyRetention } from '../retention/retention.service.js';
import type { Job } from './scheduler.js';

/** The missed-run check: needs nothing but the database. */
export const missedRunsJob: Job = {
  name: 'missed-runs',
  async run(knex, now) {
    await checkMissedRuns(knex, now);
  },
};

/**
 * Every job of the scheduler, run in this order on each tick: missed runs first (so a
 * gap found now can be in the emails), then the summaries that have come due, then the
 * alerts (new runs, groups and missed runs since the last look), then the sender, which
 * sends whatever is due (summaries, alerts, retries); last, retention (partitions ahead,
 * and once a day feedlog prune per organisation's retention).
 */
export function schedulerJobs(email: { mailer: Mailer; publicUrl: string }): readonly Job[] {
  return [
    missedRunsJob,
    {
      name: 'email-summaries',
      async run(knex, now) {
        await enqueueDueSummaries(knex, now);
      },
    },
    {
      name: 'email-alerts',
      async run(knex, now) {
        await detectAlerts(knex, now);
      },
    },
    {
      name: 'email-sender',
      async run(knex, now) {
        // The tick's time, held for the round: every delivery of it is judged at one instant.
        await sendDueEmails(knex, {
          compose: (delivery) => composeDelivery(knex, delivery, { publicUrl: email.publicUrl, now }),
          mailer: email.mailer,
          clock: frozenClock(now),
          log: logger(),
        });
      },
    },
    {
      // Last, as it may take a while once a day: the coming months' partitions; once a day, each organisation's retention (feedlog prune).
      name: 'retention',
      async run(knex, now) {
        const result = await dailyRetention(knex, now);
        if (result) logger().info({ job: 'retention', ...result }, 'pruned');
      },
    },
  ];
}
