/**
 * Benchmark of what identity and rendering cost a read: the same error groups
 * read through the API with a token and through the page with a session
 * cookie (session lookup, CSRF token, guidance, EJS), against /healthz (no
 * identity, no database), over real HTTP on loopback, after a 10,000-record
 * run. Sequential requests, so each time is one request's latency; the ratios
 * are measured in the same run, so a noisy machine affects them alike.
 */
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app/app.js';
import { createFixtureUsers, emailOf, signIn } from '../test/helpers/accounts.js';
import { serveApp } from '../test/helpers/browser.js';
import { postRun } from '../test/helpers/ingest.js';
import { makeLargeRun } from '../test/helpers/large-run.js';
import { benchDatabase } from './database.js';

const REQUESTS = 300;
const WARM_UP = 30;

async function timeRequests(label: string, url: string, headers: Record<string, string>): Promise<number> {
  const once = async () => {
    const response = await fetch(url, { headers, redirect: 'manual' });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${label}: ${url} answered ${response.status}`);
  };
  for (let i = 0; i < WARM_UP; i++) await once();
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) await once();
  const meanMs = (performance.now() - started) / REQUESTS;
  console.log(`${label.padEnd(44)} ${meanMs.toFixed(2)} ms per request, ${Math.round(1000 / meanMs)} requests/s`);
  return meanMs;
}

export async function benchReads(): Promise<void> {
  const { knex, close } = await benchDatabase('feedlog_bench_reads');
  const app = createApp({ knex });
  const served = await serveApp(app);
  try {
    const { orgA, apiTokens } = await createFixtureUsers(knex);
    const posted = await postRun(app, orgA.token, makeLargeRun(10_000));
    if (posted.status !== 201) throw new Error(`ingest answered ${posted.status}: ${posted.text}`);
    const { cookie } = await signIn(app, emailOf('owner'));
    console.log(`${REQUESTS} sequential requests each, after ${WARM_UP} to warm up:`);
    const health = await timeRequests('GET /healthz (no identity, no database)', `${served.url}/healthz`, {});
    const api = await timeRequests('GET /api/v1/error-groups (API token)', `${served.url}/api/v1/error-groups`, { Authorization: `Bearer ${apiTokens.owner}` });
    const page = await timeRequests('GET /error-groups (session, HTML)', `${served.url}/error-groups`, { Cookie: cookie, Accept: 'text/html' });
    console.log(`reads: API / healthz ${(api / health).toFixed(1)}, page / API ${(page / api).toFixed(1)}`);
  } finally {
    await served.close();
    await close();
  }
}
