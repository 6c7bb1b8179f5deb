import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { createApp } from './app.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test('pages carry a strict Content-Security-Policy and the other helmet headers', async () => {
  const response = await request(createApp({ knex: db.knex })).get('/login');
  assert.equal(response.status, 200);
  const csp = response.headers['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https:/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
  assert.ok(response.headers['strict-transport-security']);
  assert.equal(response.headers['x-powered-by'], undefined);
  // same-origin, not no-referrer: under no-referrer Chromium posts our own forms with `Origin: null`.
  assert.equal(response.headers['referrer-policy'], 'same-origin');
});
