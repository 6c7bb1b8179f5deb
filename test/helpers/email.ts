import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { EmailSetup } from '../../src/email/mail-setup.js';
import { createMailer } from '../../src/email/mailer.js';

/** An outbox mailer writing into a fresh temporary directory: what a test app sends never lands in DATA_DIR. */
export function outboxEmailSetup(): EmailSetup {
  const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'feedlog-outbox-'));
  return { mailer: createMailer({ smtpUrl: undefined, smtpTlsRejectUnauthorized: true, from: 'feedlog <feedlog@example.com>', outboxDir }), outboxDir };
}

/** An SMTP mailer to a test server on this machine. */
export function smtpEmailSetup(port: number): EmailSetup {
  return {
    mailer: createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      smtpTlsRejectUnauthorized: false,
      from: 'feedlog <feedlog@example.com>',
      outboxDir: '/nonexistent',
    }),
    outboxDir: '/nonexistent',
  };
}

/** A real SMTP server on a free loopback port that parses every message it accepts into `received`. */
export interface SmtpSink {
  port: number;
  received: ParsedMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(received: ParsedMail[] = []): Promise<SmtpSink> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then((mail) => {
        received.push(mail);
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
