/**
 * The sender against a real SMTP server and PostgreSQL: a server that refuses and then
 * accepts gets the email once; two senders at once send every email once; a composer
 * that finds nothing to say sends nothing; failures are logged, not swallowed.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createOrganisation } from '../orgs/orgs.service.js';
import { frozenClock } from '../shared/clock.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { enqueueDelivery } from './deliveries.queries.js';
import { createMailer, type Mailer } from './mailer.js';
import { messageIdOf, sendDueEmails, type Composed } from './sender.service.js';

let db: TestDatabase;
let orgId: number;
let userId: number;
let server: SMTPServer;
let mailer: Mailer;
const accepted: ParsedMail[] = [];
let refuseNext = 0;
const START = new Date('2026-11-30T08:00:00Z');

before(async () => {
  db = await createTestDatabase();
  orgId = (await createOrganisation(db.knex, 'sender', 'Sender Ltd')).id;
  const [row] = await db.knex('users').insert({ email: 'ops@example.com' }).returning('id');
  userId = Number(row.id);
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      if (refuseNext > 0) {
        refuseNext -= 1;
        stream.resume();
        stream.on('end', () => done(Object.assign(new Error('try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          accepted.push(mail);
          done();
        },
        (error: Error) => done(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mailer = createMailer({
    smtpUrl: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    smtpTlsRejectUnauthorized: true,
    from: 'feedlog <feedlog@example.com>',
    outboxDir: '/nonexistent',
  });
});
after(async () => {
  mailer.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.drop();
});
beforeEach(async () => {
  accepted.length = 0;
  refuseNext = 0;
  await db.knex('email_deliveries').where({ org_id: orgId }).delete();
});

const compose = async (): Promise<Composed> => ({
  email: { to: 'ops@example.com', subject: 'Daily summary', text: 'All runs arrived.', html: '<p>All runs arrived.</p>' },
});

function recordingLog() {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push([level, fields, message]);
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } as never };
}

describe('sending the due emails', () => {
  test('an SMTP server that refuses and then accepts gets the email once; the failure is logged with when it is tried again', async () => {
    await enqueueDelivery(db.knex, { orgId, userId, kind: 'summary', dedupeKey: 'summary:daily:2026-11-30', dueAt: START });
    const clock = frozenClock(START);
    const { lines, log } = recordingLog();
    refuseNext = 1;
    assert.deepEqual(await sendDueEmails(db.knex, { compose, mailer, clock, log }), { sent: 0, skipped: 0, failed: 1 });
    assert.equal(accepted.length, 0);
    assert.equal(lines[0]?.[0], 'warn');
    assert.match(String(lines[0]?.[1].err), /try again later/);
    assert.equal(lines[0]?.[1].retryAt, '2026-11-30T08:01:00.000Z');
    assert.deepEqual(await sendDueEmails(db.knex, { compose, mailer, clock, log }), { sent: 0, skipped: 0, failed: 0 }, 'not before its time');
    clock.advance(60_000);
    assert.deepEqual(await sendDueEmails(db.knex, { compose, mailer, clock, log }), { sent: 1, skipped: 0, failed: 0 });
    clock.advance(3_600_000);
    assert.deepEqual(await sendDueEmails(db.knex, { compose, mailer, clock, log }), { sent: 0, skipped: 0, failed: 0 });
    assert.equal(accepted.length, 1);
    const row = await db.knex('email_deliveries').where({ org_id: orgId }).first();
    assert.deepEqual([row.status, row.attempts, accepted[0]!.messageId], ['sent', 2, messageIdOf(row)]);
  });

  test('two senders at once send each of 12 emails once', async () => {
    for (let i = 0; i < 12; i += 1) await enqueueDelivery(db.knex, { orgId, userId, kind: 'alert', dedupeKey: `alert:test:${i}`, dueAt: START });
    const clock = frozenClock(START);
    const { log } = recordingLog();
    const results = await Promise.all([1, 2].map(() => sendDueEmails(db.knex, { compose, mailer, clock, log, batch: 8 })));
    assert.equal(
      results.reduce((sum, result) => sum + result.sent, 0),
      12,
    );
    assert.equal(accepted.length, 12);
    assert.equal(new Set(accepted.map((mail) => mail.messageId)).size, 12);
  });

  test('nothing to say is nothing sent: the delivery is skipped, with why', async () => {
    await enqueueDelivery(db.knex, { orgId, userId, kind: 'summary', dedupeKey: 'summary:daily:2026-12-01', dueAt: START });
    const { log } = recordingLog();
    const result = await sendDueEmails(db.knex, { compose: async () => ({ skip: 'unsubscribed' }), mailer, clock: frozenClock(START), log });
    assert.deepEqual(result, { sent: 0, skipped: 1, failed: 0 });
    assert.equal(accepted.length, 0);
    const row = await db.knex('email_deliveries').where({ org_id: orgId }).first();
    assert.deepEqual([row.status, row.last_error], ['skipped', 'unsubscribed']);
  });
});
