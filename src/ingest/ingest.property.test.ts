import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../app/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { countRows, createOrgWithIntegration, makeRun } from '../../test/helpers/fixtures.js';

let db: TestDatabase;
let app: Express;
let token: string;

before(async () => {
  db = await createTestDatabase();
  // Hundreds of posts with one token: lift the per-token rate limit for this file.
  app = createApp({ knex: db.knex, ingestLimits: { perMinute: 100_000 } });
  ({ token } = await createOrgWithIntegration(db.knex));
});
after(() => db.drop());

const anyJson = fc.jsonValue({ maxDepth: 3 });

/** A valid run with one path replaced by an arbitrary JSON value, or removed. */
const corruptedRun = fc
  .record({
    path: fc.constantFrom(
      ['run_id'],
      ['schema_version'],
      ['trigger'],
      ['status'],
      ['started_at'],
      ['finished_at'],
      ['records'],
      ['catalog'],
      ['catalog', 'job_titles'],
      ['form_fields'],
      ['records', 0],
      ['records', 0, 'action'],
      ['records', 0, 'outcome'],
      ['records', 1, 'employee'],
      ['records', 1, 'employee', 'email'],
      ['records', 1, 'messages'],
      ['records', 1, 'messages', 0, 'text'],
    ),
    value: fc.option(anyJson, { nil: undefined }),
  })
  .map(({ path, value }) => {
    const run = makeRun({ run_id: 'property' }) as Record<string, unknown>;
    let node: Record<string | number, unknown> = run;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (value === undefined) delete node[last];
    else node[last] = value;
    return run;
  });

test('malformed bodies never cause a 500 and never store anything', async () => {
  const property = fc.asyncProperty(
    fc.oneof(
      corruptedRun,
      anyJson,
      fc.string().map((text) => ({ raw: text })),
    ),
    async (body) => {
      const isRaw = body !== null && typeof body === 'object' && 'raw' in body && Object.keys(body).length === 1;
      const response = await request(app)
        .post('/api/v1/sync-runs')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(isRaw ? String((body as { raw: string }).raw) : JSON.stringify(body));
      assert.ok(response.status < 500, `status ${response.status}: ${response.text}`);
      if (response.status === 201) {
        // Some corruptions are still valid runs (an optional key removed, say): remove them again.
        await db.knex('sync_runs').where({ run_id: 'property' }).del();
      } else {
        assert.equal(response.status, 400, response.text);
        assert.equal(response.type, 'application/problem+json');
      }
      assert.equal(await countRows(db.knex, 'sync_runs'), 0);
      assert.equal(await countRows(db.knex, 'feed_records'), 0);
    },
  );
  await fc.assert(property, { numRuns: 150, seed: 20261123 });
});
