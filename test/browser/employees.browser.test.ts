/**
 * Issue 10's "done when", in real Chromium under the real CSP: a support user
 * types "Aoife" in the header search, opens Aoife Haddad (7781_10020) and
 * reads why her record in run fourth-flow-001 failed ('Bartender ' sent,
 * 'Bartender' in Flow) and what to change; then exports the integration's
 * mapped employees as CSV.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { emailOf } from '../helpers/accounts.js';
import { clickAndLoad, signInAs, startBrowserSuite, submit, withPage } from '../helpers/browser.js';
import { createExampleIntegration } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';
import { loadExampleCorpus } from '../helpers/truth.js';

let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;
let integrationId = 0;

before(async () => {
  suite = await startBrowserSuite();
  const fourth = loadExampleCorpus().find((example) => example.integration === 'fourth-flow')!;
  const { integration, token } = await createExampleIntegration(suite.db.knex, 'org-a', fourth);
  integrationId = integration.id;
  for (const run of fourth.runs) assert.equal((await postRun(suite.app, token, run.payload)).status, 201, run.file);
});
after(() => suite?.close());

test('support searches "Aoife", opens Aoife Haddad and reads why her record failed and what to change', { timeout: 90_000 }, async () => {
  const { browser, served } = suite!;
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('support'), '/');

    // 1: the header's search box, on any page.
    await page.getByLabel('Search employees by name, email or external ID').fill('Aoife');
    await submit(page, page.getByRole('button', { name: 'Search', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/search');
    assert.equal(await page.getByLabel('Search employees by name, email or external ID').inputValue(), 'Aoife', 'the box keeps the query');
    const row = page.locator('table.data tbody tr', { hasText: '7781_10020' });
    assert.equal(await row.count(), 1, 'Aoife Haddad 7781_10020 is one result');
    await page.screenshot({ path: '/tmp/feedlog-employee-search.png', fullPage: true });

    // 2: her page.
    await clickAndLoad(page, row.getByRole('link', { name: 'Aoife Haddad' }));
    assert.equal(new URL(page.url()).pathname, '/employees/7781_10020');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Aoife Haddad 7781_10020');

    // 3: the timeline's failed record in run fourth-flow-001, with the guidance naming both values.
    const failed = page.locator('table.data tbody tr', { hasText: 'fourth-flow-001' });
    assert.equal(await failed.count(), 1);
    const text = await failed.innerText();
    assert.match(text, /failed/);
    assert.match(text, /Fourth sends 'Bartender '; Flow Learning has 'Bartender'\./);
    await failed.getByText('How to fix').click();
    assert.match(await failed.innerText(), /Change it in Fourth to exactly 'Bartender'/);
    assert.match(text, /job_title: 'Bartender' → 'Bartender '/, 'what changed from her previous record');

    // The explanation a support agent pastes says the same.
    const explanation = await page.getByLabel('Plain text to paste into a reply').inputValue();
    assert.match(explanation, /Earlier, run fourth-flow-001 on .* failed for them: Fourth sends 'Bartender '; Flow Learning has 'Bartender'\./);
    await page.screenshot({ path: '/tmp/feedlog-employee.png', fullPage: true });
    await watched.assertNoProblems();
  });
});

test("the mapped employees of the integration are one click from the list, and export as CSV with the FAQ's columns", { timeout: 60_000 }, async () => {
  const { browser, served } = suite!;
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), `/employees?integration=${integrationId}`);
    assert.match(await page.locator('table.data').innerText(), /7781_10020\s+Aoife\s+Haddad/);
    await page.screenshot({ path: '/tmp/feedlog-employees.png', fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    assert.equal(download.suggestedFilename(), 'employees.csv');
    const path = await download.path();
    const lines = readFileSync(path, 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    assert.equal(lines[0], 'external_id,first_name,last_name,email,department,job_title,branch,state,last_synced');
    assert.ok(lines.some((line) => line.startsWith('7781_10020,Aoife,Haddad,aoife.haddad20@example.com,')));
    await watched.assertNoProblems();
  });
});
