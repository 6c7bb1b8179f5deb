import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { createFixtureUsers } from '../../test/helpers/accounts.js';
import { up as shortenTokenHints } from '../../migrations/2026-11-24-1000-shorten-token-hints.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test('the hint migration shortens hints stored before the fix, in token tables and the audit log', async () => {
  await createFixtureUsers(db.knex);
  // As the old tokenHint cut them: at the last '_', deep inside the secret.
  const leaky = 'fl_api_1_abcd_efghijklmnopqrstuvwxyz_ABCD…';
  await db.knex('api_tokens').update({ token_hint: leaky });
  await db.knex('ingest_tokens').update({ token_hint: 'fl_ing_1_Zyx_wvutsrqponmlkj_ihgf…' });
  await db.knex('audit_events').insert({
    org_id: 0,
    actor: 'cli',
    action: 'api_token.created',
    target_type: 'user',
    target_id: '1',
    details: JSON.stringify({ name: 'api', hint: leaky }),
  });

  await shortenTokenHints(db.knex);
  await shortenTokenHints(db.knex); // idempotent

  const apiHints = (await db.knex('api_tokens').select('token_hint')).map((r) => r.token_hint);
  assert.ok(apiHints.length > 0);
  assert.ok(apiHints.every((hint) => hint === 'fl_api_1_abcd…'));
  assert.ok((await db.knex('ingest_tokens').select('token_hint')).every((r) => r.token_hint === 'fl_ing_1_Zyx_…'));
  const audit = await db.knex('audit_events').whereRaw("details->>'hint' IS NOT NULL").select('details');
  assert.ok(
    audit.every((row) => /^fl_[a-z]+_\d+_.{0,4}…$/.test(row.details.hint)),
    JSON.stringify(audit),
  );
  assert.ok(audit.some((row) => row.details.hint === 'fl_api_1_abcd…'));
  assert.ok(
    audit.every((row) => row.details.name !== undefined),
    'other details are kept',
  );
});
