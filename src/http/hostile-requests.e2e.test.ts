import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import { appRoutes } from '../../test/helpers/routes.js';
import { emailOf, signIn, startWithFixtureUsers, type BrowserSession } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { FORM_FIELD_LIMIT } from './limits.js';

// Issue 9: requests that used to answer 500 where 400, 413 or a cacheable page was wrong.
let db: TestDatabase;
let app: Express;
let owner: BrowserSession;
let apiToken: string;

before(async () => {
  const started = await startWithFixtureUsers();
  ({ db, app } = started);
  apiToken = started.apiTokens.owner;
  owner = await signIn(app, emailOf('owner'));
});
after(() => db.drop());

describe('bad percent-encoding in a path', () => {
  test('every route with a parameter answers 400 naming it, API and pages alike, never 500', async () => {
    const routes = appRoutes(app).filter((route) => route.includes('/:'));
    assert.ok(routes.length >= 8, routes.join(', '));
    const csrf = await owner.csrf();
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const url = path.replace(/:[a-zA-Z_]+/g, '%ZZ');
      const req = owner.agent[method.toLowerCase() as 'get' | 'post' | 'patch'](url);
      if (url.startsWith('/api/')) req.set('Authorization', `Bearer ${apiToken}`);
      else req.set('Accept', 'text/html');
      if (method === 'POST') req.type('form').send({ _csrf: csrf });
      const response = await req;
      assert.equal(response.status, 400, `${route}: ${response.text.slice(0, 300)}`);
      assert.match(response.text, /percent-encoding/, route);
      assert.match(response.text, /%ZZ/, route);
    }
  });
});

describe('forms', () => {
  test(`a form with more than ${FORM_FIELD_LIMIT} fields is a 413 that says so`, async () => {
    const fields = Object.fromEntries(Array.from({ length: FORM_FIELD_LIMIT + 1 }, (_, i) => [`f${i}`, 'x']));
    const response = await owner.agent
      .post('/settings/tokens')
      .type('form')
      .set('Accept', 'application/json')
      .send({ ...fields, _csrf: await owner.csrf() });
    assert.equal(response.status, 413, response.text);
    assert.match(response.body.detail, new RegExp(`more than ${FORM_FIELD_LIMIT} fields`));
  });
});

describe('caching', () => {
  test('signed-in pages, their error pages and the sign-in page are private, no-store', async () => {
    for (const path of ['/', '/error-groups', '/integrations', '/members', '/settings/tokens', '/settings/password', '/api/docs', '/no-such-page']) {
      const response = await owner.agent.get(path).set('Accept', 'text/html');
      assert.equal(response.headers['cache-control'], 'private, no-store', path);
    }
    const login = await owner.agent.get('/login');
    assert.equal(login.headers['cache-control'], 'private, no-store');
  });
});
