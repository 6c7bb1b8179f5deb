import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import type { Browser } from 'playwright-core';
import { createApiToken } from '../../src/accounts/accounts.service.js';
import { emailOf, FIXTURE_PASSWORD } from '../helpers/accounts.js';
import {
  clickAndLoad,
  expectRefusedLoad,
  pathAndQuery,
  signInAs,
  startBrowserSuite,
  submit,
  submitSignIn,
  withPage,
  type ServedApp,
} from '../helpers/browser.js';
import type { TestDatabase } from '../helpers/database.js';
import { makeRun } from '../helpers/fixtures.js';
import { postRun } from '../helpers/ingest.js';

// The pages as a person uses them, in real Chromium under the real CSP: sign in,
// read the overview and the error groups, change a group's status, manage API
// tokens, sign out. The tests of this file run in order and share one database:
// the run posted in `before` is what every page shows.

let db: TestDatabase;
let app: Express;
let served: ServedApp;
let browser: Browser;

let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;

before(async () => {
  suite = await startBrowserSuite();
  ({ db, app, served, browser } = suite);
  const posted = await postRun(app, suite.orgA.token, makeRun());
  assert.equal(posted.status, 201, posted.text);
});
after(() => suite?.close());

// The few DOM types page.evaluate needs (tsconfig has no "dom" lib).
interface FormField {
  value: string;
}
interface PageDocument {
  document: { querySelector(selector: string): FormField | null };
}

async function jobTitleGroup() {
  const group = await db.knex('error_groups').where({ code: 'job_title_mismatch' }).first();
  assert.ok(group, 'the run left a job_title_mismatch group');
  return group as { id: string; status: string };
}

function listRuns(token: string): Promise<Response> {
  return fetch(`${served.url}/api/v1/sync-runs`, { headers: { Authorization: `Bearer ${token}` } });
}

test('a form posted from a feedlog page is accepted as coming from feedlog itself', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    const loginPage = await page.goto(`${served.url}/login`);
    const referrerPolicy = loginPage?.headers()['referrer-policy'];
    await page.getByLabel('Email').fill(emailOf('owner'));
    await page.getByLabel('Password').fill(FIXTURE_PASSWORD);
    const [post] = await Promise.all([
      page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/login'),
      clickAndLoad(page, page.getByRole('button', { name: 'Sign in' })),
    ]);
    // Chromium sends "Origin: null" on a form post from a page whose Referrer-Policy is no-referrer;
    // the CSRF check must not take that for another site, or no one can sign in.
    const origin = post.headers().origin;
    assert.equal(
      pathAndQuery(page),
      '/',
      `signing in was refused: the browser sent Origin: ${origin}, as the page's Referrer-Policy: ${referrerPolicy} makes it do`,
    );
    await watched.assertNoProblems();
  });
});

test('a signed-out visitor is sent to sign in, a wrong password keeps the email, the right one shows the overview', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await page.goto(`${served.url}/`);
    assert.equal(pathAndQuery(page), '/login?next=%2F');
    assert.equal(await page.title(), 'Sign in · feedlog');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign in');
    assert.equal(await page.locator('input[name="next"]').inputValue(), '/');
    await page.screenshot({ path: '/tmp/feedlog-login.png', fullPage: true });
    await watched.assertNoProblems();

    await submitSignIn(page, emailOf('owner'), 'not the password at all', 401);
    expectRefusedLoad(watched, 401);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.getByRole('alert').innerText(), 'That email and password do not match an account. Check both and try again.');
    assert.equal(await page.getByLabel('Email').inputValue(), emailOf('owner'), 'the email typed is kept');
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is never sent back');
    await watched.assertNoProblems();

    await submitSignIn(page, emailOf('owner'), FIXTURE_PASSWORD);
    assert.equal(pathAndQuery(page), '/');
    assert.equal(await page.title(), 'Overview · feedlog');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Overview');
    const row = page.locator('table.overview tbody tr').filter({ hasText: 'A flow' });
    assert.equal(await row.count(), 1);
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], 'missed', 'runs every 15 minutes, the last one days ago');
    assert.match(cells[1]!, /^A flow\nno run since 10:15 Sat 21 Nov, expected 10:30 Sat 21 Nov \+ 10 min grace \(\d+ runs missed\)\n/);
    assert.match(cells[1]!, /\nFourth → Flow Learning · every 15m \(grace 10m\)$/);
    // Relative to now, with the exact time (the reader's zone: UTC by default) on hover.
    assert.match(cells[2]!, /^(\d+ days? ago|\d+ \w+ 2026)\ncompleted with errors\n/);
    const lastRun = row.locator('td time').first();
    assert.equal(await lastRun.getAttribute('datetime'), '2026-11-21T10:15:00.000Z');
    assert.equal(await lastRun.getAttribute('title'), '21 Nov 2026, 10:15:00 UTC');
    assert.equal(cells[5], 'job_title_mismatch 1', 'one open error group');
    assert.equal(await page.locator('header.top .who').innerText(), emailOf('owner'));
    assert.doesNotMatch(await page.locator('main').innerText(), /B flow|org-b/, "another organisation's integration is not shown");
    await page.screenshot({ path: '/tmp/feedlog-overview.png', fullPage: true });
    await watched.assertNoProblems();
  });
});

test('a deep link to a filtered error groups page comes back to it after sign-in', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await page.goto(`${served.url}/error-groups?code=job_title_mismatch`);
    assert.equal(pathAndQuery(page), `/login?next=${encodeURIComponent('/error-groups?code=job_title_mismatch')}`);
    await watched.assertNoProblems();

    await submitSignIn(page, emailOf('teammate'), FIXTURE_PASSWORD);
    assert.equal(pathAndQuery(page), '/error-groups?code=job_title_mismatch');
    assert.equal(await page.locator('select[name="code"]').inputValue(), 'job_title_mismatch', 'the filter is applied');
    const rows = page.locator('table.groups tbody tr');
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.locator('td code').innerText(), 'job_title_mismatch');
    await watched.assertNoProblems();
  });
});

test('an admin opens a group from the table, reads the guidance with the actual values, ignores the group, then reopens it', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    const { id } = await jobTitleGroup();
    await signInAs(page, served.url, emailOf('owner'), '/error-groups');
    const row = page.locator(`tr#group-${id}`);
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 6), ['open', 'job_title_mismatch job_title', "'kitchen porter' → 'Kitchen Porter'", 'A flow', '1', '1']);
    await page.screenshot({ path: '/tmp/feedlog-error-groups.png', fullPage: true });
    await watched.assertNoProblems();

    await clickAndLoad(page, row.getByRole('link'));
    assert.equal(pathAndQuery(page), `/error-groups/${id}`);
    const status = page.locator('.group-summary .status');
    const buttons = () => page.locator('.group-summary button').allInnerTexts();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Job title does not match Flow Learning exactly');
    const guidance = await page.locator('section.guidance').innerText();
    assert.match(guidance, /Fourth sends 'kitchen porter'; Flow Learning has 'Kitchen Porter'\./);
    assert.match(guidance, /Change it in Fourth to exactly 'Kitchen Porter'/);
    assert.equal(await status.innerText(), 'open');
    assert.deepEqual(await buttons(), ['Mark resolved', 'Ignore']);
    await page.screenshot({ path: '/tmp/feedlog-error-group.png', fullPage: true });
    await watched.assertNoProblems();

    await submit(page, page.getByRole('button', { name: 'Ignore' }));
    assert.equal(pathAndQuery(page), `/error-groups/${id}?done=ignored`);
    assert.match(await page.getByRole('status').innerText(), /^Ignored: Job title does not match Flow Learning exactly\./);
    assert.equal(await status.innerText(), 'ignored');
    assert.deepEqual(await buttons(), ['Mark resolved', 'Reopen']);
    assert.equal((await jobTitleGroup()).status, 'ignored');
    await watched.assertNoProblems();

    await submit(page, page.getByRole('button', { name: 'Reopen' }));
    assert.equal(pathAndQuery(page), `/error-groups/${id}?done=open`);
    assert.equal(await status.innerText(), 'open');
    assert.deepEqual(await buttons(), ['Mark resolved', 'Ignore']);
    assert.equal((await jobTitleGroup()).status, 'open');
    await watched.assertNoProblems();

    const audit = await db.knex('audit_events').where({ action: 'error_group.status_changed' }).orderBy('id').select('actor', 'details');
    assert.deepEqual(
      audit.map((event: { actor: string; details: { from: string; to: string; via: string } }) => [
        event.actor,
        event.details.from,
        event.details.to,
        event.details.via,
      ]),
      [
        [emailOf('owner'), 'open', 'ignored', 'web'],
        [emailOf('owner'), 'ignored', 'open', 'web'],
      ],
    );
  });
});

test("a teammate with the ops role reads the same group's page and its guidance, but has no buttons to change it", { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    const { id } = await jobTitleGroup();
    await signInAs(page, served.url, emailOf('teammate'), `/error-groups/${id}`);
    assert.match(await page.locator('section.guidance').innerText(), /Fourth sends 'kitchen porter'; Flow Learning has 'Kitchen Porter'\./);
    assert.equal(await page.locator('.group-summary .status').innerText(), 'open');
    assert.equal(await page.locator('main button').count(), 0);
    assert.equal(await page.locator('main form').count(), 0);
    await watched.assertNoProblems();
  });
});

test('a new API token is shown once, works against the API, and stops working when revoked', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/settings/tokens');
    assert.equal(await page.locator('#new-token').count(), 0);
    await watched.assertNoProblems();

    await page.getByLabel('Name', { exact: true }).fill('browser test');
    await submit(page, page.getByRole('button', { name: 'Create token' }), 201);
    const token = await page.locator('code#new-token').innerText();
    assert.match(token, /^fl_api_\d+_\S+$/);
    const row = page.locator('table.list tbody tr').filter({ hasText: 'browser test' });
    assert.equal(await row.count(), 1);
    // What the list shows of a token is the concern of the test about hints below.
    await page.screenshot({ path: '/tmp/feedlog-tokens.png', fullPage: true });
    await watched.assertNoProblems();

    const listed = await listRuns(token);
    assert.equal(listed.status, 200);
    const body = (await listed.json()) as { items: { run_id: string }[] };
    assert.deepEqual(
      body.items.map((run) => run.run_id),
      ['run-1'],
    );

    // The POST answered the page itself; a reload is a GET, which never shows a token.
    await page.goto(`${served.url}/settings/tokens`);
    assert.equal(await page.locator('#new-token').count(), 0);
    assert.equal(await page.locator('.new-token').count(), 0);
    assert.equal(await row.locator('td').nth(4).innerText(), 'live');
    await watched.assertNoProblems();

    await submit(page, row.getByRole('button', { name: 'Revoke' }));
    assert.equal(pathAndQuery(page), '/settings/tokens?revoked');
    assert.equal(await page.getByRole('status').innerText(), 'The token is revoked: it stops working at once.');
    assert.equal(await row.locator('td').nth(4).innerText(), 'revoked');
    assert.equal(await row.getByRole('button').count(), 0);
    assert.equal((await listRuns(token)).status, 401);
    await watched.assertNoProblems();
  });
});

test('the token list shows only the first characters of a token, even when its secret contains an underscore', { timeout: 60_000 }, async () => {
  // A secret is 43 base64url characters, so about every other one contains "_".
  // The hint must still be the prefix and four characters of the secret.
  const tokenPrefix = /^(fl_api_\d+_)(.{43})$/;
  let token = '';
  let name = '';
  for (let attempt = 1; attempt <= 50 && !(tokenPrefix.exec(token)?.[2] ?? '').includes('_'); attempt++) {
    name = `underscore ${attempt}`;
    token = await createApiToken(db.knex, emailOf('support'), name);
  }
  const [, prefix, secret] = tokenPrefix.exec(token)!;
  assert.ok(secret!.includes('_'), 'a secret with an underscore came up');

  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('support'), '/settings/tokens');
    const row = page.locator('table.list tbody tr').filter({ has: page.getByRole('cell', { name, exact: true }) });
    const hint = await row.locator('td').nth(1).innerText();
    assert.equal(hint, `${prefix}${secret!.slice(0, 4)}…`, `the list shows ${hint.length - prefix!.length - 1} of the secret's 43 characters`);
    await watched.assertNoProblems();
  });
});

test('"Sign out" ends the session: the overview asks to sign in again and shows nothing private', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/');
    const cookiesWhileSignedIn = await page.context().cookies();
    assert.ok(cookiesWhileSignedIn.some((cookie) => cookie.name === 'feedlog_session'));

    await submit(page, page.locator('header.top').getByRole('button', { name: 'Sign out' }));
    assert.equal(pathAndQuery(page), '/login?signed_out');
    assert.equal(await page.getByRole('status').innerText(), 'You are signed out.');
    assert.ok(!(await page.context().cookies()).some((cookie) => cookie.name === 'feedlog_session'), 'the session cookie is gone');
    await watched.assertNoProblems();

    const showsNothingPrivate = async () => {
      assert.equal(pathAndQuery(page), '/login?next=%2F');
      const text = await page.locator('body').innerText();
      for (const secret of [emailOf('owner'), 'A flow', 'org-a', 'completed with errors', 'Sign out']) {
        assert.ok(!text.includes(secret), `the sign-in page does not show "${secret}"`);
      }
    };
    await page.goto(`${served.url}/`);
    await showsNothingPrivate();
    await watched.assertNoProblems();

    // The session ended on the server too: its old cookie, replayed, opens nothing.
    await page.context().addCookies(cookiesWhileSignedIn.filter((cookie) => cookie.name === 'feedlog_session'));
    await page.goto(`${served.url}/`);
    await showsNothingPrivate();
    await watched.assertNoProblems();
  });
});

test('a form with a tampered CSRF token is refused with a readable HTML page that says to reload', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/settings/tokens');
    const tokensBefore = await db.knex('api_tokens').count<{ count: string }[]>('* as count');

    await page.evaluate(() => {
      const field = (globalThis as unknown as PageDocument).document.querySelector('form[action="/settings/tokens"] input[name="_csrf"]');
      if (!field) throw new Error('the token form has no _csrf field');
      field.value = 'tampered-by-the-test';
    });
    await page.getByLabel('Name', { exact: true }).fill('never created');
    const response = await clickAndLoad(page, page.getByRole('button', { name: 'Create token' }));

    assert.equal(response.status(), 403);
    assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
    assert.equal(await page.title(), '403 Forbidden · feedlog');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Forbidden');
    const text = await page.locator('main').innerText();
    assert.match(text, /reload the page/);
    assert.doesNotMatch(text, /^\s*\{/, 'not a JSON document');
    assert.equal(await page.getByRole('link', { name: 'Back to the overview' }).count(), 1);
    assert.deepEqual(await db.knex('api_tokens').count<{ count: string }[]>('* as count'), tokensBefore, 'no token was created');
    expectRefusedLoad(watched, 403);
    await watched.assertNoProblems();
  });
});
