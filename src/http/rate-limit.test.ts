import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { errorHandler } from './errors.js';
import { rateLimit } from './rate-limit.js';

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
