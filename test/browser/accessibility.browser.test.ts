/**
 * Accessibility of every page (issue 10): axe-core on each page a person can
 * reach today, signed out and signed in, with the example corpus posted so the
 * tables, status words and forms are all on show; then the keyboard: the header's
 * links and search are reached with Tab, in reading order, each with a focus
 * ring that stands out from what is around it. Each page is also saved as a
 * full-page screenshot under test-artifacts/screenshots.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { emailOf, FIXTURE_PASSWORD } from '../helpers/accounts.js';
import { assertAccessible, saveScreenshot } from '../helpers/axe.js';
import { computedStyle, expectRefusedLoad, openPage, signInAs, startBrowserSuite, submit, submitSignIn, type WatchedPage } from '../helpers/browser.js';
import { createExampleIntegration } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';
import { loadExampleCorpus } from '../helpers/truth.js';

let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;
/** One signed-in tab (the owner, an admin of org-a, who sees every form), kept for the whole file. */
let owner: WatchedPage;

before(async () => {
  suite = await startBrowserSuite();
  const { db, app } = suite;
  for (const example of loadExampleCorpus()) {
    const { token } = await createExampleIntegration(db.knex, 'org-a', example);
    for (const run of example.runs) {
      const posted = await postRun(app, token, run.payload);
      assert.equal(posted.status, 201, `${run.file}: ${posted.text}`);
    }
  }
  // Every status word a group can have, so each pill's colours are checked.
  const groups: Array<{ id: string }> = await db.knex('error_groups').select('id').orderBy('id').limit(3);
  assert.equal(groups.length, 3, 'the corpus leaves at least three error groups');
  await db.knex('error_groups').where({ id: groups[0]!.id }).update({ status: 'resolved' });
  await db.knex('error_groups').where({ id: groups[1]!.id }).update({ status: 'ignored' });
  await db.knex('error_groups').where({ id: groups[2]!.id }).update({ status: 'regressed' });

  owner = await openPage(suite.browser);
  await signInAs(owner.page, suite.served.url, emailOf('owner'), '/');
});
after(async () => {
  await owner?.close();
  await suite?.close();
});

/** Opens `path` in the signed-in tab, expecting `status`, and checks the page with axe. */
async function checkPage(path: string, label: string, status = 200): Promise<Page> {
  const { page } = owner;
  const response = await page.goto(`${suite!.served.url}${path}`);
  assert.equal(response?.status(), status, `${path} answered ${response?.status()}`);
  if (status >= 400) expectRefusedLoad(owner, status);
  await assertAccessible(page, label);
  await saveScreenshot(page, label);
  await owner.assertNoProblems();
  return page;
}

const SIGNED_IN_PAGES: ReadonlyArray<{ path: string; label: string; status?: number; shows: string }> = [
  { path: '/', label: 'overview', shows: 'Overview' },
  { path: '/?health=missed', label: 'overview missed only', shows: 'Overview' },
  { path: '/runs', label: 'feed logs', shows: 'Feed logs' },
  { path: '/error-groups', label: 'error groups', shows: 'Error groups' },
  { path: '/error-groups?status=ignored', label: 'error groups ignored', shows: 'Error groups' },
  { path: '/integrations', label: 'integrations', shows: 'Integrations' },
  { path: '/search', label: 'search empty', shows: 'Search employees' },
  { path: '/search?q=aoife', label: 'search results', shows: 'Search employees' },
  { path: '/employees', label: 'mapped employees', shows: 'Employees' },
  { path: '/employees?state=blocked', label: 'mapped employees blocked', shows: 'Employees' },
  { path: '/employees/7781_10020', label: 'employee', shows: 'Aoife Haddad' },
  { path: '/employees/7781_10037', label: 'employee blocked', shows: 'Aoife Haddad' },
  { path: '/members', label: 'people', shows: 'People' },
  { path: '/settings/profile', label: 'settings time zone', shows: 'Settings' },
  { path: '/settings/password', label: 'settings password', shows: 'Change your password' },
  { path: '/settings/tokens', label: 'settings API tokens', shows: 'API tokens' },
  { path: '/settings/notifications', label: 'settings email', shows: 'Settings' },
  { path: '/outbox', label: 'outbox', shows: 'Outbox' },
  { path: '/drift', label: 'catalog drift', shows: 'Catalog drift' },
  // The corpus's runs are of 14 to 21 November 2026: a custom range that holds them all, its charts drawn.
  { path: '/trends?from=2026-11-13&to=2026-11-21', label: 'trends', shows: 'Trends' },
  { path: '/drift?field=branch', label: 'catalog drift branches', shows: 'Catalog drift' },
  { path: '/api/docs', label: 'API reference', shows: 'feedlog API' },
  { path: '/no-such-page', label: 'not found', status: 404, shows: 'Not Found' },
];

for (const { path, label, status, shows } of SIGNED_IN_PAGES) {
  test(`axe finds no serious or critical violation on the ${label} page (${path}), signed in`, { timeout: 120_000 }, async () => {
    const page = await checkPage(path, label, status);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), new RegExp(`^${shows}`), 'the page is the one meant, with data');
  });
}

test("axe finds no serious or critical violation on a run, its failed records and a record, reached through the feed logs' links", {
  timeout: 120_000,
}, async () => {
  const { page } = owner;
  // The run's page, as the feed logs link it (no id written down here).
  await page.goto(`${suite!.served.url}/runs?run_id=fourth-flow-001`);
  const runHref = await page.locator('main').getByRole('link', { name: 'fourth-flow-001', exact: true }).first().getAttribute('href');
  assert.match(runHref ?? '', /^\/runs\/\d+$/, `the feed logs link the run: ${runHref}`);

  const run = await checkPage(runHref!, 'run');
  assert.match(await run.getByRole('heading', { level: 1 }).innerText(), /^Run fourth-flow-001/);
  assert.ok((await run.locator('table.records tbody tr').count()) > 1, 'its records are listed');
  assert.ok((await run.locator('.summary-bar a').count()) > 1, 'the counts per outcome are links');

  const failed = await checkPage(`${runHref}?outcome=failed`, 'run failed records');
  const rows = failed.locator('table.records tbody tr');
  assert.ok((await rows.count()) > 0, 'failed records are listed');
  assert.equal(await rows.filter({ hasNotText: 'failed' }).count(), 0, 'only failed records');
  assert.ok((await failed.locator('ul.errors-inline li').count()) > 0, 'their errors are inline');

  // Aoife Haddad's record, as the filtered run links it.
  const hers = rows.filter({ hasText: '7781_10020' });
  assert.equal(await hers.count(), 1, "Aoife Haddad's failed record is in the list");
  const recordHref = await hers.getByRole('link', { name: '7781_10020' }).getAttribute('href');
  assert.match(recordHref ?? '', /^\/runs\/\d+\/records\/\d+$/, `the run links the record: ${recordHref}`);
  const record = await checkPage(recordHref!, 'record');
  assert.match(await record.getByRole('heading', { level: 1 }).innerText(), /^Record \d+: Aoife Haddad$/);
  assert.equal(await record.locator('.guidance').count(), 1, 'its error, with guidance');
  assert.ok((await record.locator('table.diff tbody tr').count()) > 0, 'the diff against her previous record');
  assert.ok(await record.locator('pre.raw').isVisible(), 'the raw JSON');
});

test("axe finds no serious or critical violation on a group's page, with its employees, occurrences, history and buttons", { timeout: 120_000 }, async () => {
  // The group set to regressed above: the history shows a run's change, and the admin has buttons.
  const [group] = await suite!.db.knex('error_groups as g').select('g.id').where('g.status', 'regressed').orderBy('g.id').limit(1);
  assert.ok(group);
  const page = await checkPage(`/error-groups/${group.id}`, 'error group');
  assert.ok((await page.locator('table.members tbody tr').count()) > 0, 'employees listed');
  assert.ok((await page.locator('table.occurrences tbody tr').count()) > 0, 'occurrences listed');
  assert.ok((await page.locator('.group-summary button').count()) > 0, 'the admin sees the buttons');
});

test('the pages show the example corpus, so the check saw filled tables and status words', { timeout: 120_000 }, async () => {
  const { page } = owner;
  await page.goto(`${suite!.served.url}/`);
  assert.equal(await page.locator('table.overview tbody tr').count(), 4, 'A flow and the three example integrations');
  const statuses = new Set<string>();
  for (const path of ['/error-groups', '/error-groups?status=ignored']) {
    await page.goto(`${suite!.served.url}${path}`);
    for (const word of await page.locator('.status').allInnerTexts()) statuses.add(word);
  }
  for (const word of ['open', 'resolved', 'ignored', 'regressed']) assert.ok(statuses.has(word), `a ${word} group is shown`);
});

test('axe finds no serious or critical violation on the signed-out pages: sign in, its error, the API reference', { timeout: 120_000 }, async () => {
  const visitor = await openPage(suite!.browser);
  try {
    const { page } = visitor;
    await page.goto(`${suite!.served.url}/login`);
    await assertAccessible(page, 'sign-in page');
    await saveScreenshot(page, 'sign in');

    await submitSignIn(page, emailOf('owner'), `${FIXTURE_PASSWORD} but wrong`, 401);
    expectRefusedLoad(visitor, 401);
    assert.ok(await page.getByRole('alert').isVisible(), 'the refusal is shown');
    await assertAccessible(page, 'sign-in page with its error');

    await page.goto(`${suite!.served.url}/api/docs`);
    await assertAccessible(page, 'API reference, signed out');
    await visitor.assertNoProblems();
  } finally {
    await visitor.close();
  }
});

test('axe finds no serious or critical violation on the answers to forms: a new API token, a new person, a rotated ingest token', {
  timeout: 60_000,
}, async () => {
  const { page } = owner;
  await page.goto(`${suite!.served.url}/settings/tokens`);
  await page.getByLabel('Name', { exact: true }).fill('accessibility check');
  await submit(page, page.getByRole('button', { name: 'Create token' }), 201);
  assert.ok(await page.locator('#new-token').isVisible(), 'the new token is shown');
  await assertAccessible(page, 'API tokens with a new token');

  await page.goto(`${suite!.served.url}/members`);
  await page.getByLabel('Add a person').fill('new.person@example.com');
  await submit(page, page.locator('main').getByRole('button', { name: 'Add', exact: true }), 201);
  assert.ok(await page.locator('#new-password').isVisible(), 'the new password is shown');
  await assertAccessible(page, 'people with a new person');

  await page.goto(`${suite!.served.url}/integrations`);
  await submit(page, page.getByRole('button', { name: 'Rotate ingest token' }).first(), 201);
  assert.ok(await page.locator('#new-ingest-token').isVisible(), 'the new ingest token is shown');
  await assertAccessible(page, 'integrations with a rotated token');
  await owner.assertNoProblems();
});

for (const who of ['teammate', 'support'] as const) {
  test(`axe finds no serious or critical violation on what ${who === 'support' ? 'support' : 'ops'} sees (${who})`, { timeout: 120_000 }, async () => {
    const reader = await openPage(suite!.browser);
    try {
      await signInAs(reader.page, suite!.served.url, emailOf(who), '/');
      for (const path of ['/', '/error-groups', '/integrations', '/members']) {
        await reader.page.goto(`${suite!.served.url}${path}`);
        await assertAccessible(reader.page, `${path} as ${who}`);
      }
      await reader.assertNoProblems();
    } finally {
      await reader.close();
    }
  });
}

// The few DOM types the code run in the page needs (tsconfig has no "dom" lib).
interface FocusedElement {
  tagName: string;
  id: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  closest(selector: string): unknown;
}
interface PageDocument {
  document: { activeElement: FocusedElement | null };
}

/** What has the keyboard focus: a short description such as `a "Overview" in header` or `input#header-search in header`. */
function describeFocused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = (globalThis as unknown as PageDocument).document.activeElement;
    if (!element) return 'nothing';
    const name = element.tagName.toLowerCase();
    const what = element.id ? `${name}#${element.id}` : `${name} "${(element.textContent ?? '').trim()}"`;
    return `${what}${element.closest('header.top') ? ' in header' : ''}`;
  });
}

/** The relative luminance of a CSS `rgb(...)`/`rgba(...)` colour (WCAG 2). */
function luminance(color: string): number {
  const parts = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  assert.ok(parts, `a colour in rgb(): ${color}`);
  const [r, g, b] = parts.slice(1, 4).map((value) => {
    const channel = Number(value) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(one: string, other: string): number {
  const [light, dark] = [luminance(one), luminance(other)].sort((a, b) => b - a);
  return (light! + 0.05) / (dark! + 0.05);
}

test('the keyboard reaches the header links and the search in reading order, each with a focus ring that stands out', { timeout: 120_000 }, async () => {
  const { page } = owner;
  await page.goto(`${suite!.served.url}/`);
  // The navigation grows as pages are added: every link it has now, in its order.
  const navLinks = await page.locator('header.top nav.main-nav a').allInnerTexts();
  for (const name of ['Overview', 'Error groups', 'Integrations', 'People', 'Settings', 'API reference']) {
    assert.ok(navLinks.includes(name), `the navigation links to ${name}: ${navLinks.join(', ')}`);
  }
  const expected = [
    'a "Skip to the page content" in header',
    'a "feedlog" in header',
    ...navLinks.map((name) => `a "${name}" in header`),
    'input#header-search in header',
    'button "Search" in header',
    'button "Sign out" in header',
  ];
  const headerBackground = (await computedStyle(page.locator('header.top'), ['background-color']))['background-color']!;
  const reached: string[] = [];
  for (const _ of expected) {
    await page.keyboard.press('Tab');
    reached.push(await describeFocused(page));
    const focused = page.locator(':focus');
    const style = await computedStyle(focused, ['outline-style', 'outline-width', 'outline-color']);
    assert.notEqual(style['outline-style'], 'none', `${reached.at(-1)} shows a focus outline`);
    assert.ok(Number.parseFloat(style['outline-width']!) >= 2, `${reached.at(-1)}'s focus outline is at least 2px wide: ${style['outline-width']}`);
    // WCAG 2.2's 1.4.11: a focus indicator needs 3:1 against the colours next to it.
    const ratio = contrast(style['outline-color']!, headerBackground);
    assert.ok(ratio >= 3, `${reached.at(-1)}'s focus outline ${style['outline-color']} has ${ratio.toFixed(2)}:1 against the header's ${headerBackground}`);
  }
  assert.deepEqual(reached, expected);

  // The skip link is hidden until focused and, followed, moves the focus past the header.
  await page.goto(`${suite!.served.url}/`);
  const skip = page.getByRole('link', { name: 'Skip to the page content' });
  const inSight = async () => {
    const box = await skip.boundingBox();
    return box !== null && box.y >= 0 && box.x >= 0;
  };
  assert.equal(await inSight(), false, 'the skip link is out of sight until it has the focus');
  await page.keyboard.press('Tab');
  assert.equal(await describeFocused(page), expected[0]);
  assert.equal(await inSight(), true, 'the skip link shows while it has the focus');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const afterSkip = await describeFocused(page);
  assert.doesNotMatch(afterSkip, /in header$/, `after the skip link, Tab goes into the page (${afterSkip})`);
  await owner.assertNoProblems();
});
