import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { emailOf } from '../helpers/accounts.js';
import { clickAndLoad, pathAndQuery, signInAs, startBrowserSuite, submit, withPage } from '../helpers/browser.js';
import { makeRun } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';

// A person troubleshooting a sync, in real Chromium under the real CSP and with
// no script of ours: from the header to the feed logs, into a run, its failed
// records, and one record's guidance.

let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;
let runId: string;

before(async () => {
  suite = await startBrowserSuite();
  const posted = await postRun(
    suite.app,
    suite.orgA.token,
    makeRun({
      run_id: 'fourth-flow-001',
      source_system: 'Fourth',
      target_system: 'Flow',
      catalog: { job_titles: ['Bartender', 'Head Chef'], departments: ['Bar'], branches: ['Dublin'] },
      records: [
        {
          external_id: '7781_10020',
          action: 'create',
          outcome: 'succeeded',
          employee: { first_name: 'Cian', last_name: 'Byrne', email: 'cian@example.com', job_title: 'Head Chef', department: 'Bar', branch: 'Dublin' },
        },
        {
          external_id: '7781_10021',
          action: 'create',
          outcome: 'failed',
          employee: { first_name: 'Aoife', last_name: 'Haddad', email: 'aoife@example.com', job_title: 'Bartender ', department: 'Bar', branch: 'Dublin' },
          messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: "Job title 'Bartender ' does not exist" }],
        },
      ],
    }),
  );
  assert.equal(posted.status, 201, posted.text);
  runId = String(posted.body.id);
});
after(() => suite?.close());

test('open the feed logs from the header, open a run, filter its failed records, open one and read its guidance', { timeout: 90_000 }, async () => {
  const { browser, served } = suite!;
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('teammate'), '/');
    await clickAndLoad(page, page.locator('header.top').getByRole('link', { name: 'Feed logs' }));
    assert.equal(pathAndQuery(page), '/runs');
    await watched.assertNoProblems();

    await clickAndLoad(page, page.getByRole('link', { name: 'fourth-flow-001' }));
    assert.equal(pathAndQuery(page), `/runs/${runId}`);
    assert.match(await page.locator('h1').innerText(), /Run fourth-flow-001/);
    assert.match(await page.locator('main').innerText(), /2 records match/);

    await page.locator('select[name="outcome"]').selectOption('failed');
    await submit(page, page.getByRole('button', { name: 'Filter' }));
    assert.equal(new URL(page.url()).searchParams.get('outcome'), 'failed');
    const rows = page.locator('table.records tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Aoife Haddad.*failed.*job_title_mismatch/s);
    assert.match(await page.locator('main').innerText(), /1 record matches/);

    await clickAndLoad(page, rows.first().getByRole('link', { name: '7781_10021' }));
    assert.equal(pathAndQuery(page), `/runs/${runId}/records/1`);
    const guidance = page.locator('.guidance').first();
    assert.equal(await guidance.locator('h3').innerText(), 'Job title does not match Flow exactly');
    const text = await guidance.innerText();
    assert.match(text, /Fourth sends 'Bartender '; Flow has 'Bartender'/);
    assert.match(text, /Change it in Fourth to exactly 'Bartender'/);
    await watched.assertNoProblems();
  });
});
