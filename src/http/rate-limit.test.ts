import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { errorHandler } from './errors.js';
import { hit, rateLimit } from './rate-limit.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test('a client over its limit gets 429 with Retry-After and RateLimit headers; other clients keep their own count', async () => {
  const app = express();
  // A window of a year, so that no window boundary falls inside the test.
  app.get('/', rateLimit(db.knex, { name: 'test', limit: 2, windowSeconds: 365 * 86_400, keyOf: (req) => req.get('x-client') }), (_req, res) => {
    res.send('ok');
  });
  app.use(errorHandler);
  const as = (client: string) => request(app).get('/').set('x-client', client);
  assert.equal((await as('a')).status, 200);
  const second = await as('a');
  assert.equal(second.status, 200);
  assert.equal(second.headers['ratelimit-remaining'], '0');
  const third = await as('a');
  assert.equal(third.status, 429);
  assert.equal(third.type, 'application/problem+json');
  assert.ok(Number(third.headers['retry-after']) > 0);
  assert.equal((await as('b')).status, 200);
  // Requests without a key are not limited.
  for (let i = 0; i < 3; i++) assert.equal((await request(app).get('/')).status, 200);
});

test("sweeping ended windows never removes an open window or another limiter's", async () => {
  const year = 365 * 86_400;
  await hit(db.knex, 'sweep-long:a', year);
  await db.knex('rate_limits').insert({ bucket: 'sweep-short:a', window_start: new Date(Date.now() - 3_600_000), hits: 5 });
  await db.knex('rate_limits').insert({ bucket: 'other:a', window_start: new Date(Date.now() - 3_600_000), hits: 5 });
  // Sweeps run on 1% of hits; force enough hits that several sweeps happen.
  for (let i = 0; i < 400; i++) await hit(db.knex, 'sweep-short:b', 60);
  const buckets = (await db.knex('rate_limits').select('bucket')).map((row: { bucket: string }) => row.bucket);
  assert.ok(buckets.includes('sweep-long:a'), 'the open year-long window is kept');
  assert.ok(buckets.includes('other:a'), "another limiter's windows are left to it");
  assert.equal((await hit(db.knex, 'sweep-long:a', year)).hits, 2);
});
