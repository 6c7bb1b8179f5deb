import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createMailer } from './mailer.js';

const EMAIL = {
  to: 'ops@example.com',
  subject: 'Daily summary: 3 new error groups',
  text: 'Planday to Flow Learning: 12 runs, 92% succeeded.',
  html: '<p style="margin:0">Planday to Flow Learning: <b>12 runs</b>, 92% succeeded.</p>',
  headers: { 'List-Unsubscribe': '<https://feedlog.example.com/unsubscribe/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
};

function assertIsTheEmail(mail: ParsedMail) {
  assert.equal(mail.subject, EMAIL.subject);
  assert.equal(mail.text?.trim(), EMAIL.text);
  assert.match(String(mail.html), /<b>12 runs<\/b>/);
  // mailparser folds List-* headers into one object: read the lines as sent.
  const line = (key: string) => mail.headerLines.find((header) => header.key === key)?.line;
  assert.equal(line('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  assert.equal(line('list-unsubscribe'), 'List-Unsubscribe: <https://feedlog.example.com/unsubscribe/abc>');
  assert.deepEqual(
    [mail.from?.value[0]?.address, (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.address],
    ['feedlog@example.com', 'ops@example.com'],
  );
}

describe('sending email', () => {
  const received: ParsedMail[] = [];
  let server: SMTPServer;
  let port: number;
  before(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        simpleParser(stream).then(
          (mail) => {
            received.push(mail);
            done();
          },
          (error: Error) => done(error),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('over SMTP to a real server: subject, text, HTML, sender and the unsubscribe headers', async () => {
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      smtpTlsRejectUnauthorized: true,
      from: 'feedlog <feedlog@example.com>',
      outboxDir: '/nonexistent',
    });
    try {
      const sent = await mailer.send(EMAIL);
      assert.equal(mailer.kind, 'smtp');
      assert.equal(sent.outboxFile, null);
      assert.equal(received.length, 1);
      assertIsTheEmail(received[0]!);
      assert.equal(received[0]!.messageId, sent.messageId);
    } finally {
      mailer.close();
    }
  });

  test('a server that refuses the message is an error the caller sees, not a silent loss', async () => {
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        stream.resume();
        stream.on('end', () => done(Object.assign(new Error('mailbox full'), { responseCode: 452 })));
      },
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${(refusing.server.address() as AddressInfo).port}`,
      smtpTlsRejectUnauthorized: true,
      from: 'feedlog@example.com',
      outboxDir: '/nonexistent',
    });
    try {
      await assert.rejects(mailer.send(EMAIL), /mailbox full/);
    } finally {
      mailer.close();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  test('without SMTP, into the outbox: one .eml file that parses to the same email', async () => {
    const outboxDir = await mkdtemp(path.join(os.tmpdir(), 'feedlog-outbox-'));
    try {
      const mailer = createMailer({ smtpUrl: undefined, smtpTlsRejectUnauthorized: true, from: 'feedlog <feedlog@example.com>', outboxDir });
      const sent = await mailer.send(EMAIL);
      assert.equal(mailer.kind, 'outbox');
      assert.deepEqual(await readdir(outboxDir), [path.basename(sent.outboxFile!)]);
      assert.match(sent.outboxFile!, /\.eml$/);
      assertIsTheEmail(await simpleParser(await readFile(sent.outboxFile!)));
    } finally {
      await rm(outboxDir, { recursive: true, force: true });
    }
  });
});
