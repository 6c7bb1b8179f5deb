import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import type { Browser, Locator, Page } from 'playwright-core';
import { emailOf, type FixtureUser } from '../helpers/accounts.js';
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
import { tokenHint } from '../../src/auth/tokens.js';

// The admin pages as people use them, in real Chromium under the real CSP:
// rotating an ingest token, adding people, changing and keeping roles, removing
// someone, and changing one's own password. The tests of this file run in order
// and share one database; each leaves org-a with the owner as its only admin.

let db: TestDatabase;
let app: Express;
let served: ServedApp;
let browser: Browser;
let orgId: number;
let integrationId: number;
let firstIngestToken: string;

let suite: Awaited<ReturnType<typeof startBrowserSuite>> | undefined;

before(async () => {
  suite = await startBrowserSuite();
  ({ db, app, served, browser } = suite);
  orgId = suite.orgA.organisation.id;
  integrationId = suite.orgA.integration.id;
  firstIngestToken = suite.orgA.token;
});
after(() => suite?.close());

async function userIdOf(email: string): Promise<number> {
  const user = await db.knex('users').where({ email }).first('id');
  assert.ok(user, `${email} has an account`);
  return user.id as number;
}

/** The role of a person in org-a as stored, or undefined if they are no member. */
async function storedRoleOf(email: string): Promise<string | undefined> {
  const row = await db
    .knex('memberships')
    .where({ org_id: orgId, user_id: await userIdOf(email) })
    .first('role');
  return row?.role as string | undefined;
}

/** The row of a person in org-a's list on the People page. */
async function memberRow(page: Page, email: string): Promise<Locator> {
  return page.locator(`tr#member-${orgId}-${await userIdOf(email)}`);
}

/** The value shown for one fact ("Schedule", "Ingest tokens", ...) of an integration. */
function fact(integration: Locator, name: string): Promise<string> {
  return integration.locator(`dl.facts-grid dt:text-is("${name}") + dd`).innerText();
}

/** On the People page, sets a person's role with its select and "Change role"; resolves with the answer. */
async function changeRole(page: Page, email: string, role: 'admin' | 'ops', status = 200) {
  const row = await memberRow(page, email);
  await row.getByLabel(`Role of ${email}`).selectOption(role);
  return submit(page, row.getByRole('button', { name: 'Change role' }), status);
}

/** On the People page of an admin of org-a, adds a person with the form; resolves with the password shown, if any. */
async function addPerson(page: Page, email: string, role: 'admin' | 'ops'): Promise<string> {
  await page.getByLabel('Add a person').fill(email);
  await page.locator(`#add-role-${orgId}`).selectOption(role);
  await submit(page, page.locator('main').getByRole('button', { name: 'Add', exact: true }), 201);
  assert.equal(pathAndQuery(page), `/orgs/${orgId}/members`);
  return page.locator('code#new-password').innerText();
}

test('the owner rotates the ingest token on Integrations: the new one is shown once and works, the old one stops at once', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/');
    await clickAndLoad(page, page.locator('header.top nav').getByRole('link', { name: 'Integrations' }));
    assert.equal(pathAndQuery(page), '/integrations');
    assert.equal(await page.title(), 'Integrations · feedlog');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Integrations');
    const integration = page.locator(`article#integration-${integrationId}`);
    assert.equal(await integration.locator('h3').innerText(), 'A flow');
    assert.equal(await fact(integration, 'Schedule'), 'every 15m, late after 10m more');
    assert.match(await fact(integration, 'Ingest tokens'), new RegExp(`^${tokenHint(firstIngestToken)} created (just now|\\d+ s ago), last used never$`));
    assert.doesNotMatch(await page.locator('main').innerText(), /B flow|org-b/, "another organisation's integration is not shown");
    const secret = firstIngestToken.slice(firstIngestToken.length - 43);
    assert.ok(!(await page.content()).includes(secret), 'the page never holds the whole token');
    assert.equal(await page.locator('#new-ingest-token').count(), 0);
    await watched.assertNoProblems();

    const rotated = await submit(page, integration.getByRole('button', { name: 'Rotate ingest token' }), 201);
    assert.equal(pathAndQuery(page), `/integrations/${integrationId}/rotate-token`);
    assert.match(rotated.headers()['cache-control'] ?? '', /no-store/, 'the page with the token is not kept in a cache');
    const newToken = await integration.locator('code#new-ingest-token').innerText();
    assert.match(newToken, new RegExp(`^fl_ing_${orgId}_[A-Za-z0-9_-]{43}$`));
    assert.notEqual(newToken, firstIngestToken);
    assert.match(await integration.getByRole('status').innerText(), /shown only this once\. The old token no longer works\./);
    assert.match(
      await fact(integration, 'Ingest tokens'),
      new RegExp(`^${tokenHint(newToken)} created (just now|\\d+ s ago), last used never$`),
      'only the new token is live',
    );
    await page.screenshot({ path: '/tmp/feedlog-admin-integrations.png', fullPage: true });
    await watched.assertNoProblems();

    const withOldToken = await postRun(app, firstIngestToken, makeRun({ run_id: 'x' }));
    assert.equal(withOldToken.status, 401, withOldToken.text);
    const withNewToken = await postRun(app, newToken, makeRun({ run_id: 'x' }));
    assert.equal(withNewToken.status, 201, withNewToken.text);

    // Loading the page again is a GET, which never shows a token.
    await page.goto(`${served.url}/integrations`);
    assert.equal(await integration.locator('#new-ingest-token').count(), 0);
    assert.equal(await integration.locator('.new-token').count(), 0);
    assert.ok(!(await page.content()).includes(newToken.slice(newToken.length - 43)), 'the new token is not shown again');
    assert.match(
      await fact(integration, 'Ingest tokens'),
      new RegExp(`^${tokenHint(newToken)} created (just now|\\d+ s ago), last used (just now|\\d+ s ago)$`),
      'the post used it',
    );
    assert.equal(await fact(integration, 'From → to'), 'Fourth → Flow Learning');
    await watched.assertNoProblems();
  });
});

test('a teammate with the ops role sees the integrations and the people, with no button or form to change them', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('teammate'), '/integrations');
    const integration = page.locator(`article#integration-${integrationId}`);
    assert.equal(await integration.locator('h3').innerText(), 'A flow');
    assert.match(await fact(integration, 'Ingest tokens'), /^fl_ing_\d+_.{4}… created /);
    assert.equal(await page.getByRole('button', { name: 'Rotate ingest token' }).count(), 0);
    assert.equal(await page.locator('main form').count(), 0);
    await watched.assertNoProblems();

    await clickAndLoad(page, page.locator('header.top nav').getByRole('link', { name: 'People' }));
    assert.equal(pathAndQuery(page), '/members');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'People');
    assert.deepEqual(await page.locator('main table.list thead th').allInnerTexts(), ['Email', 'Role']);
    assert.deepEqual(await (await memberRow(page, emailOf('owner'))).locator('td').allInnerTexts(), [emailOf('owner'), 'admin']);
    assert.deepEqual(await (await memberRow(page, emailOf('teammate'))).locator('td').allInnerTexts(), [emailOf('teammate'), 'ops']);
    assert.equal(await page.locator('main form').count(), 0);
    assert.equal(await page.locator('main select, main input, main button').count(), 0);
    assert.doesNotMatch(await page.locator('main').innerText(), /outsider|org-b/, "another organisation's people are not shown");
    await watched.assertNoProblems();
  });
});

test('the owner adds a new person, whose password is shown once; they sign in with it and change it', { timeout: 60_000 }, async () => {
  const email = 'new.person@example.com';
  const newPassword = 'a brand new passphrase';
  let generated = '';

  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/members');
    assert.equal(await page.locator('#new-password').count(), 0);
    generated = await addPerson(page, email, 'ops');
    assert.ok([...generated].length >= 12, `a generated password of ${generated.length} characters`);
    assert.match(await page.locator('.new-token[role="status"]').innerText(), new RegExp(`${email} has an account now\\..*shown only this once`));
    assert.equal(await (await memberRow(page, email)).locator('td').nth(1).innerText(), 'ops');
    assert.equal(await storedRoleOf(email), 'ops');
    await page.screenshot({ path: '/tmp/feedlog-admin-members.png', fullPage: true });
    await watched.assertNoProblems();

    await page.goto(`${served.url}/members`);
    assert.equal(await page.locator('#new-password').count(), 0);
    assert.ok(!(await page.content()).includes(generated), 'the password is not shown again');
    assert.equal(await (await memberRow(page, email)).count(), 1);
    await watched.assertNoProblems();
  });

  await withPage(browser, async (elsewhere) => {
    // A second session of the new person, which the change of password must end.
    await signInAs(elsewhere.page, served.url, email, '/', generated);
    await elsewhere.assertNoProblems();

    await withPage(browser, async (watched) => {
      const { page } = watched;
      await signInAs(page, served.url, email, '/', generated);
      assert.equal(await page.title(), 'Overview · feedlog');
      assert.equal(await page.locator('header.top .who').innerText(), email);
      assert.deepEqual(await page.locator('main h2').allInnerTexts(), ['org-a Ltd (org-a, you: ops)']);
      assert.equal(await page.locator('main table.overview tbody tr').filter({ hasText: 'A flow' }).count(), 1);
      await watched.assertNoProblems();

      await clickAndLoad(page, page.locator('header.top nav').getByRole('link', { name: 'Settings' }));
      await clickAndLoad(page, page.locator('nav.sub-nav').getByRole('link', { name: 'Password' }));
      assert.equal(pathAndQuery(page), '/settings/password');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Change your password');
      await watched.assertNoProblems();

      await page.getByLabel('Current password').fill('not my password at all');
      await page.getByLabel(/^New password \(at least \d+ characters\)$/).fill(newPassword);
      await page.getByLabel('New password again').fill(newPassword);
      await submit(page, page.getByRole('button', { name: 'Change password' }), 400);
      expectRefusedLoad(watched, 400);
      assert.equal(await page.getByRole('alert').innerText(), 'Your current password is not right.');
      await page.screenshot({ path: '/tmp/feedlog-admin-password.png', fullPage: true });
      await watched.assertNoProblems();

      await page.getByLabel('Current password').fill(generated);
      await page.getByLabel(/^New password \(at least \d+ characters\)$/).fill(newPassword);
      await page.getByLabel('New password again').fill(newPassword);
      await submit(page, page.getByRole('button', { name: 'Change password' }));
      assert.equal(pathAndQuery(page), '/settings/password?changed');
      assert.equal(await page.getByRole('status').innerText(), 'Your password is changed. Your other sessions have ended.');
      assert.equal(await page.getByRole('alert').count(), 0);
      await watched.assertNoProblems();
    });

    await elsewhere.page.goto(`${served.url}/`);
    assert.equal(pathAndQuery(elsewhere.page), '/login?next=%2F', 'the other session has ended');
    await elsewhere.assertNoProblems();
  });

  await withPage(browser, async (watched) => {
    const { page } = watched;
    await page.goto(`${served.url}/login`);
    await submitSignIn(page, email, generated, 401);
    expectRefusedLoad(watched, 401);
    assert.equal(new URL(page.url()).pathname, '/login', 'the handed-over password no longer works');
    await watched.assertNoProblems();

    await submitSignIn(page, email, newPassword);
    assert.equal(pathAndQuery(page), '/');
    assert.equal(await page.locator('header.top .who').innerText(), email);
    await watched.assertNoProblems();
  });
});

test('the owner makes the teammate admin, who then sees the forms on People, and makes them ops again', { timeout: 60_000 }, async () => {
  await withPage(browser, async (teammate) => {
    await signInAs(teammate.page, served.url, emailOf('teammate'), '/members');
    assert.equal(await teammate.page.locator('main form').count(), 0);
    await teammate.assertNoProblems();

    await withPage(browser, async (owner) => {
      const { page } = owner;
      await signInAs(page, served.url, emailOf('owner'), '/members');
      const row = await memberRow(page, emailOf('teammate'));

      await changeRole(page, emailOf('teammate'), 'admin');
      assert.equal(pathAndQuery(page), `/members?done=made_admin&who=${encodeURIComponent(emailOf('teammate'))}`);
      assert.equal(await page.getByRole('status').innerText(), `${emailOf('teammate')} is an admin now.`);
      assert.equal(await row.locator('td').nth(1).innerText(), 'admin');
      assert.equal(await row.getByLabel(`Role of ${emailOf('teammate')}`).inputValue(), 'admin');
      assert.equal(await storedRoleOf(emailOf('teammate')), 'admin');
      await owner.assertNoProblems();

      await teammate.page.reload();
      assert.equal(await teammate.page.getByLabel('Add a person').count(), 1);
      assert.equal(await teammate.page.getByRole('button', { name: 'Change role' }).count(), await teammate.page.locator('main tbody tr').count());
      assert.equal(await teammate.page.getByRole('button', { name: 'Remove' }).count(), await teammate.page.locator('main tbody tr').count());
      await teammate.assertNoProblems();

      await changeRole(page, emailOf('teammate'), 'ops');
      assert.equal(await page.getByRole('status').innerText(), `${emailOf('teammate')} has the ops role now.`);
      assert.equal(await row.locator('td').nth(1).innerText(), 'ops');
      assert.equal(await storedRoleOf(emailOf('teammate')), 'ops');
      await owner.assertNoProblems();

      await teammate.page.reload();
      assert.equal(await teammate.page.locator('main form').count(), 0);
      await teammate.assertNoProblems();
    });
  });

  const audit = await db.knex('audit_events').where({ action: 'member.role_changed' }).orderBy('id').select('actor', 'details');
  assert.deepEqual(
    audit.map((event: { actor: string; details: { email: string; from: string; to: string } }) => [
      event.actor,
      event.details.email,
      event.details.from,
      event.details.to,
    ]),
    [
      [emailOf('owner'), emailOf('teammate'), 'ops', 'admin'],
      [emailOf('owner'), emailOf('teammate'), 'admin', 'ops'],
    ],
  );
});

test('the only admin cannot make themselves ops nor remove themselves: the page says why, with 409, and nothing changes', { timeout: 60_000 }, async () => {
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/members');
    const row = await memberRow(page, emailOf('owner'));
    const keepOneAdmin = 'An organisation keeps at least one admin: make someone else admin first.';
    const ownerId = await userIdOf(emailOf('owner'));

    await changeRole(page, emailOf('owner'), 'ops', 409);
    expectRefusedLoad(watched, 409);
    assert.equal(pathAndQuery(page), `/orgs/${orgId}/members/${ownerId}/role`);
    assert.equal(await page.getByRole('alert').innerText(), keepOneAdmin);
    assert.equal(await row.locator('td').nth(1).innerText(), 'admin');
    assert.equal(await row.getByLabel(`Role of ${emailOf('owner')}`).inputValue(), 'admin');
    assert.equal(await storedRoleOf(emailOf('owner')), 'admin');
    await watched.assertNoProblems();

    await submit(page, row.getByRole('button', { name: 'Remove' }), 409);
    expectRefusedLoad(watched, 409);
    assert.equal(pathAndQuery(page), `/orgs/${orgId}/members/${ownerId}/remove`);
    assert.equal(await page.getByRole('alert').innerText(), keepOneAdmin);
    assert.equal(await row.count(), 1);
    assert.equal(await storedRoleOf(emailOf('owner')), 'admin');
    await watched.assertNoProblems();
  });
});

test('the owner removes a member with "Remove" on their row: the row is gone and so is the membership', { timeout: 60_000 }, async () => {
  const email = 'leaver@example.com';
  await withPage(browser, async (watched) => {
    const { page } = watched;
    await signInAs(page, served.url, emailOf('owner'), '/members');
    await addPerson(page, email, 'ops');
    const row = await memberRow(page, email);
    assert.equal(await row.count(), 1);
    await watched.assertNoProblems();

    await submit(page, row.getByRole('button', { name: 'Remove' }));
    assert.equal(await page.getByRole('status').innerText(), `${email} is no longer a member.`);
    assert.equal(await row.count(), 0);
    assert.equal(await page.locator('main tbody tr').filter({ hasText: email }).count(), 0);
    assert.equal(await storedRoleOf(email), undefined);
    for (const stays of [emailOf('owner'), emailOf('teammate'), 'new.person@example.com']) {
      assert.equal(await (await memberRow(page, stays)).count(), 1, `${stays} is still listed`);
    }
    await watched.assertNoProblems();
  });
  const removed = await db.knex('audit_events').where({ action: 'member.removed' }).select('actor', 'details');
  assert.deepEqual(
    removed.map((event: { actor: string; details: { email: string; role: string } }) => [event.actor, event.details.email, event.details.role]),
    [[emailOf('owner'), email, 'ops']],
  );
});

test('Integrations, People and Settings load without console errors or CSP violations for every kind of user', { timeout: 60_000 }, async () => {
  const everyone: FixtureUser[] = ['owner', 'teammate', 'outsider', 'support'];
  for (const who of everyone) {
    await withPage(browser, async (watched) => {
      const { page } = watched;
      await signInAs(page, served.url, emailOf(who), '/');
      await watched.assertNoProblems();
      for (const [link, path, heading] of [
        ['Integrations', '/integrations', 'Integrations'],
        ['People', '/members', 'People'],
        ['Settings', '/settings/profile', 'Settings'],
      ] as const) {
        const response = await clickAndLoad(page, page.locator('header.top nav').getByRole('link', { name: link }));
        assert.equal(response.status(), 200, `${who} opens ${path}`);
        assert.equal(pathAndQuery(page), path);
        assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), heading);
        assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self'/, `${path} has a strict CSP`);
        await watched.assertNoProblems();
      }
    });
  }
});
