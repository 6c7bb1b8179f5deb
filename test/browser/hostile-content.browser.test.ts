/**
 * Hostile content on every page a person can reach (issue 9): runs whose every
 * string field is a payload (`<script>`, an `onerror` attribute break-out,
 * `javascript:` URLs, template syntax, RTL overrides, very long text), an
 * organisation, an integration and an API token named with payloads, then
 * every page opened in Chromium under the real CSP: no script ran (the
 * payloads set `window.__pwned` or open a dialog), no inline handler or
 * `javascript:` link reached the DOM, no console error or CSP violation (the
 * harness fails a page on those), and the payload text is shown as text.
 */
import { shorten } from '../../src/shared/shorten.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createApiToken } from '../../src/accounts/accounts.service.js';
import { emailOf } from '../helpers/accounts.js';
import { expectRefusedLoad, signInAs, startBrowserSuite, withPage, type WatchedPage } from '../helpers/browser.js';
import { makeRun } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';

const PAYLOADS = {
  script: '<script>window.__pwned=1</script>',
  img: '"><img src=x onerror="window.__pwned=1;alert(1)">',
  attr: "' onmouseover='window.__pwned=1' autofocus onfocus='alert(1)' x='",
  jsUrl: 'javascript:window.__pwned=1//',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax is the payload
  template: '{{constructor.constructor("window.__pwned=1")()}} <%= 7*7 %> ${alert(1)}',
  rtl: 'Anna \u202Egnp.exe\u202C Lee',
  svg: '<svg/onload=alert(1)>',
} as const;
const LONG = `long ${'Ω'.repeat(4000)} end`;
const ALL = Object.values(PAYLOADS);
/** Each payload in turn, so that every field gets every kind. */
const nth = (i: number) => ALL[i % ALL.length]!;

function hostileRecord(i: number) {
  return {
    external_id: `${nth(i)}#${i}`,
    action: 'update',
    outcome: i % 2 ? 'failed' : 'warning',
    employee: {
      first_name: nth(i + 1),
      last_name: nth(i + 2),
      email: `${nth(i + 3)}@example.com`,
      job_title: i === 3 ? LONG : nth(i + 4),
      department: nth(i + 5),
      branch: nth(i + 6),
      [nth(i)]: nth(i + 1),
    },
    messages: [
      { code: nth(i), field: 'job_title', text: `Job title '${nth(i + 4)}' does not exist` },
      { code: 'SOMETHING_ELSE', field: nth(i + 2), text: nth(i + 3) },
    ],
  };
}

let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;

before(async () => {
  suite = await startBrowserSuite();
  const { db, app, orgA } = suite;
  const records = ALL.map((_, i) => hostileRecord(i));
  const first = await postRun(
    app,
    orgA.token,
    makeRun({
      run_id: `${PAYLOADS.script} 1`,
      source_system: PAYLOADS.img,
      target_system: PAYLOADS.template,
      catalog: { job_titles: [...ALL, LONG], departments: ALL, branches: ALL },
      records,
    }),
  );
  assert.equal(first.status, 201, first.text);
  const failed = await postRun(
    app,
    orgA.token,
    makeRun({
      run_id: `${PAYLOADS.img} 2`,
      status: 'failed',
      run_error: `${PAYLOADS.script} ${PAYLOADS.jsUrl} ${PAYLOADS.rtl}`,
      started_at: '2026-11-21T11:15:00Z',
      finished_at: '2026-11-21T11:16:00Z',
      records: [],
    }),
  );
  assert.equal(failed.status, 201, failed.text);
  // The feed logs, the runs and their records (record 3 carries the long job title).
  const run = first.body.id as string;
  VISITS.push(
    { path: '/runs', status: 200, shows: [`Flow ${PAYLOADS.script}`, `${PAYLOADS.script} 1`, `${PAYLOADS.img} 2`] },
    { path: `/runs/${run}`, status: 200, shows: [`Run ${PAYLOADS.script} 1`] },
    { path: `/runs/${run}?outcome=failed&q=${encodeURIComponent(PAYLOADS.script)}`, status: 200, shows: [PAYLOADS.script] },
    { path: `/runs/${run}?code=job_title_mismatch&field=job_title`, status: 200, shows: [] },
    { path: `/runs/${failed.body.id as string}`, status: 200, shows: [`${PAYLOADS.script} ${PAYLOADS.jsUrl} ${PAYLOADS.rtl}`] },
    { path: `/runs/${run}/records/1`, status: 200, shows: [PAYLOADS.attr, PAYLOADS.template, PAYLOADS.rtl] },
    { path: `/runs/${run}/records/3`, status: 200, shows: [shorten(LONG, 200), PAYLOADS.svg] },
    { path: `/runs/${run}?q=${encodeURIComponent(PAYLOADS.img)}&code=${encodeURIComponent(PAYLOADS.img)}`, status: 400, shows: [] },
  );
  await db
    .knex('organisations')
    .where({ id: orgA.organisation.id })
    .update({ name: `Org ${PAYLOADS.svg}` });
  await db
    .knex('integrations')
    .where({ id: orgA.integration.id })
    .update({ name: `Flow ${PAYLOADS.script}`, source_system: PAYLOADS.attr, target_system: PAYLOADS.jsUrl });
  await createApiToken(db.knex, emailOf('owner'), `token ${PAYLOADS.img}`);
  // An email of org-a's whose subject and error are payloads, and the outbox page of it.
  const owner = await db
    .knex('users')
    .where({ email: emailOf('owner') })
    .first('id');
  const [delivery] = await db
    .knex('email_deliveries')
    .insert({
      org_id: orgA.organisation.id,
      user_id: owner.id,
      kind: 'summary',
      dedupe_key: PAYLOADS.script,
      subject: `subject ${PAYLOADS.img}`,
      status: 'pending',
      last_error: `error ${PAYLOADS.attr}`,
    })
    .returning('id');
  VISITS.push({ path: `/outbox/${delivery.id}`, status: 200, shows: [`subject ${PAYLOADS.img}`, `error ${PAYLOADS.attr}`] });
});
after(() => suite?.close());

// page.evaluate runs these in the page (tsconfig has no "dom" lib, hence strings).
const PWNED = 'window.__pwned';
const INLINE_HANDLERS =
  '[...document.querySelectorAll("*")].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)).map((a) => e.tagName.toLowerCase() + " " + a.name + "=" + a.value.slice(0, 60)))';

interface Visit {
  path: string;
  status: number;
  /** Payload text the page must show, as text. */
  shows: string[];
}

const VISITS: Visit[] = [
  { path: '/', status: 200, shows: [`Flow ${PAYLOADS.script}`, PAYLOADS.jsUrl] },
  { path: '/?health=missed', status: 200, shows: [`Flow ${PAYLOADS.script}`] },
  { path: `/?health=${encodeURIComponent(PAYLOADS.script)}`, status: 400, shows: [] },
  // The table shows long values cut (src/shared/shorten.ts), saying how long they were.
  { path: '/error-groups', status: 200, shows: [shorten(PAYLOADS.img), shorten(PAYLOADS.template), shorten(LONG)] },
  { path: '/error-groups?status=open&code=job_title_mismatch', status: 200, shows: [] },
  { path: `/error-groups?q=${encodeURIComponent(PAYLOADS.img)}`, status: 200, shows: [shorten(PAYLOADS.img)] },
  // Drift quotes each value and names the source and target (payloads too) in its fix.
  { path: '/drift', status: 200, shows: [shorten(PAYLOADS.img), shorten(PAYLOADS.template), shorten(LONG), PAYLOADS.jsUrl] },
  { path: `/drift?integration=${encodeURIComponent(PAYLOADS.script)}`, status: 400, shows: [] },
  // The runs are of 21 November 2026. The charts draw the drifted values on canvas; their tables (folded once drawn) hold them as text.
  { path: '/trends?from=2026-11-20&to=2026-11-22', status: 200, shows: [`All integrations of Org ${PAYLOADS.svg}`] },
  { path: `/trends?integration=${encodeURIComponent(PAYLOADS.script)}&from=${encodeURIComponent(PAYLOADS.img)}`, status: 400, shows: [] },
  { path: '/integrations', status: 200, shows: [`Flow ${PAYLOADS.script}`] },
  { path: '/members', status: 200, shows: [`Org ${PAYLOADS.svg}`] },
  { path: '/settings/tokens', status: 200, shows: [`token ${PAYLOADS.img}`] },
  { path: '/settings/password', status: 200, shows: [] },
  // Email: the organisation and integration names in the preferences forms, the outbox's subject and error.
  { path: '/settings/notifications', status: 200, shows: [`Org ${PAYLOADS.svg}`, `Flow ${PAYLOADS.script}`] },
  { path: '/outbox', status: 200, shows: [`Outbox · Org ${PAYLOADS.svg}`, shorten(`subject ${PAYLOADS.img}`), shorten(`error ${PAYLOADS.attr}`)] },
  { path: '/api/docs', status: 200, shows: [] },
  { path: '/employees', status: 200, shows: [`${PAYLOADS.script}#0`, PAYLOADS.img] },
  { path: `/employees?q=${encodeURIComponent(PAYLOADS.img)}&state=blocked`, status: 200, shows: [] },
  { path: `/employees/${encodeURIComponent(`${PAYLOADS.script}#0`)}`, status: 200, shows: [`${PAYLOADS.script}#0`, PAYLOADS.img] },
  { path: `/employees/${encodeURIComponent(`${PAYLOADS.svg}#6`)}`, status: 200, shows: [`${PAYLOADS.svg}#6`] },
  { path: '/search?q=pwned', status: 200, shows: [`${PAYLOADS.script}#0`] },
  { path: `/search?q=${encodeURIComponent(PAYLOADS.template)}`, status: 200, shows: [] },
  { path: `/no-such-page/${encodeURIComponent(PAYLOADS.script)}`, status: 404, shows: [] },
  { path: `/error-groups?code=${encodeURIComponent(PAYLOADS.img)}`, status: 400, shows: [] },
  { path: `/error-groups?integration=${encodeURIComponent(PAYLOADS.script)}`, status: 400, shows: [] },
];

async function assertNothingRan(watched: WatchedPage, dialogs: string[], where: string) {
  const { page } = watched;
  assert.equal(await page.evaluate(PWNED), undefined, `${where}: a payload's script ran (window.__pwned is set)`);
  assert.deepEqual(dialogs, [], `${where}: a payload opened a dialog`);
  assert.deepEqual(await page.evaluate(INLINE_HANDLERS), [], `${where}: an inline handler or javascript: URL reached the DOM`);
  await watched.assertNoProblems();
}

const visibleText = (page: Page) => page.locator('body').innerText();

test('every page shows the hostile payloads as text and runs none of them', { timeout: 120_000 }, async () => {
  const { browser, served } = suite!;
  const checked: string[] = [];
  await withPage(browser, async (watched) => {
    const { page } = watched;
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signInAs(page, served.url, emailOf('owner'), '/');
    for (const visit of VISITS) {
      const response = await page.goto(`${served.url}${visit.path}`);
      assert.equal(response?.status(), visit.status, `${visit.path} answers ${visit.status}`);
      if (visit.status >= 400) expectRefusedLoad(watched, visit.status);
      await assertNothingRan(watched, dialogs, visit.path);
      const text = await visibleText(page);
      for (const shown of visit.shows) assert.ok(text.includes(shown), `${visit.path} shows ${JSON.stringify(shown.slice(0, 80))} as text`);
      checked.push(visit.path);
    }
    // The table links each group to its page (guidance, employees, occurrences, history): open them all. Not the CSV download.
    await page.goto(`${served.url}/error-groups`);
    const hrefs = await page
      .locator('main a[href^="/"]:not([download])')
      .evaluateAll((links) => links.map((a) => (a as unknown as { getAttribute(n: string): string }).getAttribute('href')));
    for (const href of [...new Set(hrefs)].slice(0, 15)) {
      const response = await page.goto(`${served.url}${href}`);
      assert.ok(response && response.status() < 400, `${href} answers ${response?.status()}`);
      await assertNothingRan(watched, dialogs, href);
      checked.push(href);
    }
  });
  assert.ok(checked.length >= VISITS.length);
});

test('the payloads are shown to a teammate (ops) as text too, on the pages they read', { timeout: 60_000 }, async () => {
  const { browser, served } = suite!;
  await withPage(browser, async (watched) => {
    const dialogs: string[] = [];
    watched.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signInAs(watched.page, served.url, emailOf('teammate'), '/error-groups');
    assert.ok((await visibleText(watched.page)).includes(PAYLOADS.img));
    await assertNothingRan(watched, dialogs, '/error-groups as teammate');
    for (const path of ['/', '/integrations', '/members']) {
      await watched.page.goto(`${served.url}${path}`);
      await assertNothingRan(watched, dialogs, `${path} as teammate`);
    }
  });
});
