/**
 * Benchmark of the summary emails: 1,000 organisations, each with a few integrations,
 * three days of hourly run rollups, error groups with open members, blocked employees
 * and missed-run gaps, written straight into the tables (test/helpers/summary-seed.ts,
 * seeded), and one ops person each with a daily summary at 08:00 in one of five zones.
 * Times what the scheduler does for all of them at one moment: the due summaries
 * recorded (enqueueDueSummaries), then each composed and sent (sendDueEmails, rounds of
 * 50) to an in-process SMTP server (the smtp-server package). Goal: under a minute.
 * Uses DATABASE_URL's server when set.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { composeDelivery } from '../src/scheduler/compose-delivery.js';
import { createMailer } from '../src/email/mailer.js';
import { sendDueEmails } from '../src/email/sender.service.js';
import { enqueueDueSummaries } from '../src/summaries/summaries.service.js';
import { logToStderr } from '../src/logger.js';
import { frozenClock } from '../src/shared/clock.js';
import { seedSummaryOrganisations } from '../test/helpers/summary-seed.js';
import { figure, underGoal } from './report.js';
import { benchDatabase } from './database.js';

const ORGANISATIONS = Number(process.env.BENCH_ORGS ?? 1000);
const GOAL_S = 60;
const NOW = '2026-11-30T14:00:00Z';
const quiet = { info() {}, warn() {}, error() {} };
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function benchSummaries(): Promise<void> {
  const { knex, close } = await benchDatabase(`feedlog_bench_summaries_${process.pid}`, { dropAfter: true });
  let messages = 0;
  let bytes = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, done) {
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      stream.on('end', () => {
        messages += 1;
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const mailer = createMailer({
    smtpUrl: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    smtpTlsRejectUnauthorized: true,
    from: 'feedlog <feedlog@example.com>',
    outboxDir: '/nonexistent',
  });
  try {
    const clock = frozenClock(NOW);
    process.stdout.write(`writing ${ORGANISATIONS.toLocaleString('en')} organisations... `);
    const seeded = performance.now();
    await seedSummaryOrganisations(knex, { organisations: ORGANISATIONS, seed: 13, until: clock.now(), hours: 96 });
    await knex.raw('ANALYZE');
    const rows = async (table: string) => Number((await knex(table).count<{ count: string }[]>('* AS count'))[0]!.count).toLocaleString('en');
    process.stdout.write(
      `${seconds(performance.now() - seeded)} (${await rows('integrations')} integrations, ${await rows('run_stats_hourly')} hourly rollups, ` +
        `${await rows('error_groups')} error groups, ${await rows('employee_summaries')} blocked employees)\n`,
    );

    const started = performance.now();
    const enqueued = await enqueueDueSummaries(knex, clock.now());
    const enqueuedMs = performance.now() - started;
    const totals = { sent: 0, skipped: 0, failed: 0 };
    const spent = { compose: 0, send: 0 };
    const timedMailer = {
      ...mailer,
      async send(email: Parameters<typeof mailer.send>[0]) {
        const at = performance.now();
        try {
          return await mailer.send(email);
        } finally {
          spent.send += performance.now() - at;
        }
      },
    };
    const compose = async (delivery: Parameters<typeof composeDelivery>[1]) => {
      const at = performance.now();
      try {
        return await composeDelivery(knex, delivery, { publicUrl: 'https://feedlog.example.com' });
      } finally {
        spent.compose += performance.now() - at;
      }
    };
    for (;;) {
      const round = await sendDueEmails(knex, { compose, mailer: timedMailer, clock, log: quiet });
      totals.sent += round.sent;
      totals.skipped += round.skipped;
      totals.failed += round.failed;
      if (round.sent + round.skipped + round.failed === 0) break;
    }
    const totalMs = performance.now() - started;
    const version = (await knex.raw<{ rows: { server_version: string }[] }>('SHOW server_version')).rows[0]!.server_version;
    if (totals.failed > 0 || totals.sent + totals.skipped !== ORGANISATIONS || messages !== totals.sent)
      throw new Error(`expected ${ORGANISATIONS} summaries, got ${JSON.stringify(totals)} and ${messages} messages at the SMTP server`);
    console.log(
      `summaries for ${ORGANISATIONS.toLocaleString('en')} organisations on PostgreSQL ${version}: ${enqueued} recorded in ${seconds(enqueuedMs)}, ` +
        `${totals.sent} composed and sent over SMTP (${Math.round(bytes / totals.sent / 1024)} KB each), ${totals.skipped} skipped; ` +
        `time composing ${seconds(spent.compose)} and in SMTP ${seconds(spent.send)} (summed over the sends at once); total ${seconds(totalMs)} (${(totalMs / ORGANISATIONS).toFixed(1)} ms a summary)`,
    );
    figure({
      name: 'summaries.total_s',
      value: totalMs / 1000,
      unit: 's',
      goal: underGoal(GOAL_S),
      detail: `${ORGANISATIONS} organisations, PostgreSQL ${version}, SMTP 4 at once`,
    });
  } finally {
    mailer.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  logToStderr();
  await benchSummaries();
  process.exit(0);
}
