/**
 * The trends page in Chromium, under the real CSP: with a few days of runs (a
 * drop in volume, failed runs, errors of several codes, a missed-run gap),
 * every chart is drawn (its canvas holds pixels of its data's colour, not just
 * axes), chart.js comes from our origin, no console error or CSP violation,
 * axe-core finds nothing serious, and switching the range redraws the charts
 * with the range's buckets.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createApp } from '../../src/app/app.js';
import { emailOf } from '../helpers/accounts.js';
import { assertAccessible, saveScreenshot } from '../helpers/axe.js';
import { clickAndLoad, openPage, pathAndQuery, signInAs, startBrowserSuite, submit, type WatchedPage } from '../helpers/browser.js';
import { makeRun } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';

let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;
let owner: WatchedPage;
const HOUR = 3_600_000;

const record = (i: number, title: string, outcome: string) => ({
  external_id: `emp-${i}`,
  action: 'update',
  outcome,
  employee: { first_name: 'Ana', last_name: `Number ${i}`, email: `ana.${i}@example.com`, job_title: title, department: 'Kitchen', branch: 'London Soho' },
  messages: outcome === 'failed' ? [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: `Job title '${title}' does not exist` }] : [],
});

before(async () => {
  suite = await startBrowserSuite();
  const { db, orgA } = suite;
  // Posted through an app of its own with no rate limit: the served one allows 60 runs a minute.
  const app = createApp({ knex: db.knex, ingestLimits: { perMinute: 1_000_000 } });
  // Two runs an hour over the last three days, started at the top and half of each hour. Thirty employees, until a
  // day ago the source sends only eight; one run in nine fails; some titles the catalog lacks.
  const start = Math.floor(Date.now() / HOUR) * HOUR - 72 * HOUR;
  let n = 0;
  for (let at = start; at < Date.now() - HOUR; at += HOUR / 2) {
    n += 1;
    const failed = n % 9 === 0;
    const size = at > Date.now() - 24 * HOUR ? 8 : 30;
    const records = failed
      ? []
      : Array.from({ length: size }, (_, i) =>
          record(i, i % 7 === n % 7 ? 'kitchen porter' : i % 11 === 0 ? 'Barista' : 'Head Chef', i % 7 === n % 7 || i % 11 === 0 ? 'failed' : 'succeeded'),
        );
    const posted = await postRun(
      app,
      orgA.token,
      makeRun({
        run_id: `trend-${n}`,
        started_at: new Date(at).toISOString(),
        finished_at: new Date(at + (20 + (n % 5) * 7) * 1000).toISOString(),
        status: failed ? 'failed' : 'completed_with_errors',
        run_error: failed ? 'The target refused the credentials' : null,
        records,
      }),
    );
    assert.equal(posted.status, 201, posted.text);
  }
  // A gap the scheduler recorded two days ago: four slots of 15 minutes missed.
  const due = start + 30 * HOUR + 15 * 60_000;
  await db.knex('integration_events').insert({
    org_id: orgA.organisation.id,
    integration_id: orgA.integration.id,
    code: 'missed_run',
    severity: 'error',
    due_at: new Date(due),
    last_due_at: new Date(due + 45 * 60_000),
    missed_slots: 4,
    occurred_at: new Date(due + 60 * 60_000),
    resolved_at: new Date(due + 70 * 60_000),
    details: { expected: 'every 15m (grace 10m)' },
  });
  owner = await openPage(suite.browser);
  await signInAs(owner.page, suite.served.url, emailOf('owner'), '/');
});
after(async () => {
  await owner?.close();
  await suite?.close();
});

// Runs in the page (tsconfig has no "dom" lib, hence a string): per chart, its canvas's size, how many pixels are
// painted, and how many are near the colour of its first dataset (the data itself, not the axes).
const PIXELS = `(() => {
  const PALETTE = ['#2457c5', '#b42318', '#067647', '#7a5af8'];
  return [...document.querySelectorAll('canvas[data-chart]')].map((canvas) => {
    const data = JSON.parse(canvas.dataset.chart);
    const hex = PALETTE[data.datasets[0].colour];
    const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    let data0 = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] === 0) continue;
      painted += 1;
      if (Math.abs(pixels[i] - want[0]) < 40 && Math.abs(pixels[i + 1] - want[1]) < 40 && Math.abs(pixels[i + 2] - want[2]) < 40) data0 += 1;
    }
    return { id: canvas.closest('section').id, width: canvas.width, height: canvas.height, painted, data0, blank: canvas.toDataURL() === Object.assign(document.createElement('canvas'), { width: canvas.width, height: canvas.height }).toDataURL() };
  });
})()`;

interface Drawn {
  id: string;
  width: number;
  height: number;
  painted: number;
  data0: number;
  blank: boolean;
}

async function assertChartsDrawn(page: Page, expected: string[]) {
  // trends.js runs deferred, after chart.js: wait until every canvas was given its size by chart.js.
  await page.waitForFunction('[...document.querySelectorAll("canvas[data-chart]")].every((c) => c.style.width !== "")');
  const drawn = (await page.evaluate(PIXELS)) as Drawn[];
  assert.deepEqual(
    drawn.map((d) => d.id),
    expected.map((name) => `chart-${name}`),
  );
  for (const chart of drawn) {
    assert.ok(chart.width > 300 && chart.height > 150, `${chart.id} has a size: ${JSON.stringify(chart)}`);
    assert.equal(chart.blank, false, `${chart.id} is not blank`);
    assert.ok(chart.data0 > 200, `${chart.id} draws its data: ${JSON.stringify(chart)}`);
  }
}

const ALL_CHARTS = ['errors', 'success', 'records', 'duration', 'cadence', 'values'];

test('the trends page draws every chart from our own origin, with no console error and nothing axe finds serious', { timeout: 60_000 }, async () => {
  const { page } = owner;
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await clickAndLoad(page, page.locator('header.top').getByRole('link', { name: 'Trends' }));
  assert.equal(pathAndQuery(page), '/trends');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Trends');
  await assertChartsDrawn(page, ALL_CHARTS);
  assert.ok(
    requests.some((url) => url.endsWith('/static/vendor/chart.umd.min.js')),
    'chart.js is loaded from /static/vendor',
  );
  assert.deepEqual(
    requests.filter((url) => !url.startsWith(suite!.served.url)),
    [],
    'nothing is fetched from another origin',
  );
  // The default range is 7 days in 6-hour buckets: 28 rows in each bucket table.
  assert.equal(await page.locator('#chart-records table tbody tr').count(), 28);
  // The volume drop shows in the table: the smallest run fell from 30 to 8.
  const smallest = await page.locator('#chart-records table tbody tr td:nth-child(5)').allTextContents();
  assert.ok(smallest.includes('30') && smallest.includes('8'), smallest.join(' '));
  // The cadence table counts the gap's four missed slots.
  const missed = (await page.locator('#chart-cadence table tbody tr td:nth-child(4)').allTextContents()).map(Number);
  assert.equal(
    missed.reduce((a, b) => a + b, 0),
    4,
  );
  // Drawn, each chart's table is folded under it, one click away.
  assert.equal(await page.locator('details.trend-numbers[open]').count(), 0);
  await page.locator('#chart-records summary').click();
  assert.ok(await page.locator('#chart-records table').isVisible());
  await assertAccessible(page, 'trends');
  const file = await saveScreenshot(page, 'trends 7 days');
  assert.ok(file.endsWith('.png'));
  await owner.assertNoProblems();
});

test('switching the range redraws the charts in its buckets: 24 hours, 30 days, a custom range, one integration', { timeout: 60_000 }, async () => {
  const { page } = owner;
  const url = suite!.served.url;
  await page.goto(`${url}/trends`);
  await clickAndLoad(page, page.getByRole('navigation', { name: 'Range' }).getByRole('link', { name: 'Last 24 hours' }));
  assert.match(pathAndQuery(page), /range=24h/);
  await assertChartsDrawn(page, ALL_CHARTS);
  assert.equal(await page.locator('#chart-success table tbody tr').count(), 24);
  assert.equal(await page.getByRole('navigation', { name: 'Range' }).locator('[aria-current="page"]').innerText(), 'Last 24 hours');

  await clickAndLoad(page, page.getByRole('navigation', { name: 'Range' }).getByRole('link', { name: 'Last 30 days' }));
  await assertChartsDrawn(page, ALL_CHARTS);
  assert.equal(await page.locator('#chart-success table tbody tr').count(), 30);

  // The custom range's form: the last three days; then one integration, in that range.
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill(day(Date.now() - 2 * 24 * HOUR));
  await page.getByLabel('To', { exact: true }).fill(day(Date.now()));
  await submit(page, page.getByRole('button', { name: 'Show these days' }));
  assert.match(pathAndQuery(page), /range=custom/);
  await page.getByLabel('Integration').selectOption({ label: 'A flow' });
  await submit(page, page.getByRole('button', { name: 'Show', exact: true }));
  assert.match(pathAndQuery(page), /range=custom/);
  assert.match(pathAndQuery(page), /integration=\d+/);
  assert.match(await page.locator('main > p.muted').first().innerText(), /^A flow · Custom:/);
  await assertChartsDrawn(page, ALL_CHARTS);
  // Three days in 3-hour buckets (the smallest size that keeps a custom range at 60 buckets or fewer).
  assert.equal(await page.locator('#chart-success table tbody tr').count(), 24);
  await assertAccessible(page, 'trends custom range');
  await saveScreenshot(page, 'trends custom range');
  await owner.assertNoProblems();
});

test('without JavaScript the tables carry the figures', { timeout: 60_000 }, async () => {
  const context = await suite!.browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await signInAs(page, suite!.served.url, emailOf('owner'), '/trends?range=24h');
    assert.equal(await page.locator('details.trend-numbers[open]').count(), 6, 'the tables are open without JavaScript');
    const captions = await page.locator('main table caption').allInnerTexts();
    assert.equal(captions.length, 6, captions.join(' | '));
    assert.equal(await page.locator('#chart-errors table tbody tr').count(), 24);
    assert.equal(await page.locator('#chart-errors table thead th[scope="col"]').first().innerText(), 'Bucket');
  } finally {
    await context.close();
  }
});
