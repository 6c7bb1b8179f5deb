/**
 * Walks every route of the app, as the Express router lists them (so a new route
 * cannot be forgotten), as every kind of user, and checks who gets what: members
 * read their organisation, only its admins change it, and the outsider (admin of
 * org-b) gets 404 for every org-a object and never a byte of org-a's data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { listApiTokens } from '../src/accounts/accounts.queries.js';
import { findUserByEmail } from '../src/auth/auth.queries.js';
import { createApiToken } from '../src/accounts/accounts.service.js';
import { checkMissedRuns } from '../src/missed-runs/missed-runs.service.js';
import { createUnsubscribeToken } from '../src/email/preferences.queries.js';
import { csrfFrom, emailOf, FIXTURE_PASSWORD, signIn, startWithFixtureUsers, type BrowserSession, type FixtureUser } from './helpers/accounts.js';
import type { TestDatabase } from './helpers/database.js';
import { makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';
import { appRoutes } from './helpers/routes.js';

type Kind =
  | 'public'
  | 'ingest'
  | 'api-read'
  | 'api-admin-write'
  | 'page-read'
  | 'page-admin-write'
  | 'page-own-write'
  // A person's own setting in an organisation they belong to (support belongs to none: 404).
  | 'page-member-write'
  | 'api-member-write'
  // Admins of the organisation and support read it; ops get 403.
  | 'page-admin-read'
  // A one-click unsubscribe link: no sign-in, no CSRF token, the same answer for everyone.
  | 'unsubscribe';
/** What a path parameter points at: always an object of org-a, or the owner's own API token. */
type Target =
  | 'run'
  | 'recordIndex'
  | 'group'
  | 'employee'
  | 'ownerToken'
  | 'integration'
  | 'org'
  | 'teammateUser'
  | 'ingestTokenA'
  | 'unsubscribeToken'
  | 'delivery';

interface RouteSpec {
  kind: Kind;
  params?: Record<string, Target>;
  /** The form or JSON body; a value `:target` is replaced by that target's id. */
  body?: Record<string, string>;
  /** Text a reader of org-a finds in the answer, and (for lists) the text the outsider finds instead. */
  shows?: { a: string; b?: string };
  /** The status of a write that succeeds, when not the kind's usual one (303 for a page, 200 for the API). */
  succeeds?: number;
  /** Signs the user out: walked last. */
  endsSession?: true;
}

/** A valid email preferences form (every integration, the alerts left unticked). */
const EMAIL_PREFERENCES_FORM = {
  integrations: 'all',
  frequency: 'daily',
  local_time: '08:00',
  weekday: '1',
  min_severity: 'error',
  empty_summary: 'skip',
  alert_after_failures: '1',
  alert_repeat: 'daily',
};

/** Every route of the app. A route the router has and this table lacks fails the first test. */
const ROUTES: Record<string, RouteSpec> = {
  'GET /healthz': { kind: 'public' },
  'GET /readyz': { kind: 'public' },
  // Prometheus' scrape, guarded by METRICS_TOKEN alone (unset here: a 404 for everyone; src/metrics/metrics.e2e.test.ts checks the token).
  'GET /metrics': { kind: 'public' },
  'POST /api/v1/sync-runs': { kind: 'ingest' },
  'GET /api/v1/sync-runs': { kind: 'api-read', shows: { a: 'run-of-org-a', b: 'run-of-org-b' } },
  'GET /api/v1/sync-runs/:id': { kind: 'api-read', params: { id: 'run' }, shows: { a: 'run-of-org-a' } },
  'GET /api/v1/records': { kind: 'api-read', shows: { a: 'zelda.a@org-a.example', b: 'bruno.b@org-b.example' } },
  'GET /api/v1/employees/:external_id': { kind: 'api-read', params: { external_id: 'employee' }, shows: { a: 'Zelda' } },
  'GET /api/v1/employees': { kind: 'api-read', shows: { a: 'zelda.a@org-a.example', b: 'bruno.b@org-b.example' } },
  'GET /api/v1/error-groups': { kind: 'api-read', shows: { a: 'secret a title', b: 'plain b title' } },
  'GET /api/v1/error-groups/:id': { kind: 'api-read', params: { id: 'group' }, shows: { a: 'secret a title' } },
  'PATCH /api/v1/error-groups/:id': { kind: 'api-admin-write', params: { id: 'group' }, body: { status: 'ignored' } },
  // The owner's walk ignores the title's group before it reaches drift: drift shows the department's, which nobody changes.
  'GET /api/v1/drift': { kind: 'api-read', shows: { a: 'secret a department', b: 'plain b title' } },
  'GET /api/v1/overview': { kind: 'api-read', shows: { a: 'A flow', b: 'B flow' } },
  // Both organisations' integrations have an open missed run (checked far in the future, in the fixtures).
  'GET /api/v1/events': { kind: 'api-read', shows: { a: 'A flow', b: 'B flow' } },
  // Trends default to the caller's first organisation: its top mismatched values are drift's.
  'GET /api/v1/trends': { kind: 'api-read', shows: { a: 'secret a department', b: 'plain b title' } },
  'GET /static/vendor/chart.umd.min.js': { kind: 'public' },
  'GET /api/v1/openapi.json': { kind: 'public' },
  'GET /api/docs': { kind: 'public' },
  'GET /login': { kind: 'public' },
  'POST /login': { kind: 'public' },
  'POST /logout': { kind: 'public', endsSession: true },
  'GET /': { kind: 'page-read', shows: { a: 'A flow', b: 'B flow' } },
  'GET /error-groups': { kind: 'page-read', shows: { a: 'secret a title', b: 'plain b title' } },
  'GET /runs': { kind: 'page-read', shows: { a: 'run-of-org-a', b: 'run-of-org-b' } },
  'GET /runs/:id': { kind: 'page-read', params: { id: 'run' }, shows: { a: 'zelda.a@org-a.example' } },
  'GET /runs/:id/records/:index': { kind: 'page-read', params: { id: 'run', index: 'recordIndex' }, shows: { a: 'secret a title' } },
  'GET /error-groups/:id': { kind: 'page-read', params: { id: 'group' }, shows: { a: 'secret a title' } },
  'POST /error-groups/:id/status': { kind: 'page-admin-write', params: { id: 'group' }, body: { status: 'ignored' } },
  'GET /drift': { kind: 'page-read', shows: { a: 'secret a department', b: 'plain b title' } },
  'GET /trends': { kind: 'page-read', shows: { a: 'A flow', b: 'B flow' } },
  'GET /integrations': { kind: 'page-read', shows: { a: 'A flow', b: 'B flow' } },
  // Without a query the search page only says what to type; test/employees.e2e.test.ts searches as the outsider.
  'GET /search': { kind: 'page-read' },
  'GET /employees': { kind: 'page-read', shows: { a: 'zelda.a@org-a.example', b: 'bruno.b@org-b.example' } },
  'GET /employees/:external_id': { kind: 'page-read', params: { external_id: 'employee' }, shows: { a: 'Zelda' } },
  'POST /integrations/:id/rotate-token': { kind: 'page-admin-write', params: { id: 'integration' }, body: { replaces: ':ingestTokenA' }, succeeds: 201 },
  'GET /members': { kind: 'page-read', shows: { a: 'teammate@example.com', b: 'outsider@example.com' } },
  'POST /orgs/:orgId/members': { kind: 'page-admin-write', params: { orgId: 'org' }, body: { email: 'new.person@example.com', role: 'ops' }, succeeds: 201 },
  'POST /orgs/:orgId/members/:userId/role': { kind: 'page-admin-write', params: { orgId: 'org', userId: 'teammateUser' }, body: { role: 'ops' } },
  'POST /orgs/:orgId/members/:userId/remove': { kind: 'page-admin-write', params: { orgId: 'org', userId: 'teammateUser' } },
  'GET /settings/tokens': { kind: 'page-read' },
  'GET /settings/password': { kind: 'page-read' },
  'GET /settings/profile': { kind: 'page-read' },
  'POST /settings/profile': { kind: 'page-own-write', body: { time_zone: 'UTC' }, succeeds: 303 },
  // The same password again: a real change, which leaves the fixtures' password as it was.
  'POST /settings/password': {
    kind: 'page-own-write',
    body: { current: FIXTURE_PASSWORD, password: FIXTURE_PASSWORD, confirm: FIXTURE_PASSWORD },
    succeeds: 303,
  },
  'POST /settings/tokens': { kind: 'page-own-write', body: { name: 'walker' } },
  'POST /settings/tokens/:id/revoke': { kind: 'page-own-write', params: { id: 'ownerToken' } },
  // Email: a person's own preferences, the organisation's defaults, the test email, the outbox, unsubscribe links.
  'GET /settings/notifications': { kind: 'page-read' },
  'POST /settings/notifications/:orgId': { kind: 'page-member-write', params: { orgId: 'org' }, body: EMAIL_PREFERENCES_FORM },
  'POST /settings/notifications/:orgId/defaults': { kind: 'page-admin-write', params: { orgId: 'org' }, body: EMAIL_PREFERENCES_FORM },
  'POST /settings/notifications/:orgId/test': { kind: 'page-member-write', params: { orgId: 'org' } },
  'GET /outbox': { kind: 'page-admin-read', shows: { a: 'A-SECRET outbox subject', b: 'B outbox subject' } },
  'GET /outbox/:id': { kind: 'page-admin-read', params: { id: 'delivery' }, shows: { a: 'A-SECRET outbox subject' } },
  'GET /api/v1/me/email-preferences': { kind: 'api-read' },
  'PUT /api/v1/me/email-preferences/:org': { kind: 'api-member-write', params: { org: 'org' }, body: { frequency: 'weekly' } },
  'GET /unsubscribe/:token': { kind: 'unsubscribe', params: { token: 'unsubscribeToken' } },
  'POST /unsubscribe/:token': { kind: 'unsubscribe', params: { token: 'unsubscribeToken' } },
};

/** Strings found only in org-a's data: none may reach the outsider or an anonymous visitor. */
const ORG_A_MARKERS = [
  'run-of-org-a',
  'A-SECRET',
  'Zelda',
  'Arwen',
  'zelda.a@org-a.example',
  'secret a title',
  'secret a department',
  'org-a',
  'A flow',
  'teammate@example.com',
];

type Who = 'anonymous' | FixtureUser;
const MEMBERS_OF_A: Who[] = ['owner', 'teammate', 'support'];

// --- fixtures ---

const failedRecord = (externalId: string, first: string, last: string, email: string, title: string) => ({
  external_id: externalId,
  action: 'create',
  outcome: 'failed',
  employee: { first_name: first, last_name: last, email, job_title: title, department: 'Kitchen', branch: 'London Soho' },
  messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: `Job title '${title}' does not exist` }],
});

let db: TestDatabase;
let app: Express;
let apiTokens: Record<FixtureUser, string>;
let ingestA: string;
const userIds = {} as Record<FixtureUser, number>;
const sessions = {} as Record<Who, Pick<BrowserSession, 'agent' | 'csrf'>>;
const targets = {} as Record<Target, string>;

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app, apiTokens } = fixtures);
  ingestA = fixtures.orgA.token;
  const runA = await postRun(
    app,
    ingestA,
    makeRun({
      run_id: 'run-of-org-a',
      records: [
        failedRecord('A-SECRET-1', 'Zelda', 'Arwen', 'zelda.a@org-a.example', 'secret a title'),
        {
          ...failedRecord('A-SECRET-2', 'Zelda', 'Arwen', 'zelda.a@org-a.example', 'Head Chef'),
          employee: {
            first_name: 'Zelda',
            last_name: 'Arwen',
            email: 'zelda.a@org-a.example',
            job_title: 'Head Chef',
            department: 'secret a department',
            branch: 'London Soho',
          },
          messages: [{ code: 'DEPARTMENT_NOT_FOUND', field: 'department', text: "Department 'secret a department' does not exist" }],
        },
      ],
    }),
  );
  const runB = await postRun(
    app,
    fixtures.orgB.token,
    makeRun({ run_id: 'run-of-org-b', records: [failedRecord('B-PLAIN-1', 'Bruno', 'Brook', 'bruno.b@org-b.example', 'plain b title')] }),
  );
  assert.deepEqual([runA.status, runB.status], [201, 201], `posting the fixture runs: ${runA.text} ${runB.text}`);
  // Years later, each integration has missed runs since its run.
  await checkMissedRuns(db.knex, new Date('2030-01-01T00:00:00Z'));
  const groups = await request(app).get('/api/v1/error-groups').set('Authorization', `Bearer ${apiTokens.owner}`);
  const groupA = (groups.body.items as { id: string; value: string | null }[]).find((g) => g.value === 'secret a title');
  assert.ok(groupA, `org-a has an error group for its job title: ${groups.text}`);
  for (const who of ['owner', 'teammate', 'outsider', 'support'] as const) userIds[who] = (await findUserByEmail(db.knex, emailOf(who)))!.id;
  // A token of the owner's that only the owner may revoke; the owner's main API token keeps working.
  await createApiToken(db.knex, emailOf('owner'), 'to revoke');
  const ownerToken = (await listApiTokens(db.knex, userIds.owner)).find((t) => t.name === 'to revoke')!;
  Object.assign(targets, {
    run: String(runA.body.id),
    recordIndex: '0',
    group: groupA.id,
    employee: 'A-SECRET-1',
    ownerToken: String(ownerToken.id),
    integration: String(fixtures.orgA.integration.id),
    org: String(fixtures.orgA.organisation.id),
    teammateUser: String(userIds.teammate),
    ingestTokenA: String((await db.knex('ingest_tokens').where({ org_id: fixtures.orgA.organisation.id }).max('id as id').first())!.id),
  });
  // An email to each organisation's ops person (org-b has none: to its admin), as the outbox lists them.
  const [deliveryA] = await db
    .knex('email_deliveries')
    .insert({ org_id: fixtures.orgA.organisation.id, user_id: userIds.teammate, kind: 'summary', dedupe_key: 'summary:a', subject: 'A-SECRET outbox subject' })
    .returning('id');
  await db
    .knex('email_deliveries')
    .insert({ org_id: fixtures.orgB.organisation.id, user_id: userIds.outsider, kind: 'summary', dedupe_key: 'summary:b', subject: 'B outbox subject' });
  targets.delivery = String(deliveryA.id);
  targets.unsubscribeToken = await createUnsubscribeToken(db.knex, fixtures.orgA.organisation.id, userIds.teammate);
  // The start of org-a's ingest tokens, as the integrations page shows it.
  ORG_A_MARKERS.push(`fl_ing_${fixtures.orgA.organisation.id}_`);
  for (const who of ['owner', 'teammate', 'outsider', 'support'] as const) sessions[who] = await signIn(app, emailOf(who));
  const anonymous = request.agent(app);
  sessions.anonymous = { agent: anonymous, csrf: async () => csrfFrom((await anonymous.get('/login')).text) };
});
after(() => db.drop());

// --- one request, and what it must answer ---

const specOf = (route: string) => ROUTES[route] ?? assert.fail(`New route ${route}: add it to ROUTES in test/isolation.e2e.test.ts with its access kind`);

type Verb = 'get' | 'post' | 'patch' | 'put';

const pathOf = (route: string, spec: RouteSpec) =>
  route
    .split(' ')[1]!
    .replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(targets[spec.params?.[name] ?? assert.fail(`${route}: say in ROUTES what :${name} is`)]));

const bodyOf = (spec: RouteSpec): Record<string, string> =>
  Object.fromEntries(Object.entries(spec.body ?? {}).map(([name, value]) => [name, value.startsWith(':') ? targets[value.slice(1) as Target] : value]));

async function send(route: string, spec: RouteSpec, who: Who, csrf?: string | null): Promise<request.Response> {
  const verb = route.split(' ')[0]!.toLowerCase() as Verb;
  const path = pathOf(route, spec);
  if (path.startsWith('/api/')) {
    const req = request(app)[verb](path);
    if (who !== 'anonymous') req.set('Authorization', `Bearer ${apiTokens[who]}`);
    if (spec.kind === 'ingest') return req.set('Content-Type', 'application/json').send(JSON.stringify(makeRun({ run_id: `by-${who}` })));
    return spec.body ? req.send(bodyOf(spec)) : req;
  }
  const session = sessions[who];
  const req = session.agent[verb](path).set('Accept', 'text/html');
  if (verb === 'get') return req;
  const form: Record<string, string> = bodyOf(spec);
  if (csrf !== null) form._csrf = csrf ?? (await session.csrf());
  return req.type('form').send(form);
}

/** The status the route must answer this user; undefined for public routes (anything but a refusal). */
function expectedStatus(spec: RouteSpec, who: Who): number | undefined {
  const namesObject = spec.params !== undefined;
  if (spec.kind === 'public') return undefined;
  if (spec.kind === 'unsubscribe') return 200;
  if (who === 'anonymous') return spec.kind === 'page-read' || spec.kind === 'page-admin-read' ? 303 : 401;
  if (spec.kind === 'ingest') return 403;
  if (who === 'outsider' && namesObject) return 404;
  switch (spec.kind) {
    case 'api-read':
    case 'page-read':
      return 200;
    case 'api-admin-write':
      return who === 'owner' ? 200 : 403;
    case 'page-admin-write':
      return who === 'owner' ? (spec.succeeds ?? 303) : 403;
    case 'page-own-write':
      return !namesObject ? (spec.succeeds ?? 201) : who === 'owner' ? 303 : 404;
    case 'page-member-write':
      return who === 'support' ? 404 : (spec.succeeds ?? 303);
    case 'api-member-write':
      return who === 'support' ? 404 : 200;
    case 'page-admin-read':
      return who === 'teammate' ? 403 : 200;
  }
}

const snippet = (res: request.Response) => (res.text ?? JSON.stringify(res.body)).replace(/\s+/g, ' ').slice(0, 300);

function assertNoOrgAData(res: request.Response, label: string, sentPath: string) {
  const answer = `${JSON.stringify(res.headers)}\n${res.text ?? ''}\n${JSON.stringify(res.body ?? null)}`;
  for (const marker of ORG_A_MARKERS) {
    if (sentPath.includes(marker)) continue; // the caller's own input echoed back is no leak
    assert.ok(!answer.includes(marker), `LEAK: ${label} answers ${res.status} with org-a data ("${marker}"): ${snippet(res)}`);
  }
}

async function checkRoute(route: string, who: Who) {
  const spec = specOf(route);
  const label = `${route} as ${who}`;
  const res = await send(route, spec, who);
  const expected = expectedStatus(spec, who);
  if (expected === undefined) {
    assert.ok(![401, 403].includes(res.status) && res.status < 500, `${label} is public: expected no refusal, got ${res.status}: ${snippet(res)}`);
  } else {
    assert.equal(res.status, expected, `${label}: expected ${expected}, got ${res.status}: ${snippet(res)}`);
  }
  if (who === 'anonymous' && (spec.kind === 'page-read' || spec.kind === 'page-admin-read')) {
    assert.equal(res.headers.location, `/login?next=${encodeURIComponent(pathOf(route, spec))}`, `${label} goes to the sign-in page`);
  }
  if (who === 'anonymous' || who === 'outsider') assertNoOrgAData(res, label, pathOf(route, spec));
  if (spec.shows && res.status === 200 && MEMBERS_OF_A.includes(who)) {
    assert.ok(res.text.includes(spec.shows.a), `${label} shows org-a's data ("${spec.shows.a}"): ${snippet(res)}`);
  }
  if (spec.shows?.b && who === 'outsider') {
    assert.ok(res.text.includes(spec.shows.b), `${label} shows org-b's own data ("${spec.shows.b}"): ${snippet(res)}`);
  }
  if (route === 'POST /settings/tokens' && who !== 'anonymous') {
    assert.match(res.text, new RegExp(`fl_api_${userIds[who]}_`), `${label} creates a token of ${who}'s own`);
  }
}

/** The router's routes in walking order (one missing from ROUTES fails the table test): sign-outs last. */
const walkOrder = () =>
  appRoutes(app)
    .filter((route) => ROUTES[route])
    .sort((x, y) => Number(!!specOf(x).endsSession) - Number(!!specOf(y).endsSession));

const groupStatus = async () => (await db.knex('error_groups').where({ id: targets.group }).first('status')).status as string;

// --- the tests ---

describe('the route table', () => {
  test('lists exactly the routes of the router', () => {
    const found = appRoutes(app);
    for (const route of found) specOf(route);
    for (const route of Object.keys(ROUTES))
      assert.ok(found.includes(route), `${route} is in ROUTES but the router has no such route any more: remove it from test/isolation.e2e.test.ts`);
  });
});

describe('every route as every user', () => {
  // The owner goes last: their writes (status change, token revocation, sign-out) would disturb the others' checks.
  for (const who of ['anonymous', 'outsider', 'teammate', 'support', 'owner'] as const) {
    test(`as ${who}`, async () => {
      for (const route of walkOrder()) await checkRoute(route, who);
      if (who !== 'owner') assert.equal(await groupStatus(), 'open', `after ${who}'s walk, org-a's error group is unchanged`);
    });
  }

  test("the owner's writes took effect", async () => {
    assert.equal(await groupStatus(), 'ignored');
    const revoked = (await listApiTokens(db.knex, userIds.owner)).find((t) => String(t.id) === targets.ownerToken);
    assert.ok(revoked?.revoked_at, "the owner's token is revoked by the owner alone");
  });
});

describe('CSRF on every form route of the router', () => {
  // Unsubscribe links are posted by mail clients with no session and no token (src/notifications/unsubscribe.e2e.test.ts).
  const formRoutes = () => appRoutes(app).filter((route) => route.startsWith('POST ') && !route.includes(' /api/') && specOf(route).kind !== 'unsubscribe');

  test('a post without _csrf is a 403', async () => {
    sessions.owner = await signIn(app, emailOf('owner'));
    for (const route of formRoutes()) {
      const res = await send(route, specOf(route), 'owner', null);
      assert.equal(res.status, 403, `${route} as owner without _csrf: expected 403, got ${res.status}: ${snippet(res)}`);
    }
  });

  test("a post with another user's _csrf is a 403", async () => {
    sessions.owner = await signIn(app, emailOf('owner'));
    const teammate = await signIn(app, emailOf('teammate'));
    for (const route of formRoutes()) {
      const res = await send(route, specOf(route), 'owner', await teammate.csrf());
      assert.equal(res.status, 403, `${route} as owner with the teammate's _csrf: expected 403, got ${res.status}: ${snippet(res)}`);
    }
  });
});
