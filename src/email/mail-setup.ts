/** The app's way of sending email, built once from the configuration (server.ts) or given by a test. */
import path from 'node:path';
import { config } from '../config.js';
import { createMailer, type Mailer } from './mailer.js';

export interface EmailSetup {
  mailer: Mailer;
  /** Where the outbox mailer writes its .eml files (read by the Outbox page when there is no SMTP server). */
  outboxDir: string;
}

/** SMTP when SMTP_URL is set, else .eml files in DATA_DIR/outbox. */
export function emailSetupFromConfig(): EmailSetup {
  const { smtpUrl, smtpTlsRejectUnauthorized, smtpFrom, dataDir } = config();
  const outboxDir = path.join(dataDir, 'outbox');
  return { mailer: createMailer({ smtpUrl, smtpTlsRejectUnauthorized, from: smtpFrom, outboxDir }), outboxDir };
}
