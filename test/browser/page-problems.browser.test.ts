import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import type { Browser } from 'playwright-core';
import { launchBrowser, serveApp, withPage, type ServedApp } from '../helpers/browser.js';

// The harness itself: a page that breaks the rules must be caught, or "no problems" proves nothing.
let served: ServedApp;
let browser: Browser;

before(async () => {
  const app = express();
  app.use((_req, res, next) => {
    res.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'");
    next();
  });
  // Pages name their icon, or the browser asks for /favicon.ico and logs its 404.
  app.get('/icon.svg', (_req, res) => {
    res.type('image/svg+xml').send('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>');
  });
  app.get('/clean', (_req, res) => {
    res.type('html').send('<!doctype html><title>clean</title><link rel="icon" href="/icon.svg"><p>Nothing wrong here.</p>');
  });
  app.get('/broken', (_req, res) => {
    res
      .type('html')
      .send(
        '<!doctype html><title>broken</title><link rel="icon" href="/icon.svg">' +
          '<script>document.title = "inline ran";</script>' +
          '<p style="color: red">inline style</p>' +
          '<script src="/broken.js"></script>',
      );
  });
  app.get('/broken.js', (_req, res) => {
    res.type('js').send('console.error("logged by the page"); throw new Error("thrown by the page");');
  });
  served = await serveApp(app);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

test('a clean page under a strict CSP has no problems', { timeout: 30_000 }, async () => {
  await withPage(browser, async (watched) => {
    await watched.page.goto(`${served.url}/clean`);
    await watched.assertNoProblems();
  });
});

test('console errors, uncaught errors and CSP violations are all recorded, and fail assertNoProblems', { timeout: 30_000 }, async () => {
  await withPage(browser, async (watched) => {
    await watched.page.goto(`${served.url}/broken`);
    await assert.rejects(watched.assertNoProblems(), /the page had problems/);
    assert.equal(await watched.page.title(), 'broken', 'the inline script was blocked');

    const texts = (kind: string) => watched.problems.filter((problem) => problem.kind === kind).map((problem) => problem.text);
    assert.ok(
      texts('console-error').some((text) => text.includes('logged by the page')),
      'console.error',
    );
    assert.ok(
      texts('page-error').some((text) => text.includes('thrown by the page')),
      'uncaught error',
    );
    const csp = texts('csp-violation');
    assert.ok(
      csp.some((text) => /inline script violates the following Content Security Policy directive/.test(text)),
      "Chromium's console report",
    );
    assert.ok(
      csp.some((text) => text.startsWith('script-src-elem blocked inline')),
      'the securitypolicyviolation event',
    );
    assert.ok(
      csp.some((text) => text.startsWith('style-src-attr blocked inline')),
      'the inline style',
    );
    assert.ok(!watched.problems.some((problem) => problem.text.includes('favicon.ico')), "the browser's own favicon request is not the page's problem");
  });
});
