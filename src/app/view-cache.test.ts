import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { parseConfig, serveDefaults } from '../config.js';
import { createApp } from './app.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(() => db.drop());

test("the app keeps compiled views exactly when told to; feedlog serve's configuration tells it to", async () => {
  const served = parseConfig({}, serveDefaults(true));
  const cached = createApp({ knex: db.knex, viewCache: served.viewCache });
  assert.equal(cached.enabled('view cache'), true);
  // The tests run with NODE_ENV=test: views are compiled per page unless asked.
  assert.equal(createApp({ knex: db.knex }).enabled('view cache'), false);
  // Either way the pages render.
  for (const app of [cached, createApp({ knex: db.knex, viewCache: false })]) {
    const first = await request(app).get('/login');
    const second = await request(app).get('/login');
    assert.equal(first.status, 200);
    assert.equal(second.text.replace(/name="_csrf" value="[^"]*"/g, ''), first.text.replace(/name="_csrf" value="[^"]*"/g, ''));
  }
});
