/**
 * Property-based fuzzing of every route of the router (issue 9), listed from
 * the Express router itself like the isolation walk, so that a new route cannot
 * escape: arbitrary query strings (the route's own parameter names, from its
 * zod schema where it has one, and arbitrary names; values with NUL, lone
 * surrogates, very long text, numbers, dates, `%` sequences), arbitrary path
 * parameters (bad percent-encoding included), and arbitrary form fields and
 * JSON bodies, with a valid CSRF token and a signed-in admin and without. The
 * answer is never a 5xx; the API's refusals are problem+json. The ingest body
 * has its own fuzz test (test/ingest-fuzz.property.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { listApiTokens } from '../src/accounts/accounts.queries.js';
import { createApiToken } from '../src/accounts/accounts.service.js';
import { findUserByEmail } from '../src/auth/auth.queries.js';
import { SESSION_COOKIE, startSession } from '../src/auth/sessions.js';
import { employeeListPageSchema, employeeListSchema, employeePageSchema, employeeQuerySchema } from '../src/employees/employees.schemas.js';
import { driftFiltersSchema, driftPageSchema } from '../src/drift/drift.schemas.js';
import { eventFiltersSchema } from '../src/events/events.schemas.js';
import { groupDetailQuerySchema, groupFiltersSchema, groupPageQuerySchema, groupPageSchema } from '../src/groups/groups.schemas.js';
import { overviewFilterSchema } from '../src/overview/overview.schemas.js';
import { recordFiltersSchema } from '../src/records/records.schemas.js';
import { runFiltersSchema, runPageSchema, runRecordsPageSchema } from '../src/runs/runs.schemas.js';
import { trendsFiltersSchema, trendsPageSchema } from '../src/trends/trends.schemas.js';
import { csrfFrom, emailOf, startWithFixtureUsers } from './helpers/accounts.js';
import { outboxPageSchema, preferencesBodySchema } from '../src/notifications/notifications.schemas.js';
import { createUnsubscribeToken } from '../src/email/preferences.queries.js';
import type { TestDatabase } from './helpers/database.js';
import { makeRun } from './helpers/fixtures.js';
import { badPercent, hostileText, incompressible, paramName, percentEncode, queryString, urlComponent } from './helpers/hostile.js';
import { postRun } from './helpers/ingest.js';
import { appRoutes } from './helpers/routes.js';

type Target = 'run' | 'recordIndex' | 'group' | 'employee' | 'ownerToken' | 'integration' | 'org' | 'teammateUser' | 'unsubscribeToken' | 'delivery';

interface FuzzSpec {
  /** The query parameters the route reads (besides arbitrary ones). */
  query?: readonly string[];
  /** What a valid path parameter points at (an object of org-a). */
  params?: Record<string, Target>;
  /** The form (or JSON) fields the route reads. */
  fields?: readonly string[];
  /** The body is fuzzed elsewhere (the ingest route). */
  bodyElsewhere?: true;
}

const PAGE = ['limit', 'cursor'];
const names = (schema: { shape: object }) => Object.keys(schema.shape);

const EMAIL_FIELDS = ['integrations', ...names(preferencesBodySchema)];

/** Every route of the app. A route the router has and this table lacks fails the first test. */
const FUZZ: Record<string, FuzzSpec> = {
  'GET /healthz': {},
  'GET /readyz': {},
  'GET /metrics': {},
  'POST /api/v1/sync-runs': { bodyElsewhere: true },
  'GET /api/v1/sync-runs': { query: names(runFiltersSchema) },
  'GET /api/v1/sync-runs/:id': { params: { id: 'run' } },
  'GET /api/v1/records': { query: names(recordFiltersSchema) },
  'GET /api/v1/employees/:external_id': { params: { external_id: 'employee' }, query: names(employeeQuerySchema) },
  'GET /api/v1/employees': { query: names(employeeListSchema) },
  'GET /api/v1/error-groups': { query: names(groupFiltersSchema) },
  'GET /api/v1/error-groups/:id': { params: { id: 'group' }, query: names(groupDetailQuerySchema) },
  'PATCH /api/v1/error-groups/:id': { params: { id: 'group' }, fields: ['status'] },
  'GET /api/v1/drift': { query: names(driftFiltersSchema) },
  'GET /api/v1/overview': { query: names(overviewFilterSchema) },
  'GET /api/v1/events': { query: names(eventFiltersSchema) },
  'GET /api/v1/trends': { query: names(trendsFiltersSchema) },
  'GET /static/vendor/chart.umd.min.js': {},
  'GET /api/v1/openapi.json': {},
  'GET /api/docs': {},
  'GET /login': { query: ['next', 'signed_out'] },
  'POST /login': { fields: ['email', 'password', 'next'] },
  'POST /logout': { fields: [] },
  'GET /': { query: names(overviewFilterSchema) },
  'GET /error-groups': { query: names(groupPageSchema) },
  'GET /error-groups/:id': { params: { id: 'group' }, query: [...names(groupPageQuerySchema), 'done'] },
  'POST /error-groups/:id/status': { params: { id: 'group' }, fields: ['status', 'back'] },
  'GET /drift': { query: names(driftPageSchema) },
  'GET /trends': { query: names(trendsPageSchema) },
  'GET /runs': { query: names(runPageSchema) },
  'GET /runs/:id': { params: { id: 'run' }, query: names(runRecordsPageSchema) },
  'GET /runs/:id/records/:index': { params: { id: 'run', index: 'recordIndex' } },
  'GET /integrations': { query: PAGE },
  'GET /search': { query: ['q'] },
  'GET /employees': { query: names(employeeListPageSchema) },
  'GET /employees/:external_id': { params: { external_id: 'employee' }, query: names(employeePageSchema) },
  'POST /integrations/:id/rotate-token': { params: { id: 'integration' }, fields: ['replaces'] },
  'GET /members': { query: ['done', 'who', ...PAGE] },
  'POST /orgs/:orgId/members': { params: { orgId: 'org' }, fields: ['email', 'role'] },
  'POST /orgs/:orgId/members/:userId/role': { params: { orgId: 'org', userId: 'teammateUser' }, fields: ['role'] },
  'POST /orgs/:orgId/members/:userId/remove': { params: { orgId: 'org', userId: 'teammateUser' }, fields: [] },
  'GET /settings/tokens': { query: ['revoked', ...PAGE] },
  'GET /settings/password': { query: ['done'] },
  'GET /settings/profile': { query: ['saved'] },
  'POST /settings/profile': { fields: ['time_zone'] },
  'POST /settings/password': { fields: ['current', 'password', 'confirm'] },
  'POST /settings/tokens': { fields: ['name'] },
  'POST /settings/tokens/:id/revoke': { params: { id: 'ownerToken' }, fields: [] },
  'GET /settings/notifications': { query: ['done', 'org', 'test'] },
  'POST /settings/notifications/:orgId': { params: { orgId: 'org' }, fields: EMAIL_FIELDS },
  'POST /settings/notifications/:orgId/defaults': { params: { orgId: 'org' }, fields: EMAIL_FIELDS },
  'POST /settings/notifications/:orgId/test': { params: { orgId: 'org' }, fields: [] },
  'GET /outbox': { query: names(outboxPageSchema) },
  'GET /outbox/:id': { params: { id: 'delivery' } },
  'GET /api/v1/me/email-preferences': {},
  'PUT /api/v1/me/email-preferences/:org': { params: { org: 'org' }, fields: names(preferencesBodySchema) },
  'GET /unsubscribe/:token': { params: { token: 'unsubscribeToken' } },
  'POST /unsubscribe/:token': { params: { token: 'unsubscribeToken' }, fields: ['List-Unsubscribe'] },
};

/** Runs per route and mode: enough to find what the issue found, few enough for CI. */
const RUNS = 25;

let db: TestDatabase;
let app: Express;
let apiToken: string;
let ownerId: number;
const targets = {} as Record<Target, string>;

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app } = fixtures);
  // Sign-in posts come from arbitrary X-Forwarded-For addresses, so the per-address limit does not stop them all at 30.
  app.set('trust proxy', true);
  apiToken = fixtures.apiTokens.owner;
  const run = await postRun(app, fixtures.orgA.token, makeRun({ run_id: 'fuzz-a' }));
  assert.equal(run.status, 201, run.text);
  const group = await db.knex('error_groups').where({ org_id: fixtures.orgA.organisation.id }).first('id');
  ownerId = (await findUserByEmail(db.knex, emailOf('owner')))!.id;
  await createApiToken(db.knex, emailOf('owner'), 'to revoke');
  const toRevoke = (await listApiTokens(db.knex, ownerId)).find((t) => t.name === 'to revoke')!;
  Object.assign(targets, {
    run: String(run.body.id),
    recordIndex: '1',
    group: String(group.id),
    employee: '4512_1',
    ownerToken: String(toRevoke.id),
    integration: String(fixtures.orgA.integration.id),
    org: String(fixtures.orgA.organisation.id),
    teammateUser: String((await findUserByEmail(db.knex, emailOf('teammate')))!.id),
    unsubscribeToken: await createUnsubscribeToken(db.knex, fixtures.orgA.organisation.id, ownerId),
    delivery: String(
      (
        await db
          .knex('email_deliveries')
          .insert({ org_id: fixtures.orgA.organisation.id, user_id: ownerId, kind: 'test', dedupe_key: 'test:fuzz', subject: 'fuzz' })
          .returning('id')
      )[0].id,
    ),
  });
});
after(() => db.drop());

const specOf = (route: string) => FUZZ[route] ?? assert.fail(`New route ${route}: add it to FUZZ in test/route-fuzz.property.test.ts`);

/** A signed-in session of the owner (admin of org-a), made directly so that no sign-in limit applies, and its CSRF token. */
async function ownerSession(): Promise<{ cookie: string; csrf: string }> {
  const { cookieValue } = await startSession(db.knex, ownerId, {});
  const cookie = `${SESSION_COOKIE}=${cookieValue}`;
  const page = await request(app).get('/settings/tokens').set('Cookie', cookie);
  return { cookie, csrf: csrfFrom(page.text) };
}

/** The sign-in page's CSRF cookie and token, as a signed-out browser at `address` gets them (sign-in has its own). */
async function loginPage(address: string): Promise<{ cookie: string; csrf: string }> {
  const page = await request(app).get('/login').set('X-Forwarded-For', address);
  const cookie = ([] as string[])
    .concat(page.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrf: csrfFrom(page.text) };
}

/** A path parameter: the valid target, or anything at all (bad percent-encoding included). */
const pathParam = (target: Target) =>
  fc.oneof({ arbitrary: fc.constant(encodeURIComponent(targets[target])), weight: 1 }, { arbitrary: urlComponent, weight: 3 });

const pathOf = (route: string, values: Record<string, string>) => route.split(' ')[1]!.replace(/:(\w+)/g, (_, name: string) => values[name]!);

const pathArbitrary = (route: string, spec: FuzzSpec): fc.Arbitrary<string> => {
  const params = Object.entries(spec.params ?? {});
  if (params.length === 0) return fc.constant(pathOf(route, {}));
  return fc.record(Object.fromEntries(params.map(([name, target]) => [name, pathParam(target)]))).map((values) => pathOf(route, values));
};

/** A form body: 0 to 20 fields (names the route reads and arbitrary ones, which may repeat), encoded or badly encoded. */
const formFields = (spec: FuzzSpec) =>
  fc.array(fc.tuple(paramName(spec.fields ?? []), urlComponent), { maxLength: 20 }).map((pairs) => pairs.map(([name, value]) => `${name}=${value}`));

const snippet = (res: request.Response) => `${res.status} ${(res.text ?? '').replace(/\s+/g, ' ').slice(0, 300)}`;

function assertAnswer(res: request.Response, what: string) {
  assert.ok(res.status < 500, `${what} answered ${snippet(res)}`);
  // 431: a request line and headers over Node's 16 KB limit are refused by its
  // HTTP parser before the app sees them (a long external ID plus a long query
  // string), so there is no problem document to check.
  if (what.includes(' /api/v1/') && res.status >= 400 && res.status !== 431) {
    assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/, `${what}: an API refusal is problem+json: ${snippet(res)}`);
  }
}

type Who = 'owner' | 'anonymous';

/** Sends a GET as the owner (API token or session cookie) or anonymously. */
async function get(path: string, who: Who, accept: string) {
  const req = request(app).get(path).set('Accept', accept);
  if (who === 'anonymous') return req;
  if (path.startsWith('/api/')) return req.set('Authorization', `Bearer ${apiToken}`);
  return req.set('Cookie', (await ownerSession()).cookie);
}

describe('the fuzz table', () => {
  test('lists exactly the routes of the router', () => {
    const found = appRoutes(app);
    for (const route of found) specOf(route);
    for (const route of Object.keys(FUZZ)) assert.ok(found.includes(route), `${route} is in FUZZ but the router has no such route: remove it`);
  });
});

describe('arbitrary query strings and path parameters never make a route answer 5xx', () => {
  const session: { cookie?: string } = {};
  for (const route of Object.keys(FUZZ)) {
    const [method, template] = route.split(' ') as [string, string];
    if (method !== 'GET') continue;
    test(route, { timeout: 120_000 }, async () => {
      session.cookie ??= (await ownerSession()).cookie;
      const spec = specOf(route);
      await fc.assert(
        fc.asyncProperty(
          pathArbitrary(route, spec),
          queryString(spec.query ?? []),
          fc.constantFrom<Who>('owner', 'anonymous'),
          fc.constantFrom('text/html', 'application/json', '*/*'),
          async (path, query, who, accept) => {
            const url = `${path}?${query}`;
            const req = request(app).get(url).set('Accept', accept);
            if (who === 'owner')
              req.set(template.startsWith('/api/') ? 'Authorization' : 'Cookie', template.startsWith('/api/') ? `Bearer ${apiToken}` : session.cookie!);
            assertAnswer(await req, `${route} as ${who}: GET ${url.slice(0, 300)}`);
          },
        ),
        { numRuns: RUNS, includeErrorInReport: true },
      );
    });
  }
});

describe('arbitrary form fields and bodies never make a write route answer 5xx', () => {
  for (const route of Object.keys(FUZZ)) {
    const [method, template] = route.split(' ') as [string, string];
    const spec = specOf(route);
    if (method === 'GET' || spec.bodyElsewhere) continue;
    test(route, { timeout: 180_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(
          pathArbitrary(route, spec),
          template.startsWith('/api/')
            ? fc.oneof(
                fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json) ?? 'null'),
                fc.dictionary(paramName(spec.fields ?? []), hostileText).map((json) => JSON.stringify(json)),
                hostileText,
              )
            : formFields(spec).map((fields) => fields.join('&')),
          fc.constantFrom('with CSRF as admin', 'without CSRF as admin', 'anonymous'),
          fc.ipV4(),
          async (path, body, mode, address) => {
            const what = `${route} ${mode}: ${method} ${path.slice(0, 200)} ${body.slice(0, 300)}`;
            if (template.startsWith('/api/')) {
              const req = request(app)[method.toLowerCase() as 'patch' | 'put'](path).set('Content-Type', 'application/json');
              if (mode !== 'anonymous') req.set('Authorization', `Bearer ${apiToken}`);
              return assertAnswer(await req.send(body), what);
            }
            let cookie: string | undefined;
            let csrf: string | undefined;
            if (route === 'POST /login') {
              // Sign-in has its own CSRF cookie, from the sign-in page.
              const page = await request(app).get('/login').set('X-Forwarded-For', address);
              cookie = ([] as string[])
                .concat(page.headers['set-cookie'] ?? [])
                .map((c) => c.split(';')[0])
                .join('; ');
              csrf = csrfFrom(page.text);
            } else if (mode !== 'anonymous') {
              ({ cookie, csrf } = await ownerSession());
            }
            const form = mode === 'with CSRF as admin' && csrf ? [body, `_csrf=${encodeURIComponent(csrf)}`].filter(Boolean).join('&') : body;
            const req = request(app).post(path).set('Accept', 'text/html').set('X-Forwarded-For', address).type('form');
            if (cookie) req.set('Cookie', cookie);
            assertAnswer(await req.send(form), what);
          },
        ),
        { numRuns: RUNS, includeErrorInReport: true },
      );
    });
  }
});

/** The form routes, as `[route, a path to it with valid parameters]`. */
const formRoutes = () =>
  Object.entries(FUZZ)
    .filter(([route, spec]) => route.startsWith('POST /') && !spec.bodyElsewhere)
    .map(
      ([route, spec]) =>
        [route, pathOf(route, Object.fromEntries(Object.entries(spec.params ?? {}).map(([n, t]) => [n, encodeURIComponent(targets[t])])))] as const,
    );

describe('hostile inputs the issue found, on every route they reach', () => {
  test('bad percent-encoding in a path parameter is a 4xx on every route that has one', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    const { cookie, csrf } = await ownerSession();
    for (const [route, spec] of Object.entries(FUZZ)) {
      const [method] = route.split(' ') as [string, string];
      for (const [name] of Object.entries(spec.params ?? {})) {
        for (const bad of ['%ZZ', '%FF', '%', '%E0%A4', '%C0%AF']) {
          const values = Object.fromEntries(Object.entries(spec.params!).map(([n, t]) => [n, n === name ? bad : encodeURIComponent(targets[t])]));
          const path = pathOf(route, values);
          const req = request(app)[method.toLowerCase() as 'get' | 'post' | 'patch'](path);
          if (path.startsWith('/api/')) req.set('Authorization', `Bearer ${apiToken}`).set('Content-Type', 'application/json');
          else req.set('Cookie', cookie).set('Accept', 'text/html').type('form');
          const res = await (method === 'GET' ? req : req.send(path.startsWith('/api/') ? '{"status":"open"}' : `_csrf=${encodeURIComponent(csrf)}`));
          if (res.status >= 500 || res.status < 400) failures.push(`${method} ${path}: ${snippet(res)}`);
        }
      }
    }
    assert.deepEqual(failures, [], `bad percent-encoding must be a 4xx naming the parameter:\n${failures.join('\n')}`);
  });

  test('a form with more than 50 fields is a 4xx on every form route, signed in with a valid CSRF token', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const [route, path] of formRoutes()) {
      const { cookie, csrf } = await ownerSession();
      const fields = Array.from({ length: 60 }, (_, i) => `f${i}=x`).join('&');
      const res = await request(app)
        .post(path)
        .set('Cookie', cookie)
        .set('Accept', 'text/html')
        .set('X-Forwarded-For', '192.0.2.60')
        .type('form')
        .send(`_csrf=${encodeURIComponent(csrf)}&${fields}`);
      if (res.status >= 500 || res.status < 400) failures.push(`${route}: ${snippet(res)}`);
    }
    assert.deepEqual(failures, [], `a form over the field limit must be refused with a 4xx:\n${failures.join('\n')}`);
  });

  test('Content-Encoding: br with a body that is not brotli is a 4xx on every form route', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const [route, path] of formRoutes()) {
      const { cookie } = await ownerSession();
      const res = await request(app)
        .post(path)
        .set('Cookie', cookie)
        .set('Accept', 'text/html')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .set('Content-Encoding', 'br')
        .send('this is not brotli at all');
      if (res.status >= 500 || res.status < 400) failures.push(`${route}: ${snippet(res)}`);
    }
    assert.deepEqual(failures, [], `a body that does not match its Content-Encoding must be a 4xx:\n${failures.join('\n')}`);
  });

  test('NUL, a lone surrogate or invalid UTF-8 in any field a form reads is a 4xx or a success, never a 5xx', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const [route, path] of formRoutes()) {
      for (const field of FUZZ[route]!.fields ?? []) {
        for (const bad of ['%00', 'a%00b', '%ED%A0%80', '%FF%FE']) {
          const { cookie, csrf } = route === 'POST /login' ? await loginPage('192.0.2.99') : await ownerSession();
          const res = await request(app)
            .post(path)
            .set('Cookie', cookie)
            .set('Accept', 'text/html')
            .set('X-Forwarded-For', '192.0.2.99')
            .type('form')
            .send(`${field}=${bad}&_csrf=${encodeURIComponent(csrf)}`);
          if (res.status >= 500) failures.push(`${route} ${field}=${bad}: ${snippet(res)}`);
        }
      }
    }
    assert.deepEqual(failures, [], `text PostgreSQL cannot hold must be refused with a 4xx naming the field:\n${failures.join('\n')}`);
  });

  test('very long query values (past PostgreSQL index limits) are a 200 or a 4xx on every list', { timeout: 60_000 }, async () => {
    const failures: string[] = [];
    const long = percentEncode(`${incompressible(3000)}\u{1F600}`);
    for (const [route, spec] of Object.entries(FUZZ)) {
      if (!route.startsWith('GET ') || !spec.query) continue;
      for (const name of spec.query) {
        const path = pathOf(route, Object.fromEntries(Object.entries(spec.params ?? {}).map(([n, t]) => [n, encodeURIComponent(targets[t])])));
        const res = await get(`${path}?${name}=${long}`, 'owner', 'application/json');
        if (res.status >= 500) failures.push(`${route} ?${name}=<6 KB>: ${snippet(res)}`);
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });

  test('a lone percent sign or a bad escape in the query string is never a 5xx', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const [route, spec] of Object.entries(FUZZ)) {
      if (!route.startsWith('GET ')) continue;
      const path = pathOf(route, Object.fromEntries(Object.entries(spec.params ?? {}).map(([n, t]) => [n, encodeURIComponent(targets[t])])));
      for (const bad of fc.sample(badPercent, { numRuns: 5, seed: 9 })) {
        for (const name of [...(spec.query ?? []), 'x']) {
          const res = await get(`${path}?${name}=${bad}`, 'owner', 'text/html');
          if (res.status >= 500) failures.push(`${route} ?${name}=${bad}: ${snippet(res)}`);
        }
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });
});
