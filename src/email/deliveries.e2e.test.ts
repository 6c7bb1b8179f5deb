/**
 * Exactly once, on a real PostgreSQL: a delivery is recorded once per recipient and key,
 * two senders claiming at once never take the same delivery, a sender whose lease ran out
 * is fenced out, and failures come back later, until the last attempt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOrganisation } from '../orgs/orgs.service.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { claimDueDeliveries, enqueueDelivery, markFailed, markSent } from './deliveries.queries.js';
import { MAX_ATTEMPTS, retryAt } from './retry.js';

let db: TestDatabase;
let orgId: number;
const userIds: number[] = [];
const NOW = new Date('2026-11-30T08:00:00Z');
const LEASE = 5 * 60_000;

before(async () => {
  db = await createTestDatabase();
  orgId = (await createOrganisation(db.knex, 'mail', 'Mail Ltd')).id;
  for (let i = 0; i < 3; i += 1) {
    const [row] = await db
      .knex('users')
      .insert({ email: `ops${i}@example.com` })
      .returning('id');
    userIds.push(Number(row.id));
  }
});
after(() => db.drop());

const enqueue = (userId: number, dedupeKey: string, dueAt = NOW) => enqueueDelivery(db.knex, { orgId, userId, kind: 'summary', dedupeKey, dueAt });

describe('email deliveries', () => {
  test('a summary is recorded once per recipient and period, however many schedulers try', async () => {
    const tries = await Promise.all(Array.from({ length: 6 }, () => enqueue(userIds[0]!, 'summary:daily:2026-11-30')));
    assert.equal(tries.filter((id) => id !== null).length, 1);
    assert.notEqual(await enqueue(userIds[1]!, 'summary:daily:2026-11-30'), null, 'another recipient has their own');
    await db.knex('email_deliveries').where({ org_id: orgId }).delete();
  });

  test('two senders claiming at once take every due delivery once, and nothing not yet due', async () => {
    for (let i = 0; i < 15; i += 1) await enqueue(userIds[i % 3]!, `alert:test:${i}`);
    await enqueue(userIds[0]!, 'alert:later', new Date(NOW.getTime() + 60_000));
    const [a, b] = await Promise.all([claimDueDeliveries(db.knex, NOW, LEASE, 10), claimDueDeliveries(db.knex, NOW, LEASE, 10)]);
    const ids = [...a!, ...b!].map((row) => row.id);
    assert.equal(ids.length, 15);
    assert.equal(new Set(ids).size, 15, 'no delivery claimed twice');
    assert.deepEqual(await claimDueDeliveries(db.knex, NOW, LEASE, 10), [], 'claimed ones are not due again within the lease');
    for (const claim of [...a!, ...b!]) assert.equal(await markSent(db.knex, claim, { messageId: `<${claim.id}@x>`, subject: 's', at: NOW }), true);
    await db.knex('email_deliveries').where({ org_id: orgId }).delete();
  });

  test('a sender whose lease ran out is fenced out; the one that claimed it again decides', async () => {
    await enqueue(userIds[0]!, 'summary:daily:2026-12-01');
    const [first] = await claimDueDeliveries(db.knex, NOW, LEASE, 10);
    const [second] = await claimDueDeliveries(db.knex, new Date(NOW.getTime() + LEASE + 1), LEASE, 10);
    assert.equal(second!.id, first!.id);
    assert.equal(second!.attempts, 2);
    assert.equal(await markSent(db.knex, first!, { messageId: '<late@x>', subject: 's', at: NOW }), false);
    assert.equal(await markSent(db.knex, second!, { messageId: '<ok@x>', subject: 's', at: NOW }), true);
    const row = await db.knex('email_deliveries').where({ org_id: orgId, id: first!.id }).first();
    assert.deepEqual([row.status, row.message_id], ['sent', '<ok@x>']);
    await db.knex('email_deliveries').where({ org_id: orgId }).delete();
  });

  test('a failed send comes back after its back-off, and fails for good only after the last attempt', async () => {
    await enqueue(userIds[0]!, 'alert:missed_run:1');
    let now = NOW;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const [claim] = await claimDueDeliveries(db.knex, now, LEASE, 10);
      assert.ok(claim, `due again for attempt ${attempt}`);
      const next = retryAt(claim.attempts, now);
      assert.equal(await markFailed(db.knex, claim, 'connect ECONNREFUSED 127.0.0.1:25', next), true);
      if (next === null) break;
      assert.deepEqual(await claimDueDeliveries(db.knex, new Date(next.getTime() - 1), LEASE, 10), [], 'not before its time');
      waits.push((next.getTime() - now.getTime()) / 60_000);
      now = next;
    }
    assert.deepEqual(waits.slice(0, 8), [1, 2, 4, 8, 16, 32, 60, 60]);
    assert.ok(
      waits.reduce((sum, minutes) => sum + minutes, 0) >= 24 * 60,
      'retried for a day at least: an SMTP server down for hours makes email late, not lost',
    );
    const row = await db.knex('email_deliveries').where({ org_id: orgId }).first();
    assert.deepEqual([row.status, row.attempts, row.last_error], ['failed', MAX_ATTEMPTS, 'connect ECONNREFUSED 127.0.0.1:25']);
  });
});
