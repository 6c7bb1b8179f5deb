/**
 * The overview in Chromium at a frozen moment, with an integration in every
 * health state: axe-core finds no serious violation, each health is a badge
 * with its word (never colour alone), each sparkline is an image with a text
 * alternative, nothing runs a script (hostile engine text included: the failed
 * run's error and an integration's name are payloads), and a screenshot is saved
 * under test-artifacts/screenshots to look at the layout.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApp } from '../../src/app/app.js';
import { frozenClock } from '../../src/shared/clock.js';
import { createFixtureUsers, emailOf } from '../helpers/accounts.js';
import { assertAccessible, saveScreenshot } from '../helpers/axe.js';
import { computedStyle, launchBrowser, openPage, serveApp, signInAs, type WatchedPage } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedHealthStates } from '../helpers/health-states.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';

let db: TestDatabase;
let served: Awaited<ReturnType<typeof serveApp>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let owner: WatchedPage;

before(async () => {
  db = await createTestDatabase();
  const app = createApp({ knex: db.knex, clock: frozenClock(NOW), ingestLimits: { perMinute: 100_000 } });
  const fixtures = await createFixtureUsers(db.knex);
  await seedHealthStates(db.knex, app, NOW, { brokenError: `Planday said ${PAYLOAD}` });
  await db
    .knex('integrations')
    .where({ id: fixtures.orgA.integration.id })
    .update({ name: `Flow ${PAYLOAD}`, source_system: 'javascript:alert(1)//' });
  served = await serveApp(app);
  browser = await launchBrowser();
  owner = await openPage(browser);
  await signInAs(owner.page, served.url, emailOf('owner'), '/');
});
after(async () => {
  await owner?.close();
  await browser?.close();
  await served?.close();
  await db?.drop();
});

test('the overview with every health state is accessible, shows each state in words, and runs no hostile text', { timeout: 120_000 }, async () => {
  const { page } = owner;
  const response = await page.goto(`${served.url}/`);
  assert.equal(response?.status(), 200);
  await assertAccessible(page, 'overview health states');
  await saveScreenshot(page, 'overview health states');
  await owner.assertNoProblems();
  assert.equal(await page.evaluate('window.__pwned'), undefined, 'no payload ran');

  const badges = await page.locator('table.overview tbody a.health').allInnerTexts();
  assert.deepEqual(badges, ['missed', 'failing', 'failing', 'late', 'silent', 'silent', 'healthy'], 'worst first, each in words');
  // Missed and failing are both red: their words tell them apart, and they differ in fill too.
  const missed = await computedStyle(page.locator('a.health-missed'), ['background-color', 'color']);
  const failing = await computedStyle(page.locator('a.health-failing'), ['background-color', 'color']);
  assert.notEqual(missed['background-color'], failing['background-color']);

  const broken = page.locator('tr', { hasText: 'Broken feed' });
  assert.match(await broken.locator('.reason').innerText(), /failed: Planday said <script>window\.__pwned=1<\/script><img src=x onerror=/);
  assert.equal(await page.locator('tr', { hasText: 'Flow <script>' }).count(), 1, 'the payload name shows as text');

  const spark = page.locator('tr', { hasText: 'Healthy feed' }).getByRole('img', { name: /^49 errors in 7 days, at most \d+ in 6 hours$/ });
  assert.equal(await spark.count(), 1, 'the sparkline is an image named by its totals');
  assert.ok((await spark.locator('rect').count()) > 0, 'with bars');
  const link = page.locator('tr', { hasText: 'Healthy feed' }).getByRole('link', { name: /49 errors in 7 days/ });
  assert.match((await link.getAttribute('href')) ?? '', /^\/trends\?integration=\d+&range=7d$/);
});

test('a health total filters the overview to that health', { timeout: 60_000 }, async () => {
  const { page } = owner;
  await page.goto(`${served.url}/`);
  await Promise.all([page.waitForNavigation(), page.locator('.overview-totals a', { hasText: 'failing' }).click()]);
  assert.equal(new URL(page.url()).search, '?health=failing');
  assert.deepEqual(await page.locator('table.overview tbody a.health').allInnerTexts(), ['failing', 'failing']);
  await assertAccessible(page, 'overview failing only');
  await owner.assertNoProblems();
});
