import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { Response as PageResponse } from 'playwright-core';
import { FIXTURE_PASSWORD, startWithFixtureUsers } from './accounts.js';

/** Debian's Chromium: the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium run as root in a container, with no network
 * other than the app under test: no sandbox (root cannot have one), no GPU, and
 * none of the background requests Chromium makes to Google's services.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Starts Debian's headless Chromium, or fails saying how to install it: a browser test is never skipped. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM_PATH}, which is missing. ` +
        'Install it as root with `apt-get install -y chromium` (.ci/run does this in CI), then run the tests again.',
    );
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (error) {
    throw new Error(
      `Chromium at ${CHROMIUM_PATH} did not start. If a shared library is missing, reinstall it with ` +
        '`apt-get install -y chromium` (with its recommended packages).',
      { cause: error },
    );
  }
}

export interface ServedApp {
  /** The origin the app answers on, such as `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** Serves the app over real HTTP on a free loopback port, for a browser to reach. */
export async function serveApp(app: Express): Promise<ServedApp> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The browser keeps its connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

export interface PageProblem {
  kind: 'console-error' | 'page-error' | 'csp-violation';
  text: string;
}

export interface WatchedPage {
  page: Page;
  /** Every console error, uncaught page error and Content-Security-Policy violation so far, in order. */
  problems: PageProblem[];
  /** Fails the test, listing them, if any problem was recorded. */
  assertNoProblems(): Promise<void>;
  /** Closes the page's own browser context (its cookies and storage go with it). */
  close(): Promise<void>;
}

const CSP_BINDING = '__feedlogReportCspViolation';

// Chromium 156 words a violation "Executing inline script violates the following
// Content Security Policy directive ..."; older versions said "Refused to ...".
const CSP_CONSOLE_MESSAGE = /Content Security Policy|^Refused to /;

// The few DOM types the code run in the page needs (tsconfig has no "dom" lib,
// so that the server code cannot use browser globals by mistake).
interface ViolationEvent {
  effectiveDirective: string;
  blockedURI: string;
  sourceFile: string;
  lineNumber: number;
}
interface PageGlobals {
  document: { addEventListener(type: 'securitypolicyviolation', listener: (event: ViolationEvent) => void): void };
}
interface StyledElement {
  ownerDocument: { defaultView: { getComputedStyle(element: StyledElement): { getPropertyValue(name: string): string } } };
}

/**
 * Opens a page in a fresh browser context (no cookies shared with other tests)
 * that records what a user would never see but a test must: console errors,
 * uncaught exceptions, and CSP violations. Chromium logs a violation as a
 * console error, recorded as a `csp-violation`; the `securitypolicyviolation`
 * DOM event is recorded too, with the directive and the blocked URL, so one
 * violation usually shows twice. The recorder is injected through the DevTools
 * protocol, which the page's CSP does not govern, and the context keeps
 * enforcing CSP (`bypassCSP` stays false).
 */
export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context: BrowserContext = await browser.newContext({ bypassCSP: false, viewport: { width: 1280, height: 900 } });
  const problems: PageProblem[] = [];
  await context.exposeBinding(CSP_BINDING, (_source, text: string) => {
    problems.push({ kind: 'csp-violation', text });
  });
  await context.addInitScript((binding: string) => {
    const page = globalThis as unknown as PageGlobals & Record<string, ((text: string) => void) | undefined>;
    page.document.addEventListener('securitypolicyviolation', (event) => {
      const where = event.sourceFile ? ` at ${event.sourceFile}:${event.lineNumber}` : '';
      page[binding]?.(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}${where}`);
    });
  }, CSP_BINDING);

  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    const text = url ? `${message.text()} (${url}:${lineNumber})` : message.text();
    problems.push({ kind: CSP_CONSOLE_MESSAGE.test(message.text()) ? 'csp-violation' : 'console-error', text });
  });
  page.on('pageerror', (error) => problems.push({ kind: 'page-error', text: error.stack ?? error.message }));

  return {
    page,
    problems,
    async assertNoProblems() {
      // A round trip to the page, so that events it sent before now have arrived.
      if (!page.isClosed()) await page.evaluate(() => 0);
      assert.deepEqual(problems, [], `the page had problems:\n${problems.map((p) => `  ${p.kind}: ${p.text}`).join('\n')}`);
    },
    close: () => context.close(),
  };
}

/** The computed values of CSS properties (`background-color`, ...) of the first element the locator finds. */
export function computedStyle(locator: Locator, properties: readonly string[]): Promise<Record<string, string>> {
  return locator.first().evaluate((element: unknown, names: readonly string[]) => {
    const styled = element as StyledElement;
    const style = styled.ownerDocument.defaultView.getComputedStyle(styled);
    return Object.fromEntries(names.map((name) => [name, style.getPropertyValue(name)]));
  }, properties);
}

/** Runs `use` on a fresh watched page (see openPage) and closes the page whatever happens. */
export async function withPage(browser: Browser, use: (watched: WatchedPage) => Promise<void>): Promise<void> {
  const watched = await openPage(browser);
  try {
    await use(watched);
  } finally {
    await watched.close();
  }
}

/** Clicks something that submits a form or follows a link; resolves with the answer once the next page has loaded. */
export async function clickAndLoad(page: Page, target: Locator): Promise<PageResponse> {
  // waitForURL cannot tell a reload of the same URL from no navigation at all; waitForNavigation can.
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), target.click()]);
  assert.ok(response, 'the click loaded a page');
  return response;
}

/** Submits a form by clicking it, and fails quoting the page if the final answer is not `status`; resolves with that answer. */
export async function submit(page: Page, target: Locator, status = 200): Promise<PageResponse> {
  const response = await clickAndLoad(page, target);
  if (response.status() !== status) {
    const shown = (await page.locator('main').innerText()).replace(/\s+/g, ' ').slice(0, 300);
    assert.fail(
      `${response.request().method()} ${new URL(response.url()).pathname} answered ${response.status()}, expected ${status}; the page says: ${shown}`,
    );
  }
  return response;
}

/**
 * Chromium logs every 4xx answer to a page load as a console error ("Failed to
 * load resource: ... status of 401"). Where the test expects that answer, this
 * checks the one line is there and takes it off the page's problems, so that
 * assertNoProblems still catches everything else.
 */
export function expectRefusedLoad(watched: WatchedPage, status: number): void {
  const line = `Failed to load resource: the server responded with a status of ${status}`;
  const index = watched.problems.findIndex((problem) => problem.kind === 'console-error' && problem.text.startsWith(line));
  assert.notEqual(index, -1, `Chromium reported the ${status}`);
  watched.problems.splice(index, 1);
}

/** Fills in the sign-in form the page shows and submits it. */
export async function submitSignIn(page: Page, email: string, password: string, status = 200): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await submit(page, page.getByRole('button', { name: 'Sign in' }), status);
}

/** The path and query of the page's URL, such as `/login?next=%2F`. */
export function pathAndQuery(page: Page): string {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
}

/** Opens `path` signed out, which lands on the sign-in page; signs in through its form and lands back on `path`. */
export async function signInAs(page: Page, baseUrl: string, email: string, path: string, password = FIXTURE_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await submitSignIn(page, email, password);
  assert.equal(pathAndQuery(page), path);
}

/**
 * What a browser test file needs: the fixture users on a fresh database, the
 * app served on loopback, and Chromium; `close()` ends all three.
 */
export async function startBrowserSuite() {
  const fixtures = await startWithFixtureUsers();
  const served = await serveApp(fixtures.app);
  const browser = await launchBrowser();
  return {
    ...fixtures,
    served,
    browser,
    async close() {
      await browser.close();
      await served.close();
      await fixtures.db.drop();
    },
  };
}
