import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { emailOf } from '../helpers/accounts.js';
import { clickAndLoad, pathAndQuery, signInAs, startBrowserSuite, submit, withPage, type ServedApp } from '../helpers/browser.js';
import type { TestDatabase } from '../helpers/database.js';
import { createExampleIntegration } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';
import { loadExampleCorpus } from '../helpers/truth.js';

// The error groups table, a group's page and catalog drift as an admin uses
// them in Chromium: fourth-flow of the example corpus up to run
// fourth-flow-001, where HR sends Aoife Haddad's job title as 'Bartender '.

let db: TestDatabase;
let served: ServedApp;
let browser: Browser;
let integrationId: number;
let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;

before(async () => {
  suite = await startBrowserSuite();
  ({ db, served, browser } = suite);
  const fourth = loadExampleCorpus().find((example) => example.integration === 'fourth-flow')!;
  const { integration, token } = await createExampleIntegration(db.knex, 'org-a', fourth);
  integrationId = integration.id;
  for (const run of fourth.runs.slice(0, 2)) assert.equal((await postRun(suite.app, token, run.payload)).status, 201, run.file);
});
after(() => suite?.close());

test('an admin finds the group in the table, opens it, resolves it, and reads the confirmation and the history entry', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/error-groups');
    await page.getByLabel('Value contains').fill('bartender');
    await submit(page, page.getByRole('button', { name: 'Filter' }));
    assert.equal(pathAndQuery(page), '/error-groups?integration=&code=&status=&q=bartender');
    const rows = page.locator('table.groups tbody tr');
    assert.equal(await rows.count(), 1);
    const cells = await rows.first().locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 6), ['open', 'job_title_mismatch job_title', "'Bartender ' → 'Bartender'", 'fourth-flow', '1', '1']);
    await watched.assertNoProblems();

    await clickAndLoad(page, rows.first().getByRole('link'));
    assert.match(pathAndQuery(page), /^\/error-groups\/\d+$/);
    const groupPath = pathAndQuery(page);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Job title does not match Flow Learning exactly');
    assert.match(await page.locator('section.guidance').innerText(), /Fourth sends 'Bartender '; Flow Learning has 'Bartender'\./);
    const employee = page.locator('table.members tbody tr');
    assert.equal(await employee.count(), 1);
    assert.deepEqual((await employee.locator('td').allInnerTexts()).slice(0, 4), ['7781_10020', 'Aoife Haddad', 'aoife.haddad20@example.com', 'affected']);
    assert.equal(await employee.getByRole('link').getAttribute('href'), `/employees/7781_10020?integration=${integrationId}`);
    const occurrence = page.locator('table.occurrences tbody tr');
    assert.equal(await occurrence.count(), 1);
    assert.match((await occurrence.getByRole('link', { name: 'record 8' }).getAttribute('href')) ?? '', /^\/runs\/\d+\/records\/8$/);
    await watched.assertNoProblems();

    await submit(page, page.getByRole('button', { name: 'Mark resolved' }));
    assert.equal(pathAndQuery(page), `${groupPath}?done=resolved`);
    assert.equal(
      await page.getByRole('status').innerText(),
      'Marked resolved: Job title does not match Flow Learning exactly. It reopens if the error comes back.',
    );
    assert.equal(await page.locator('.group-summary .status').innerText(), 'resolved');
    const newest = await page.locator('table.history tbody tr').first().locator('td').allInnerTexts();
    assert.deepEqual(newest.slice(1), [emailOf('owner'), 'Marked resolved (was open)']);
    assert.match(newest[0]!, /^(just now|\d+ (s|sec|seconds?) ago)$/);
    assert.deepEqual(await page.locator('.group-summary button').allInnerTexts(), ['Ignore', 'Reopen']);
    await page.screenshot({ path: '/tmp/feedlog-error-group-resolved.png', fullPage: true });
    await watched.assertNoProblems();
  });
});

test('an admin opens Catalog drift from the header and goes from a value to its group', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('teammate'), '/');
    await clickAndLoad(page, page.locator('header.top').getByRole('link', { name: 'Catalog drift' }));
    assert.equal(pathAndQuery(page), '/drift');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Catalog drift');
    const rows = page.locator('table.drift tbody tr');
    assert.ok((await rows.count()) >= 5, 'the run left several values the catalog lacks');
    const blocked = await rows.locator('td:first-child').allInnerTexts();
    assert.deepEqual(
      blocked.map(Number),
      blocked.map(Number).sort((a, b) => b - a),
      'most employees blocked first',
    );
    const sousChef = rows.filter({ hasText: 'sous  chef' });
    assert.deepEqual((await sousChef.locator('td').allInnerTexts()).slice(0, 6), [
      '1',
      'job title',
      "'sous  chef'",
      "'Sous Chef'",
      'case and spacing',
      "Rename 'sous  chef' to 'Sous Chef' in Fourth",
    ]);
    await page.screenshot({ path: '/tmp/feedlog-drift.png', fullPage: true });
    await watched.assertNoProblems();

    await page.getByLabel('Field').selectOption('department');
    await submit(page, page.getByRole('button', { name: 'Filter' }));
    const departments = await page.locator('table.drift tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(departments.length > 0 && departments.every((field) => field === 'department'));
    await watched.assertNoProblems();

    await clickAndLoad(page, page.locator('table.drift tbody tr').first().locator('td.drift-fix').getByRole('link'));
    assert.match(pathAndQuery(page), /^\/error-groups\/\d+$/);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Department/);
    await watched.assertNoProblems();
  });
});
