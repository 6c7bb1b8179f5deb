import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
