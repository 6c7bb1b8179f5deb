/**
 * How feedlog sends email: over SMTP (nodemailer) when SMTP_URL is set, else into the
 * outbox, one .eml file per message under DATA_DIR/outbox, so that a fresh install on the
 * embedded database shows what it would send. Both build the message the same way
 * (nodemailer's composer), so an outbox file is byte for byte what SMTP would carry.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, such as List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
  /** The Message-ID to send under (the sender derives it from the delivery, so a resend is recognisable). */
  messageId?: string;
}

export interface SentEmail {
  messageId: string;
  /** The outbox file the message was written to, when there is no SMTP server. */
  outboxFile: string | null;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(email: OutgoingEmail): Promise<SentEmail>;
  close(): void;
}

export interface MailerSettings {
  smtpUrl: string | undefined;
  /** Whether to refuse an SMTP server whose TLS certificate does not verify (default true). */
  smtpTlsRejectUnauthorized: boolean;
  from: string;
  outboxDir: string;
}

export function createMailer(settings: MailerSettings): Mailer {
  return settings.smtpUrl ? smtpMailer(settings, settings.smtpUrl) : outboxMailer(settings);
}

function smtpMailer(settings: MailerSettings, url: string): Mailer {
  // The URL carries host, port, credentials and smtps://; the TLS check is a setting of its own.
  const { hostname, port, protocol, username, password } = new URL(url);
  const transport = nodemailer.createTransport({
    host: hostname,
    port: port ? Number(port) : protocol === 'smtps:' ? 465 : 587,
    secure: protocol === 'smtps:',
    auth: username ? { user: decodeURIComponent(username), pass: decodeURIComponent(password) } : undefined,
    tls: { rejectUnauthorized: settings.smtpTlsRejectUnauthorized },
    // A few connections kept open and reused: a new one costs a greeting, EHLO and often TLS
    // (100 ms and more), which for a thousand summaries in a row would be minutes.
    pool: true,
    maxConnections: 4,
  });
  return {
    kind: 'smtp',
    async send(email) {
      const info = await transport.sendMail({ ...email, from: settings.from });
      return { messageId: String(info.messageId), outboxFile: null };
    },
    close: () => transport.close(),
  };
}

function outboxMailer(settings: MailerSettings): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(email) {
      const info = await transport.sendMail({ ...email, from: settings.from });
      await mkdir(settings.outboxDir, { recursive: true });
      // Sortable by time, and unique: the Message-ID's local part is random.
      const id = String(info.messageId).replace(/[^A-Za-z0-9._-]/g, '');
      const file = path.join(settings.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`);
      await writeFile(file, info.message as Buffer, { flag: 'wx' });
      return { messageId: String(info.messageId), outboxFile: file };
    },
    close: () => transport.close(),
  };
}
