import { out, required, withDatabase, type Command } from './shared.js';

const note = (line: string) => process.stderr.write(`note: ${line}\n`);

export const SUMMARY_COMMANDS: Command[] = [
  {
    name: 'summary send',
    usage: 'summary send --user <email> [--org <slug>] [--dry-run]',
    summary:
      "Send a person's email summary for their latest period now (over SMTP_URL, else to the outbox), recorded as a delivery; --dry-run prints it instead, sending and recording nothing.",
    options: { user: { type: 'string' }, org: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(values) {
      const email = required(values, 'user');
      const dryRun = values['dry-run'] === true;
      const [{ config }, { emailSetupFromConfig }, { sendSummaryNow }, { systemClock }] = await Promise.all([
        import('../../config.js'),
        import('../../email/mail-setup.js'),
        import('../../summaries/summary-now.service.js'),
        import('../../shared/clock.js'),
      ]);
      const { publicUrl } = config();
      const mailer = dryRun ? undefined : emailSetupFromConfig().mailer;
      try {
        const result = await withDatabase(({ knex }) =>
          sendSummaryNow(knex, { email, orgSlug: values.org as string | undefined, dryRun, mailer, publicUrl, clock: systemClock }),
        );
        for (const line of result.notes) note(line);
        const period = `${result.period.start.toISOString()} to ${result.period.end.toISOString()}`;
        if (dryRun) {
          out(`Summary for ${result.to} in '${result.organisation}', ${period} (dry run: nothing sent or recorded)`);
          out(`To: ${result.email.to}`);
          out(`Subject: ${result.email.subject}`);
          out('');
          process.stdout.write(result.email.text);
          out('');
          out(`HTML: ${Buffer.byteLength(result.email.html).toLocaleString('en')} bytes (the same lines and links, as tables with inline CSS)`);
          out(`Send it with: feedlog summary send --user ${result.to} --org ${result.organisation}`);
          return;
        }
        const sent = result.sent!;
        out(
          sent.outboxFile
            ? `Wrote the summary for ${result.to} in '${result.organisation}' (${period}) to the outbox: ${sent.outboxFile} (no SMTP_URL is set; set it to send over SMTP).`
            : `Sent the summary to ${result.to} in '${result.organisation}' (${period}) over SMTP.`,
        );
        out(`Subject: ${result.email.subject}`);
        out(`Recorded as delivery ${sent.deliveryId}, Message-ID ${sent.messageId}.`);
      } finally {
        mailer?.close();
      }
    },
  },
];
