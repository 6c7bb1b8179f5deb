/**
 * `npm run screenshots`: refreshes the README's screenshots in docs/. Starts
 * `feedlog demo` on a throw-away data directory (its own embedded PostgreSQL,
 * free ports), signs in as the demo admin in headless Chromium, and saves the
 * overview, the trends page and an employee's page. Fails, saying which, when
 * a page is missing or its charts never draw.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ROOT_DIR } from '../src/config.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/browser.js';
import { freePort } from '../test/helpers/free-port.js';

const DOCS = path.join(ROOT_DIR, 'docs');
const READY_TIMEOUT_MS = 300_000;

function fail(message: string): never {
  process.stderr.write(`screenshots: ${message}\n`);
  process.exit(1);
}

/** The environment without DATABASE_URL: the demo gets its own embedded PostgreSQL. */
function withoutDatabaseUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = env;
  return rest;
}

/** Starts the demo from the sources; resolves with its URL and the admin's password once it says it is ready. */
function startDemo(dataDir: string, port: number, pgPort: number): Promise<{ child: ChildProcess; url: string; password: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo'], {
    cwd: ROOT_DIR,
    env: {
      ...withoutDatabaseUrl(process.env),
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SCHEDULER_TICK: '5s',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output}`)), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const url = /feedlog demo is ready on (\S+)/.exec(output)?.[1];
      const password = /^ {2}password: (\S+)$/m.exec(output)?.[1];
      if (url && password && output.includes('Simulating on in real time')) {
        clearTimeout(timer);
        resolve({ child, url, password });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}) before it was ready:\n${output}`));
    });
  });
}

/** Waits until every chart canvas on the page has something drawn on it. */
async function chartsDrawn(page: Page, what: string): Promise<void> {
  const count = await page.locator('canvas').count();
  if (count === 0) fail(`${what} has no chart (no <canvas>): is the trends part of issue 11 merged?`);
  await page
    .waitForFunction(
      // In the page (a string: this file has no DOM types): every canvas has a pixel that is not transparent.
      `[...document.querySelectorAll('canvas')].every((canvas) => {
        const context = canvas.getContext('2d');
        if (!context || canvas.width === 0 || canvas.height === 0) return false;
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
        return false;
      })`,
      undefined,
      { timeout: 30_000 },
    )
    .catch(() => fail(`the charts of ${what} never drew (a canvas stayed blank for 30 s)`));
  // Chart.js animates its first draw: let it settle.
  await page.waitForTimeout(1_200);
}

async function shoot(page: Page, url: string, file: string, what: string): Promise<void> {
  const response = await page.goto(url, { waitUntil: 'networkidle' });
  const status = response?.status() ?? 0;
  if (status === 404) fail(`${what} (${url}) is missing (404): the page lands with another part of issue 11. Merge it, then run this again.`);
  if (status !== 200) fail(`${what} (${url}) answered ${status}.`);
  if (what === 'the trends page') await chartsDrawn(page, what);
  await page.screenshot({ path: path.join(DOCS, file), fullPage: true });
  process.stdout.write(`saved docs/${file}\n`);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedlog-screenshots-'));
const [port, pgPort] = [await freePort(), await freePort()];
let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
try {
  process.stdout.write(`starting the demo on a throw-away data directory (${dataDir})...\n`);
  demo = await startDemo(dataDir, port, pgPort);
  fs.mkdirSync(DOCS, { recursive: true });
  if (!fs.existsSync(CHROMIUM_PATH)) fail(`Chromium is missing at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\`.`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1, colorScheme: 'light' });
    await page.goto(`${demo.url}/login`);
    await page.getByLabel('Email').fill('admin@demo.example');
    await page.getByLabel('Password').fill(demo.password);
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.getByRole('button', { name: 'Sign in' }).click()]);
    // The scheduler (every 5 s here) records the HR feed's missed runs on its first tick after the backfill.
    await page.waitForTimeout(8_000);
    await shoot(page, `${demo.url}/`, 'overview.png', 'the overview');
    await shoot(page, `${demo.url}/trends?range=7d`, 'trends.png', 'the trends page');
    await shoot(page, `${demo.url}/employees/7781_10003`, 'employee.png', "an employee's page");
  } finally {
    await browser.close();
  }
} catch (error) {
  fail((error as Error).message);
} finally {
  if (demo && demo.child.exitCode === null) {
    // The demo stops its embedded PostgreSQL on SIGTERM; wait for it before removing its data.
    const exited = new Promise((resolve) => demo!.child.once('exit', resolve));
    demo.child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}
