/**
 * Which summaries are due, on a real PostgreSQL with a frozen time: one delivery per
 * person and period in their own zone, however often the schedulers tick; none for those
 * who want none or unsubscribed; and the one-click unsubscribe link, kept only hashed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOrganisation } from '../orgs/orgs.service.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { createUnsubscribeToken, type EmailPreferences, savePreferences, unsubscribe } from '../email/preferences.queries.js';
import { enqueueDueSummaries } from './summaries.service.js';

let db: TestDatabase;
let orgId: number;
const users: Record<'copenhagen' | 'london' | 'quiet', number> = { copenhagen: 0, london: 0, quiet: 0 };

const DEFAULTS: Omit<EmailPreferences, 'unsubscribed_at'> = {
  integration_ids: null,
  frequency: 'daily',
  local_time: '08:00',
  weekday: 1,
  min_severity: 'error',
  empty_summary: 'skip',
  alerts: ['missed_run'],
  alert_after_failures: 1,
  alert_repeat: 'daily',
};

before(async () => {
  db = await createTestDatabase();
  orgId = (await createOrganisation(db.knex, 'summaries', 'Summaries Ltd')).id;
  for (const [name, timeZone] of [
    ['copenhagen', 'Europe/Copenhagen'],
    ['london', 'Europe/London'],
    ['quiet', 'UTC'],
  ] as const) {
    const [row] = await db
      .knex('users')
      .insert({ email: `${name}@example.com`, time_zone: timeZone })
      .returning('id');
    users[name] = Number(row.id);
    await db.knex('memberships').insert({ org_id: orgId, user_id: users[name], role: 'ops' });
  }
  await savePreferences(db.knex, orgId, users.copenhagen, DEFAULTS);
  await savePreferences(db.knex, orgId, users.london, { ...DEFAULTS, frequency: 'weekly', weekday: 1 });
  await savePreferences(db.knex, orgId, users.quiet, { ...DEFAULTS, frequency: 'off' });
});
after(() => db.drop());

const deliveries = async () =>
  (await db.knex('email_deliveries').where({ org_id: orgId }).orderBy('id')).map((row) => [Number(row.user_id), row.dedupe_key, row.period_end.toISOString()]);

describe('due summaries', () => {
  test('each person gets one delivery per period of their own zone, however many schedulers tick', async () => {
    // 07:30 UTC on Monday 30 November: 08:30 in Copenhagen, 07:30 in London.
    const now = new Date('2026-11-30T07:30:00Z');
    const added = await Promise.all([1, 2, 3].map(() => enqueueDueSummaries(db.knex, now)));
    assert.equal(
      added.reduce((sum, count) => sum + count, 0),
      2,
    );
    assert.deepEqual(await deliveries(), [
      [users.copenhagen, 'summary:daily:2026-11-30', '2026-11-30T07:00:00.000Z'],
      [users.london, 'summary:weekly:2026-11-23', '2026-11-23T08:00:00.000Z'],
    ]);
    assert.equal(await enqueueDueSummaries(db.knex, new Date('2026-11-30T07:59:00Z')), 0);
    assert.equal(await enqueueDueSummaries(db.knex, new Date('2026-11-30T08:00:00Z')), 1, 'London’s Monday 08:00 has come');
  });

  test('one click unsubscribes without signing in; the link is kept hashed, and a made-up one does nothing', async () => {
    const token = await createUnsubscribeToken(db.knex, orgId, users.copenhagen);
    assert.match(token, /^fl_uns_\d+_[A-Za-z0-9_-]{43}$/);
    const stored = await db.knex('unsubscribe_links').where({ org_id: orgId }).first();
    assert.notEqual(stored.token_hash, token);
    assert.equal(await unsubscribe(db.knex, `${token.slice(0, -4)}AAAA`, new Date()), null);
    assert.equal(await unsubscribe(db.knex, 'fl_api_1_x', new Date()), null);
    assert.deepEqual(await unsubscribe(db.knex, token, new Date('2026-11-30T09:00:00Z')), { orgId, userId: users.copenhagen });
    assert.equal(await enqueueDueSummaries(db.knex, new Date('2026-12-01T07:30:00Z')), 0, 'no summary after unsubscribing');
    await savePreferences(db.knex, orgId, users.copenhagen, DEFAULTS);
    assert.equal(await enqueueDueSummaries(db.knex, new Date('2026-12-01T07:30:00Z')), 1, 'saving preferences subscribes again');
  });
});
