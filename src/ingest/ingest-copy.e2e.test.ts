import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { createApp } from '../app/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { countRows, createOrgWithIntegration, makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';

// Ingest writes records, errors and state versions with COPY (src/db/copy.ts): what an engine
// sends comes back byte-exact, and a COPY that fails leaves nothing of the run.
let db: TestDatabase;
let app: Express;
let token: string;

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex });
  ({ token } = await createOrgWithIntegration(db.knex));
});
after(() => db.drop());

const HOSTILE = 'Tab\there, new\nline, CR\r, back\\slash, \\N, \\., U+2028\u2028, 👩🏽‍🍳, "quotes"';

describe('hostile text through COPY', () => {
  test('employee values, unknown keys and messages are stored byte-exact in the columns, raw, employee and messages', async () => {
    const long = `${'é'.repeat(40_000)}\t${'\\'.repeat(1000)}`;
    const record = {
      external_id: `id\t${HOSTILE}`,
      action: 'create',
      outcome: 'failed',
      engine_key: { nested: [HOSTILE, null, 1.5, true] },
      employee: {
        first_name: HOSTILE,
        last_name: long,
        email: 'x\\y@example.com',
        job_title: 'Head\tChef',
        department: 'Kitchen',
        branch: 'London Soho',
        [`key\twith\ntabs\\`]: HOSTILE,
      },
      messages: [{ code: 'X', field: 'job_title', text: HOSTILE }],
    };
    // The same employee applied: a state version of theirs is written too.
    const applied = { ...record, external_id: `applied\t${HOSTILE}`, outcome: 'succeeded', messages: [] };
    const run = makeRun({ run_id: 'hostile-copy', records: [record, applied] });
    const response = await postRun(app, token, run);
    assert.equal(response.status, 201, response.text);
    const stored = await db.knex('feed_records').where({ index: 0 }).first();
    assert.equal(stored.external_id, record.external_id);
    assert.equal(stored.first_name, HOSTILE);
    assert.equal(stored.last_name, long);
    assert.equal(stored.email, record.employee.email);
    assert.equal(stored.job_title, 'Head\tChef');
    assert.equal(stored.date_of_birth, null);
    assert.deepEqual(stored.raw, record);
    assert.deepEqual(stored.employee, record.employee);
    assert.deepEqual(stored.messages, record.messages);
    assert.equal(stored.error_count > 0, true);
    // The error on the unknown job title carries the value as sent.
    const errors = await db.knex('errors').where({ record_index: 0 });
    assert.ok(
      errors.some((error) => error.value === 'Head\tChef'),
      JSON.stringify(errors),
    );
    const state = await db.knex('employee_state_versions').where({ external_id: applied.external_id }).first();
    assert.equal(state.last_name, long);
    assert.equal(state.first_name, HOSTILE);
  });
});

describe('a failed COPY', () => {
  for (const table of ['feed_records', 'errors', 'employee_state_versions']) {
    test(`a COPY into ${table} that fails rolls the whole run back`, async () => {
      await db.knex.raw(`
        CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
        CREATE TRIGGER refuse BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_row();`);
      try {
        const before = Object.fromEntries(
          await Promise.all(
            ['sync_runs', 'feed_records', 'errors', 'employee_states', 'employee_summaries', 'error_groups'].map(async (t) => [t, await countRows(db.knex, t)]),
          ),
        );
        // Employees never seen before: each has a first state version to write.
        const records = (makeRun().records as { external_id: string }[]).map((record) => ({ ...record, external_id: `${table}-${record.external_id}` }));
        const response = await postRun(app, token, makeRun({ run_id: `refused-${table}`, records }));
        assert.equal(response.status, 500, response.text);
        for (const [t, count] of Object.entries(before)) assert.equal(await countRows(db.knex, t), count, t);
        assert.equal(
          await db
            .knex('sync_runs')
            .where({ run_id: `refused-${table}` })
            .first(),
          undefined,
        );
      } finally {
        await db.knex.raw(`DROP TRIGGER refuse ON ${table}; DROP FUNCTION refuse_row();`);
      }
      // The same run goes in once the table takes rows again: nothing of the failed attempt was left.
      const records = (makeRun().records as { external_id: string }[]).map((record) => ({ ...record, external_id: `${table}-${record.external_id}` }));
      const again = await postRun(app, token, makeRun({ run_id: `refused-${table}`, records }));
      assert.equal(again.status, 201, again.text);
    });
  }
});
