import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import type { Browser } from 'playwright-core';
import { assertAccessible, runAxe, SCREENSHOT_DIR, saveScreenshot } from '../helpers/axe.js';
import { launchBrowser, serveApp, withPage, type ServedApp } from '../helpers/browser.js';

// The accessibility check itself: a page that breaks the rules must fail it, or
// "no violations" on feedlog's pages proves nothing. The pages are served under
// the same strict CSP as feedlog's, so the check is shown to work there too.
let served: ServedApp;
let browser: Browser;

const head = (title: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><link rel="icon" href="/icon.svg"><link rel="stylesheet" href="/page.css"></head>`;

before(async () => {
  const app = express();
  app.use((_req, res, next) => {
    res.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:");
    next();
  });
  app.get('/icon.svg', (_req, res) => {
    res.type('image/svg+xml').send('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>');
  });
  app.get('/page.css', (_req, res) => {
    res.type('css').send('body { background: #fff; color: #111; } .faint { color: #bbb; }');
  });
  app.get('/broken', (_req, res) => {
    res
      .type('html')
      .send(
        `${head('broken')}<body><main><h1>Broken</h1>` +
          '<p class="faint" id="faint-text">Grey on white, far below 4.5:1.</p>' +
          '<form><input id="unlabelled" name="q"></form>' +
          '<img id="no-alt" src="/icon.svg">' +
          '<button id="nameless"></button>' +
          '</main></body></html>',
      );
  });
  app.get('/moderate', (_req, res) => {
    // Content outside every landmark and no h1: best-practice findings axe rates moderate.
    res.type('html').send(`${head('moderate')}<body><div><h2>No h1 here</h2><p>Outside every landmark.</p></div></body></html>`);
  });
  app.get('/clean', (_req, res) => {
    res.type('html').send(`${head('clean')}<body><main><h1>Clean</h1><p>Dark text on white.</p></main></body></html>`);
  });
  served = await serveApp(app);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

test('a page with serious and critical violations fails, naming each rule and the elements to fix', { timeout: 120_000 }, async () => {
  await withPage(browser, async (watched) => {
    await watched.page.goto(`${served.url}/broken`);
    const error: unknown = await assertAccessible(watched.page, 'the broken page').then(
      () => assert.fail('assertAccessible passed a page with violations'),
      (rejected: unknown) => rejected,
    );
    assert.ok(error instanceof assert.AssertionError, String(error));
    const message = error.message;
    assert.match(message, /serious or critical violation\(s\) on the broken page/);
    for (const [rule, selector] of [
      ['color-contrast', '#faint-text'],
      ['label', '#unlabelled'],
      ['image-alt', '#no-alt'],
      ['button-name', '#nameless'],
    ]) {
      assert.match(message, new RegExp(`\\] ${rule}: [^\\n]+\\(https://dequeuniversity\\.com/rules/axe/`), `the message names ${rule} with its help`);
      assert.ok(message.includes(`- ${selector}\n`), `the message names ${selector} for ${rule}:\n${message}`);
    }
    // axe went in through the DevTools protocol: the page's CSP stayed in force and refused nothing.
    await watched.assertNoProblems();
  });
});

test('moderate findings are reported without failing the page', { timeout: 120_000 }, async () => {
  await withPage(browser, async (watched) => {
    await watched.page.goto(`${served.url}/moderate`);
    const findings = await assertAccessible(watched.page, 'the moderate page');
    assert.deepEqual(findings.failing, []);
    const rules = findings.moderate.map((violation) => violation.id).sort();
    assert.ok(rules.includes('region'), `region is reported: ${rules.join(', ')}`);
    assert.ok(rules.includes('page-has-heading-one'), `page-has-heading-one is reported: ${rules.join(', ')}`);
    await watched.assertNoProblems();
  });
});

test('a clean page passes with nothing to report, and axe can run on it twice', { timeout: 120_000 }, async () => {
  await withPage(browser, async (watched) => {
    await watched.page.goto(`${served.url}/clean`);
    assert.deepEqual(await assertAccessible(watched.page, 'the clean page'), { failing: [], moderate: [] });
    assert.deepEqual(await runAxe(watched.page), { failing: [], moderate: [] });
    const file = await saveScreenshot(watched.page, 'Harness: clean page');
    assert.equal(file, `${SCREENSHOT_DIR}/harness-clean-page.png`);
    await watched.assertNoProblems();
  });
});
