/**
 * Issue 10's "Done when", as one journey in real Chromium under the real CSP,
 * with the whole example corpus posted (all three integrations): a support
 * user (no organisation of their own) types "Aoife" in the header search and
 * presses Enter (click 1), opens Aoife Haddad 7781_10020 (click 2) and opens
 * her record of run fourth-flow-001 from her timeline (click 3), where the page
 * says that Fourth sends the job title 'Bartender ' (the trailing space shown
 * inside the quotes, and named) while Flow Learning has 'Bartender', and the
 * steps to change it. Every click is counted. Then the CSV exports a support
 * agent hands on: the integration's mapped employees (the Planday FAQ's
 * columns) and the run's records. Each page on the way is checked with axe
 * and saved as a screenshot.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Download, Locator, Page } from 'playwright-core';
import { emailOf } from '../helpers/accounts.js';
import { assertAccessible, saveScreenshot } from '../helpers/axe.js';
import { clickAndLoad, pathAndQuery, signInAs, startBrowserSuite, withPage } from '../helpers/browser.js';
import { createExampleIntegration } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';
import { loadExampleCorpus } from '../helpers/truth.js';

let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;
/** The id of the fourth-flow integration, as created here. */
let fourthFlowId = 0;

before(async () => {
  suite = await startBrowserSuite();
  const corpus = loadExampleCorpus();
  assert.deepEqual(corpus.map((example) => example.integration).sort(), ['fourth-flow', 'hrfeed-flow', 'planday-flow']);
  for (const example of corpus) {
    const { integration, token } = await createExampleIntegration(suite.db.knex, 'org-a', example);
    if (example.integration === 'fourth-flow') fourthFlowId = integration.id;
    for (const run of example.runs) {
      const posted = await postRun(suite.app, token, run.payload);
      assert.equal(posted.status, 201, `${run.file}: ${posted.text}`);
    }
  }
  assert.ok(fourthFlowId > 0);
});
after(() => suite?.close());

/** A CSV file as rows of cells (RFC 4180: quoted cells may hold commas, quotes and line breaks), after its byte order mark. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && body[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += char;
  }
  assert.equal(quoted, false, 'the CSV ends outside a quoted cell');
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Clicks a download link and returns the download and the file's text. */
async function download(page: Page, link: Locator): Promise<{ download: Download; text: string }> {
  const [started] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const failure = await started.failure();
  assert.equal(failure, null, `the download completed (${failure})`);
  return { download: started, text: readFileSync(await started.path(), 'utf8') };
}

test('support types "Aoife" in the header search and, within three clicks, reads why her fourth-flow-001 record failed and what to change', {
  timeout: 120_000,
}, async () => {
  const { browser, served } = suite!;
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('support'), '/');
    await assertAccessible(page, 'journey 0 overview as support');
    await saveScreenshot(page, 'journey 0 overview as support');
    let clicks = 0;

    // Click 1: "Aoife" in the header's search box, submitted with Enter.
    const box = page.locator('header.top').getByLabel('Search employees by name, email or external ID');
    await box.fill('Aoife');
    const [searched] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), box.press('Enter')]);
    clicks++;
    assert.equal(searched?.status(), 200);
    assert.equal(pathAndQuery(page), '/search?q=Aoife');
    const result = page.locator('table.data tbody tr', { hasText: '7781_10020' });
    assert.equal(await result.count(), 1, 'Aoife Haddad 7781_10020 is one result');
    assert.match(await result.innerText(), /Aoife Haddad\s+aoife\.haddad20@example\.com\s+7781_10020\s+org-a Ltd\s+fourth-flow\s+synced\s+0\s/);
    // Support sees the other Aoifes too (7781_10037 is another Aoife Haddad): the external ID tells them apart.
    assert.ok((await page.locator('table.data tbody tr').count()) > 1, 'the search finds more than one Aoife');
    await assertAccessible(page, 'journey 1 search Aoife');
    await saveScreenshot(page, 'journey 1 search Aoife');

    // Click 2: Aoife Haddad, 7781_10020.
    await clickAndLoad(page, result.getByRole('link', { name: 'Aoife Haddad' }));
    clicks++;
    assert.match(new URL(page.url()).pathname, /^\/employees\/7781_10020$/);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Aoife Haddad 7781_10020$/);
    // Her timeline has the failed record of run fourth-flow-001, with what went wrong.
    const failed = page.locator('section[aria-labelledby="timeline"] table.data tbody tr', { hasText: 'fourth-flow-001' });
    assert.equal(await failed.count(), 1, 'one record of hers in run fourth-flow-001');
    assert.match(await failed.innerText(), /failed/);
    assert.match(await failed.innerText(), /Fourth sends 'Bartender '; Flow Learning has 'Bartender'\./);
    await assertAccessible(page, 'journey 2 employee Aoife Haddad');
    await saveScreenshot(page, 'journey 2 employee Aoife Haddad');

    // Click 3: that record, from her timeline.
    const recordLink = failed.locator('td').last().getByRole('link');
    await clickAndLoad(page, recordLink);
    clicks++;
    assert.match(new URL(page.url()).pathname, /^\/runs\/\d+\/records\/8$/, 'record 8 of the run, as in the corpus');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Record 8: Aoife Haddad$/);
    assert.match(await page.locator('.actions-row').innerText(), /^failed\s+· update · run\s+fourth-flow-001\s/);

    // The answer, as the reader sees it (innerText is the rendered text: a space that did not show would not be in it).
    const guidance = page.locator('section[aria-labelledby="our-errors"] .guidance');
    assert.equal(await guidance.count(), 1, 'one error on the record');
    assert.equal(await guidance.locator('h3').innerText(), 'Job title does not match Flow Learning exactly');
    const why = await guidance.locator('p').first().innerText();
    // The trailing space is shown between the quotes, and said in words.
    assert.match(why, /Fourth sends 'Bartender '; Flow Learning has 'Bartender'\./);
    assert.match(why, /The two differ only in spacing \(a space at the start or end\)\./);
    const steps = await guidance.locator('ol > li').allInnerTexts();
    assert.deepEqual(steps, ["Change it in Fourth to exactly 'Bartender'", 'Push employees again from Fourth, or wait for the next sync']);
    assert.match(await guidance.locator('p.muted').innerText(), /job_title_mismatch on job_title, sent “Bartender ”, expected “Bartender” \(spacing\)/);
    await assertAccessible(page, 'journey 3 record of fourth-flow-001');
    await saveScreenshot(page, 'journey 3 record of fourth-flow-001');

    assert.ok(clicks <= 3, `the answer took ${clicks} clicks`);
    assert.equal(clicks, 3);
    await watched.assertNoProblems();
  });
});

test("support exports the mapped employees of fourth-flow and the records of run fourth-flow-001 as CSV, from the pages' links", {
  timeout: 120_000,
}, async () => {
  const { browser, served } = suite!;
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('support'), `/employees?integration=${fourthFlowId}`);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Employees of fourth-flow$/);
    assert.match(await page.locator('table.data').innerText(), /7781_10020\s+Aoife\s+Haddad\s+aoife\.haddad20@example\.com/);
    await assertAccessible(page, 'journey 4 mapped employees of fourth-flow');
    await saveScreenshot(page, 'journey 4 mapped employees of fourth-flow');

    const employees = await download(page, page.getByRole('link', { name: 'Export CSV' }));
    assert.equal(employees.download.suggestedFilename(), 'employees.csv');
    assert.match(employees.text, /^\uFEFF?external_id,first_name,last_name,email,department,job_title,branch,state,last_synced\r\n/, 'the header row, exactly');
    const rows = parseCsv(employees.text);
    assert.deepEqual(rows[0], ['external_id', 'first_name', 'last_name', 'email', 'department', 'job_title', 'branch', 'state', 'last_synced']);
    assert.ok(
      rows.slice(1).every((row) => row.length === 9),
      'every row has the nine columns',
    );
    const aoife = rows.filter((row) => row[0] === '7781_10020');
    assert.equal(aoife.length, 1, 'one row for 7781_10020');
    // Her last record (fourth-flow-004) was applied: those are the values held.
    const [, first, last, email, department, jobTitle, branch, state, lastSynced] = aoife[0]!;
    assert.deepEqual(
      { first, last, email, department, jobTitle, branch, state },
      {
        first: 'Aoife',
        last: 'Haddad',
        email: 'aoife.haddad20@example.com',
        department: 'Front of House',
        jobTitle: 'Bartender',
        branch: 'Manchester Piccadilly',
        state: 'synced',
      },
    );
    assert.ok(!Number.isNaN(Date.parse(lastSynced!)), `last_synced is a time: ${lastSynced}`);
    // Only this integration's people: Planday's and HR feed's are not in it.
    assert.ok(
      rows.slice(1).every((row) => row[0]!.startsWith('7781_')),
      'only fourth-flow employees',
    );

    // The run's records, from the run page (reached from the feed logs, filtered by run ID).
    await page.goto(`${served.url}/runs?run_id=fourth-flow-001`);
    await clickAndLoad(page, page.getByRole('link', { name: 'fourth-flow-001', exact: true }).first());
    const runPath = new URL(page.url()).pathname;
    assert.match(runPath, /^\/runs\/\d+$/);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Run fourth-flow-001/);
    await assertAccessible(page, 'journey 5 run fourth-flow-001');
    await saveScreenshot(page, 'journey 5 run fourth-flow-001');
    const records = await download(page, page.getByRole('link', { name: 'Export CSV' }));
    assert.equal(records.download.suggestedFilename(), `run-${runPath.split('/')[2]}-records.csv`);
    const recordRows = parseCsv(records.text);
    assert.deepEqual(recordRows[0], [
      'run id',
      'run_id',
      'index',
      'external_id',
      'first_name',
      'last_name',
      'email',
      'action',
      'outcome',
      'error codes',
      'error values',
    ]);
    const payload = loadExampleCorpus()
      .find((example) => example.integration === 'fourth-flow')!
      .runs.find((run) => run.payload.run_id === 'fourth-flow-001')!.payload;
    assert.equal(recordRows.length - 1, payload.records.length, 'one row per record of the run');
    const hers = recordRows.find((row) => row[3] === '7781_10020');
    assert.deepEqual(hers, [
      runPath.split('/')[2],
      'fourth-flow-001',
      '8',
      '7781_10020',
      'Aoife',
      'Haddad',
      'aoife.haddad20@example.com',
      'update',
      'failed',
      'job_title_mismatch',
      'job_title: Bartender ',
    ]);

    // Filtered to the failed records, the export keeps the filter.
    await page.goto(`${served.url}${runPath}?outcome=failed`);
    const failedOnly = parseCsv((await download(page, page.getByRole('link', { name: 'Export CSV' }))).text);
    assert.ok(failedOnly.length > 2, 'several failed records');
    assert.ok(
      failedOnly.slice(1).every((row) => row[8] === 'failed'),
      'only failed records',
    );
    assert.ok(failedOnly.some((row) => row[3] === '7781_10020'));
    await watched.assertNoProblems();
  });
});
