/** The header's navigation marks the section a page belongs to (aria-current), and only that one. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { emailOf, signIn, startWithFixtureUsers, type BrowserSession } from './helpers/accounts.js';
import type { TestDatabase } from './helpers/database.js';

let db: TestDatabase;
let owner: BrowserSession;

before(async () => {
  const fixtures = await startWithFixtureUsers();
  db = fixtures.db;
  owner = await signIn(fixtures.app, emailOf('owner'));
});
after(() => db.drop());

/** The links of the header's main navigation that say they are the current page (pages may mark their own tabs too). */
const currentOf = (html: string) =>
  [...(/<nav class="main-nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '').matchAll(/<a href="([^"]+)" aria-current="page">([^<]+)<\/a>/g)].map(
    (match) => `${match[1]} ${match[2]}`,
  );

test('each page marks its own section in the navigation, and no other', async () => {
  const cases: [string, string][] = [
    ['/', '/ Overview'],
    ['/trends', '/trends Trends'],
    ['/runs', '/runs Feed logs'],
    ['/error-groups', '/error-groups Error groups'],
    ['/drift', '/drift Catalog drift'],
    ['/employees', '/employees Employees'],
    ['/search?q=nobody', '/employees Employees'],
    ['/integrations', '/integrations Integrations'],
    ['/members', '/members People'],
    ['/settings/tokens', '/settings/profile Settings'],
    ['/settings/profile', '/settings/profile Settings'],
    ['/api/docs', '/api/docs API reference'],
  ];
  for (const [path, expected] of cases) {
    const page = await owner.agent.get(path).set('Accept', 'text/html');
    assert.equal(page.status, 200, `${path}: ${page.status}`);
    assert.deepEqual(currentOf(page.text), [expected], path);
  }
});
