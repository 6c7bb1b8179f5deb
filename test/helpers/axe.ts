import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AxeResults, ImpactValue, NodeResult, Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';
import { ROOT_DIR } from '../../src/config.js';

// axe-core's own build, read from node_modules: nothing is fetched at run time.
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts that fail a page; `moderate` ones are printed, `minor` ones ignored. */
const FAILING: ReadonlySet<ImpactValue> = new Set(['serious', 'critical']);

/**
 * What axe checks: WCAG 2.0, 2.1 and 2.2 A and AA, plus its best practices
 * (landmarks, one h1, heading order...), which are mostly `moderate` and so
 * reported, not failed.
 */
const RUN_OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  resultTypes: ['violations'],
};

export interface AxeFindings {
  /** Violations with impact `serious` or `critical`: assertAccessible fails when there is one. */
  failing: Result[];
  /** Violations with impact `moderate`: printed, never failed. */
  moderate: Result[];
}

// The few DOM types the code run in the page needs (tsconfig has no "dom" lib).
interface PageWithAxe {
  axe?: { version: string; run(context: unknown, options: RunOptions): Promise<AxeResults> };
  document: unknown;
}

/** Runs axe-core on what the page shows now and sorts its violations by impact, without asserting anything. */
export async function runAxe(page: Page): Promise<AxeFindings> {
  // page.evaluate goes through the DevTools protocol, which the page's
  // Content-Security-Policy does not govern: axe runs under the app's real,
  // strict `script-src 'self'`, with no bypassCSP and no <script> tag added.
  const loaded = await page.evaluate(() => typeof (globalThis as unknown as PageWithAxe).axe?.run === 'function');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async (options: RunOptions) => {
    const window = globalThis as unknown as PageWithAxe;
    return window.axe!.run(window.document, options);
  }, RUN_OPTIONS);
  return {
    failing: results.violations.filter((violation) => FAILING.has(violation.impact ?? null)),
    moderate: results.violations.filter((violation) => violation.impact === 'moderate'),
  };
}

function selectorOf(node: NodeResult): string {
  return node.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : String(part))).join(' >>> ');
}

/** One violation as a person fixing it needs it: rule, what it wants, a link, and every element it found, with why. */
export function describeViolation(violation: Result): string {
  const nodes = violation.nodes.map((node) => {
    const why = (node.failureSummary ?? '').replace(/\s*\n\s*/g, ' ').trim();
    const html = node.html.length > 160 ? `${node.html.slice(0, 160)}…` : node.html;
    return `    - ${selectorOf(node)}\n      ${html}${why ? `\n      ${why}` : ''}`;
  });
  return `  [${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})\n${nodes.join('\n')}`;
}

/**
 * Checks the page the browser shows now with axe-core and fails, listing each
 * rule, its help and the offending elements' selectors, if any violation is
 * `serious` or `critical`. `moderate` ones are printed and returned, so they are
 * seen without failing the test. `label` names the page in the messages.
 *
 *     await page.goto(`${served.url}/runs`);
 *     await assertAccessible(page, 'feed logs');
 */
export async function assertAccessible(page: Page, label: string): Promise<AxeFindings> {
  const findings = await runAxe(page);
  if (findings.moderate.length > 0) {
    process.stdout.write(
      `axe: ${label} (${page.url()}) has ${findings.moderate.length} moderate finding(s), not failed:\n${findings.moderate.map(describeViolation).join('\n')}\n`,
    );
  }
  assert.ok(
    findings.failing.length === 0,
    `axe-core found ${findings.failing.length} serious or critical violation(s) on ${label} (${page.url()}):\n${findings.failing.map(describeViolation).join('\n')}`,
  );
  return findings;
}

/** Where the browser tests leave what CI keeps: git-ignored, made when missing. */
export const SCREENSHOT_DIR = path.join(ROOT_DIR, 'test-artifacts', 'screenshots');

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  assert.ok(safe, `a screenshot name with letters or digits (got ${JSON.stringify(name)})`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${safe}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
