import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { emailOf, startWithFixtureUsers } from '../helpers/accounts.js';
import {
  clickAndLoad,
  computedStyle,
  launchBrowser,
  openPage,
  pathAndQuery,
  serveApp,
  signInAs,
  submit,
  withPage,
  type ServedApp,
} from '../helpers/browser.js';
import type { TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let served: ServedApp;
let browser: Browser;

before(async () => {
  const fixtures = await startWithFixtureUsers();
  db = fixtures.db;
  served = await serveApp(fixtures.app);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await served?.close();
  await db?.drop();
});

test('the API reference renders in a browser with its stylesheets, under the strict CSP, without errors', { timeout: 60_000 }, async () => {
  const { page, assertNoProblems, close } = await openPage(browser);
  try {
    const stylesheets = new Map<string, { status: number; type: string | undefined }>();
    page.on('response', (response) => {
      const { pathname } = new URL(response.url());
      if (pathname.endsWith('.css')) stylesheets.set(pathname, { status: response.status(), type: response.headers()['content-type'] });
    });

    const response = await page.goto(`${served.url}/api/docs`);
    assert.equal(response?.status(), 200);
    // The page is only a fair test of "no CSP violation" if the policy is there.
    assert.match((await response!.allHeaders())['content-security-policy'] ?? '', /script-src 'self'/);

    assert.equal(await page.title(), 'feedlog API reference');
    assert.match(await page.locator('h1').innerText(), /^feedlog API v\S+/);

    const toc = page.getByRole('navigation', { name: 'Operations' });
    const listSyncRuns = toc.locator('a[href="#op-listSyncRuns"]');
    assert.match(await listSyncRuns.innerText(), /GET\s+\/api\/v1\/sync-runs/);
    assert.match(
      await toc
        .locator('li')
        .filter({ has: page.locator('a[href="#op-listSyncRuns"]') })
        .innerText(),
      /List sync runs/,
    );
    for (const operationId of ['ingestSyncRun', 'getSyncRun', 'listRecords', 'getEmployee', 'listErrorGroups']) {
      assert.equal(await toc.locator(`a[href="#op-${operationId}"]`).count(), 1, operationId);
    }

    const section = page.locator('section#op-listSyncRuns');
    assert.match(await section.locator('.api-summary').innerText(), /List sync runs/);
    assert.ok((await section.locator('table.api-table tbody tr').count()) > 0, 'listSyncRuns has parameter and response rows');

    // Both stylesheets arrived as CSS, and values only they set are in force:
    // app.css colours the page and defines --accent, api-reference.css draws the method badges and cards.
    assert.deepEqual(Object.fromEntries(stylesheets), {
      '/static/app.css': { status: 200, type: 'text/css; charset=utf-8' },
      '/static/api-reference.css': { status: 200, type: 'text/css; charset=utf-8' },
    });
    assert.deepEqual(await computedStyle(page.locator('body'), ['background-color']), { 'background-color': 'rgb(247, 248, 250)' });
    assert.deepEqual(await computedStyle(section.locator('.api-method'), ['display', 'background-color', 'color']), {
      display: 'inline-block',
      'background-color': 'rgb(36, 87, 197)',
      color: 'rgb(255, 255, 255)',
    });
    assert.deepEqual(await computedStyle(section, ['border-top-left-radius']), { 'border-top-left-radius': '6px' });

    // The table of contents links to the operations on the page.
    await listSyncRuns.click();
    assert.equal(new URL(page.url()).hash, '#op-listSyncRuns');

    await assertNoProblems();
  } finally {
    await close();
  }
});

test('signed in, the API reference has the usual header: navigation, who, and a Sign out that works', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/');
    const header = page.locator('header.top');
    await clickAndLoad(page, header.getByRole('link', { name: 'API reference' }));
    assert.equal(pathAndQuery(page), '/api/docs');
    assert.equal(await header.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Error groups' }).count(), 1);
    assert.match(await header.innerText(), new RegExp(emailOf('owner')));
    assert.equal(await header.getByRole('link', { name: 'Sign in' }).count(), 0);

    await submit(page, header.getByRole('button', { name: 'Sign out' }));
    assert.equal(pathAndQuery(page), '/login?signed_out');
    await watched.assertNoProblems();
  });
});
