/**
 * Benchmark of the dashboard's reads on a database of 10 million feed records
 * (goal: p95 under 100 ms for every page and API list).
 *
 * The database is bench/seed-dashboard.ts's: a base ingested through the real
 * ingest path, copied back in time in SQL to `--records` (default 10M) in
 * several organisations, one of them holding most records. It is kept
 * (`feedlog_bench_dashboard`, on the benchmarks' own embedded PostgreSQL in
 * DATA_DIR/bench or on DATABASE_URL's server) and reused while its seed and
 * data versions and record count match and no migration is pending
 * (`--migrate` runs pending migrations on it instead, as an upgrade would);
 * `--rebuild` seeds it again, `--drop` drops it at the end; `--records 300000`
 * tries the benchmark itself in a minute.
 *
 * Then each page and API read is timed over sequential requests on loopback
 * HTTP (after a warm-up), signed in as support (every organisation: the
 * cross-organisation lists) and then as org-a's admin (`--as support` or
 * `--as owner` for one of them): p50, p95 and max, and the second page of each
 * keyset list; each route's p95 is a figure (bench/report.ts) beside the goal.
 * The app runs with the production settings of `feedlog serve` (the view
 * cache on). A route that answers "No route for" is not built yet and says so;
 * any other non-2xx fails the benchmark. Each route's queries are then run
 * once more under auto_explain (bench/dashboard-plans.ts) to say whether each
 * list reads an index in its order; the full plans go to a file. Last, the CSV
 * of the largest run is streamed from the app in a child process, for its
 * time and peak memory.
 *
 * `node --import tsx bench/dashboard.ts [--records 10000000] [--rebuild | --migrate] [--drop] [--requests 50] [--as support|owner] [--only /trends]`
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { createApiToken } from '../src/accounts/accounts.service.js';
import { createApp } from '../src/app/app.js';
import { config, useConfigWithDefaults } from '../src/config.js';
import { logToStderr } from '../src/logger.js';
import { signIn } from '../test/helpers/accounts.js';
import { serveApp } from '../test/helpers/browser.js';
import { PLANS } from './dashboard-data.js';
import { bigSeqScans, buffersOf, type CapturedPlan, explainingKnex, listOrder, type PlanNode, planText, rowsRead, tablesOf } from './dashboard-plans.js';
import { figure, underGoal } from './report.js';
import { adminQuery, benchServer, ensureSeededDatabase, optionValue, parseRecords, SEED_DATABASE, seconds } from './seed-dashboard.js';
import { ensureYearOfRollups, YEAR_ORG_SLUG } from './year-of-rollups.js';

const GOAL_MS = 100;
const WARM_UP = 2;
/** A slow route stops after this much measuring, once it has MIN_SAMPLES. */
const ROUTE_BUDGET_MS = 15_000;
const MIN_SAMPLES = 5;
const MB = 1024 * 1024;

export interface DashboardOptions {
  rebuild: boolean;
  /** Run pending migrations on the stored database instead of building a new one. */
  migrate: boolean;
  drop: boolean;
  requests: number;
  /** Who reads: support (every organisation), org-a's admin, or both one after the other. */
  as: ('support' | 'owner')[];
  /** Feed records in the seeded database (10M; 300k to try the benchmark itself). */
  records: number;
  /** Only the routes whose path contains this text (`--only /trends`), to measure one page before and after a change. */
  only: string | undefined;
}

export function parseDashboardOptions(args: string[]): DashboardOptions {
  const as = optionValue(args, '--as');
  if (as !== undefined && as !== 'support' && as !== 'owner') throw new Error(`--as takes support or owner, not ${as}`);
  const requests = Number(optionValue(args, '--requests') ?? 50);
  if (!Number.isInteger(requests) || requests < 1) throw new Error('--requests takes a positive whole number');
  return {
    rebuild: args.includes('--rebuild'),
    migrate: args.includes('--migrate'),
    drop: args.includes('--drop'),
    requests,
    as: as === undefined ? ['support', 'owner'] : [as],
    records: parseRecords(args),
    only: optionValue(args, '--only'),
  };
}

const thousands = (n: number) => Math.round(n).toLocaleString('en');

// ---------------------------------------------------------------- measuring

interface Targets {
  planday: number;
  mapal: number;
  bigRun: { id: number; records: number };
  failedIndex: number;
  externalId: string;
  email: string;
  group: { id: number; value: string | null };
  /** The organisation with a year of synthetic rollups (bench/year-of-rollups.ts), and one of its integrations. */
  year: { orgId: number; integrationId: number };
}

/** The objects the routes are read for: the newest full push, one of its job-title failures and that person, org-a's largest group. */
async function findTargets(knex: Knex): Promise<Omit<Targets, 'year'>> {
  const integrations = await knex('integrations').select<{ id: number; org_id: number; name: string }[]>('id', 'org_id', 'name');
  const byName = (name: string) => integrations.find((i) => i.name === name)!;
  const planday = byName(PLANS[0]!.name);
  const bigRun = await knex('sync_runs')
    .where({ org_id: planday.org_id, integration_id: planday.id })
    .orderBy('started_at', 'desc')
    .first<{ id: number; record_count: number }>('id', 'record_count');
  const failed = await knex('errors')
    .where({ org_id: planday.org_id, sync_run_id: bigRun!.id, code: 'job_title_mismatch' })
    .whereNotNull('record_index')
    .orderBy('record_index', 'desc')
    .first<{ record_index: number }>('record_index');
  const record = await knex('feed_records')
    .where({ org_id: planday.org_id, sync_run_id: bigRun!.id, index: failed!.record_index })
    .first<{ external_id: string; email: string }>('external_id', 'email');
  // In org-a, like every target, so that org-a's admin reads them too.
  const group = await knex('error_groups')
    .where({ org_id: planday.org_id })
    .orderBy('occurrences', 'desc')
    .first<{ id: number; value: string | null }>('id', 'value');
  return {
    planday: planday.id,
    mapal: byName(PLANS[1]!.name).id,
    bigRun: { id: bigRun!.id, records: bigRun!.record_count },
    failedIndex: failed!.record_index,
    externalId: record!.external_id,
    email: record!.email,
    group: group!,
  };
}

interface Route {
  path: string;
  auth: 'session' | 'token';
  /** A keyset list: its second page is measured too. */
  list?: boolean;
  /** Reads the synthetic organisation org-a's admin is no member of. */
  supportOnly?: boolean;
}

function routesFor(t: Targets): Route[] {
  const q = encodeURIComponent;
  const monthAgo = q(new Date(Date.now() - 30 * 86_400_000).toISOString());
  const weekAgo = q(new Date(Date.now() - 7 * 86_400_000).toISOString());
  const pages: Route[] = [
    { path: '/' },
    { path: '/trends?range=24h' },
    { path: '/trends?range=7d' },
    { path: '/trends?range=30d' },
    { path: `/trends?range=30d&integration=${t.mapal}` },
    { path: `/trends?range=7d&org=${t.year.orgId}`, supportOnly: true },
    { path: `/trends?range=30d&org=${t.year.orgId}`, supportOnly: true },
    { path: `/trends?range=30d&integration=${t.year.integrationId}`, supportOnly: true },
    { path: '/runs', list: true },
    { path: `/runs?integration=${t.mapal}&status=failed`, list: true },
    { path: `/runs?trigger=manual`, list: true },
    { path: `/runs/${t.bigRun.id}`, list: true },
    { path: `/runs/${t.bigRun.id}?outcome=failed`, list: true },
    { path: `/runs/${t.bigRun.id}?code=job_title_mismatch`, list: true },
    { path: `/runs/${t.bigRun.id}?field=branch`, list: true },
    { path: `/runs/${t.bigRun.id}?q=${q('hadda')}`, list: true },
    { path: `/runs/${t.bigRun.id}/records/${t.failedIndex}` },
    { path: `/search?q=${q('hadda')}`, list: true },
    { path: `/search?q=${q('Siobhán')}`, list: true },
    { path: `/search?q=${q('francois')}` },
    { path: `/employees?integration=${t.planday}`, list: true },
    { path: `/employees?integration=${t.planday}&state=blocked`, list: true },
    { path: `/employees/${q(t.externalId)}` },
    { path: '/error-groups', list: true },
    { path: '/error-groups?status=resolved', list: true },
    { path: `/error-groups?q=${q('Bartender')}` },
    { path: `/error-groups/${t.group.id}` },
    { path: '/drift' },
  ].map((route) => ({ ...route, auth: 'session' as const }));
  const api: Route[] = [
    { path: '/api/v1/overview' },
    { path: '/api/v1/sync-runs', list: true },
    { path: `/api/v1/sync-runs?integration=${t.mapal}&status=failed`, list: true },
    { path: `/api/v1/sync-runs/${t.bigRun.id}` },
    { path: '/api/v1/records', list: true },
    { path: `/api/v1/records?run=${t.bigRun.id}`, list: true },
    { path: `/api/v1/records?integration=${t.mapal}`, list: true },
    { path: `/api/v1/records?external_id=${q(t.externalId)}`, list: true },
    { path: `/api/v1/records?email=${q(t.email)}`, list: true },
    { path: `/api/v1/records?q=${q('hadda')}`, list: true },
    { path: `/api/v1/records?q=${q('Siobhán')}`, list: true },
    { path: '/api/v1/records?code=job_title_mismatch', list: true },
    { path: '/api/v1/records?severity=info', list: true },
    { path: '/api/v1/records?outcome=failed', list: true },
    { path: '/api/v1/records?outcome=warning', list: true },
    { path: '/api/v1/records?field=branch', list: true },
    { path: `/api/v1/records?from=${monthAgo}&to=${weekAgo}`, list: true },
    { path: `/api/v1/records?run=${t.bigRun.id}&code=job_title_mismatch`, list: true },
    { path: `/api/v1/records?run=${t.bigRun.id}&outcome=failed`, list: true },
    { path: `/api/v1/records?run=${t.bigRun.id}&q=${q('hadda')}`, list: true },
    { path: `/api/v1/employees?q=${q('hadda')}`, list: true },
    { path: `/api/v1/employees?integration=${t.planday}`, list: true },
    { path: `/api/v1/employees/${q(t.externalId)}` },
    { path: '/api/v1/error-groups', list: true },
    { path: '/api/v1/error-groups?status=open', list: true },
    { path: '/api/v1/error-groups?code=job_title_mismatch', list: true },
    { path: `/api/v1/error-groups?integration=${t.planday}`, list: true },
    { path: `/api/v1/error-groups/${t.group.id}` },
    { path: '/api/v1/drift' },
    { path: '/api/v1/events', list: true },
    { path: '/api/v1/trends?range=7d' },
    { path: '/api/v1/trends?range=30d' },
    { path: `/api/v1/trends?range=30d&integration=${t.mapal}` },
    { path: `/api/v1/trends?range=30d&org=${t.year.orgId}`, supportOnly: true },
  ].map((route) => ({ ...route, auth: 'token' as const }));
  return [...pages, ...api];
}

/** `--only /` is the overview alone; any longer text selects every path that contains it. */
const isSelected = (routePath: string, only: string | undefined) => !only || routePath === only || (only !== '/' && routePath.includes(only));

interface Result {
  route: Route;
  label: string;
  state: 'ok' | 'not built yet' | 'FAILED';
  status: number;
  samples: number[];
  bytes: number;
  note?: string;
  nextPath?: string;
}

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

const HTML_ENTITIES: Record<string, string> = { '&amp;': '&', '&#34;': '"', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&#x2F;': '/' };

/** The second page of a list: next_cursor of the JSON, or the page's own link with a cursor ("older"). */
function nextPathOf(route: Route, body: string, json: boolean): string | undefined {
  const [pathname] = route.path.split('?');
  if (json) {
    const cursor = (JSON.parse(body) as { next_cursor?: string | null }).next_cursor;
    return cursor ? `${route.path}${route.path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : undefined;
  }
  for (const match of body.matchAll(/href="([^"]*[?&;]cursor=[^"]*)"/g)) {
    const href = match[1]!.replace(/&(amp|#34|quot|#39|lt|gt|#x2F);/g, (entity) => HTML_ENTITIES[entity]!);
    if (href.split('?')[0] === pathname) return href;
  }
  return undefined;
}

async function measure(base: string, route: Route, label: string, headers: Record<string, string>, requests: number): Promise<Result> {
  const once = async () => {
    const started = performance.now();
    const response = await fetch(`${base}${route.path}`, { headers, redirect: 'manual' });
    const body = await response.text();
    return { ms: performance.now() - started, status: response.status, body, json: (response.headers.get('content-type') ?? '').includes('json') };
  };
  const first = await once();
  const result: Result = { route, label, state: 'ok', status: first.status, samples: [], bytes: Buffer.byteLength(first.body) };
  if (first.status === 404 && first.body.includes('No route for')) return { ...result, state: 'not built yet' };
  if (first.status !== 200) {
    const where = first.status >= 300 && first.status < 400 ? ` (redirect: signed out?)` : '';
    return { ...result, state: 'FAILED', note: `${first.status}${where}: ${first.body.replace(/\s+/g, ' ').slice(0, 300)}` };
  }
  if (route.list) {
    result.nextPath = nextPathOf(route, first.body, first.json);
    if (!result.nextPath) result.note = 'no link to a second page';
  }
  for (let i = 1; i < WARM_UP; i++) await once();
  const started = performance.now();
  while (result.samples.length < requests && !(result.samples.length >= MIN_SAMPLES && performance.now() - started > ROUTE_BUDGET_MS)) {
    const { ms, status, body } = await once();
    if (status !== 200)
      return { ...result, state: 'FAILED', status, note: `answered ${status} after ${result.samples.length} requests: ${body.slice(0, 200)}` };
    result.samples.push(ms);
  }
  return result;
}

function printResults(results: Result[], requests: number): void {
  const width = Math.min(78, Math.max(...results.map((r) => r.label.length)));
  console.log(
    `${'route'.padEnd(width)}  ${'auth'.padEnd(7)} ${'n'.padStart(3)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'size'.padStart(8)}  status`,
  );
  for (const r of results) {
    const label = r.label.length > width ? `${r.label.slice(0, width - 1)}…` : r.label;
    const auth = r.route.auth === 'session' ? 'cookie' : 'token';
    if (r.state !== 'ok') {
      console.log(
        `${label.padEnd(width)}  ${auth.padEnd(7)} ${''.padStart(3)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(8)}  ${r.state}${r.note ? `: ${r.note}` : ''}`,
      );
      continue;
    }
    const sorted = [...r.samples].sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    const flags = [
      p95 >= GOAL_MS ? `SLOW: p95 >= ${GOAL_MS} ms` : '',
      r.samples.length < requests ? `stopped after ${seconds(ROUTE_BUDGET_MS)}` : '',
      r.note ?? '',
    ]
      .filter(Boolean)
      .join('; ');
    console.log(
      `${label.padEnd(width)}  ${auth.padEnd(7)} ${String(r.samples.length).padStart(3)} ${percentile(sorted, 50).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ` +
        `${sorted[sorted.length - 1]!.toFixed(1).padStart(8)} ${`${(r.bytes / 1024).toFixed(0)} kB`.padStart(8)}  ${r.status}${flags ? ` ${flags}` : ''}`,
    );
  }
}

// ---------------------------------------------------------------- plans

// Who is asking (session, token, user, memberships): small lookups by key that every route makes alike.
const IDENTITY_TABLES = new Set(['sessions', 'users', 'api_tokens', 'memberships', 'organisations', 'rate_limits']);
const identityOnly = (plan: PlanNode) => tablesOf(plan).every((table) => IDENTITY_TABLES.has(table));

/** One line per list query (does it read an index in order?), and the sequential scans that read many rows. */
function summarisePlans(plans: CapturedPlan[]): string[] {
  const lines: string[] = [];
  const total = plans.reduce((sum, p) => sum + p.durationMs, 0);
  const slowest = plans.reduce<CapturedPlan | undefined>((worst, p) => (!worst || p.durationMs > worst.durationMs ? p : worst), undefined);
  lines.push(
    `${plans.length} queries, ${total.toFixed(1)} ms in PostgreSQL (EXPLAIN ANALYZE timing)` +
      (slowest
        ? `; slowest ${slowest.durationMs.toFixed(1)} ms, reads ${thousands(rowsRead(slowest.plan))} rows, ${thousands(buffersOf(slowest.plan))} buffers`
        : ''),
  );
  for (const captured of plans) {
    if (identityOnly(captured.plan)) continue;
    const order = listOrder(captured.plan);
    if (order)
      lines.push(
        `list (${captured.durationMs.toFixed(1)} ms, reads ${thousands(rowsRead(captured.plan))} rows, ${thousands(buffersOf(captured.plan))} buffers): ${order}`,
      );
    for (const scan of bigSeqScans(captured.plan)) lines.push(`! ${scan} in a query of ${captured.durationMs.toFixed(1)} ms`);
  }
  return lines;
}

async function explainRoutes(url: string, results: Result[], headersOf: (route: Route) => Record<string, string>, planFile: string): Promise<void> {
  const explaining = explainingKnex(url);
  const served = await serveApp(createApp({ knex: explaining.knex }));
  const file: string[] = [];
  try {
    for (const result of results.filter((r) => r.state === 'ok')) {
      explaining.capture();
      const response = await fetch(`${served.url}${result.route.path}`, { headers: headersOf(result.route), redirect: 'manual' });
      await response.arrayBuffer();
      // The notices of the last statement can trail the response by a moment.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const plans = explaining.stop();
      console.log(`${result.label}`);
      for (const line of summarisePlans(plans)) console.log(`    ${line}`);
      file.push(`==== GET ${result.label} (${response.status})`);
      for (const captured of plans) file.push(`-- ${captured.durationMs} ms\n${captured.queryText.trim()}\n${planText(captured.plan)}\n`);
    }
  } finally {
    await served.close();
    await explaining.knex.destroy();
  }
  fs.mkdirSync(path.dirname(planFile), { recursive: true });
  fs.writeFileSync(planFile, `${file.join('\n')}\n`);
  console.log(`every plan in full: ${planFile}`);
}

// ---------------------------------------------------------------- CSV

/** Streams one CSV from the app in a child process: time to first byte and to the end, rows, and the process's peak RSS. */
async function measureCsv(url: string, base: Route, headers: Record<string, string>): Promise<string> {
  const child = fork(fileURLToPath(new URL('./dashboard-server.ts', import.meta.url)), [url], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  const next = () =>
    new Promise<Record<string, number | undefined>>((resolve) => child.once('message', (message) => resolve(message as Record<string, number>)));
  try {
    const { port, rssBytes } = await next();
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}${base.path}`, { headers });
    const firstByte = performance.now() - started;
    const type = response.headers.get('content-type') ?? '';
    let bytes = 0;
    let lines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) lines += 1;
    }
    const total = performance.now() - started;
    const peak = next();
    child.send('peak');
    const { peakBytes } = await peak;
    if (response.status === 404) return `not built yet (${response.status})`;
    if (response.status !== 200) throw new Error(`CSV ${base.path} answered ${response.status}`);
    if (!type.startsWith('text/csv')) return `not built yet (format=csv answered ${type.split(';')[0]})`;
    return (
      `${thousands(lines - 1)} rows, ${(bytes / MB).toFixed(1)} MB in ${seconds(total)} (first byte ${firstByte.toFixed(0)} ms, ${thousands(Math.round((lines - 1) / (total / 1000)))} rows/s); ` +
      `app peak RSS ${(peakBytes! / MB).toFixed(0)} MB (${(rssBytes! / MB).toFixed(0)} MB when it started)`
    );
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

// ---------------------------------------------------------------- the benchmark

/** Measures every route as one reader; returns the results (the figures are reported by the caller). */
async function measureAs(
  knex: Knex,
  url: string,
  dataDir: string,
  version: string,
  who: 'support' | 'owner',
  targets: Targets,
  options: DashboardOptions,
): Promise<Result[]> {
  // As `feedlog serve` runs: NODE_ENV=production, so EJS compiles each view once.
  const app = createApp({ knex, viewCache: true });
  const served = await serveApp(app);
  const email = `${who}@example.com`;
  const { cookie } = await signIn(app, email);
  const token = await createApiToken(knex, email, `bench-${who}`);
  const headersOf = (route: Route): Record<string, string> =>
    route.auth === 'session' ? { Cookie: cookie, Accept: 'text/html' } : { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  console.log(
    `\nsigned in as ${email} (${who === 'support' ? 'every organisation' : "org-a's admin"}); ` +
      `${options.requests} sequential requests per route after ${WARM_UP} to warm up (at most ${seconds(ROUTE_BUDGET_MS)} a route), goal p95 < ${GOAL_MS} ms:`,
  );
  const results: Result[] = [];
  const loadBefore = os.loadavg()[0]!;
  try {
    const routes = routesFor(targets).filter((candidate) => isSelected(candidate.path, options.only) && (who === 'support' || !candidate.supportOnly));
    for (const route of routes) {
      const result = await measure(served.url, route, decodeURIComponent(route.path), headersOf(route), options.requests);
      results.push(result);
      if (result.nextPath) {
        const second: Route = { path: result.nextPath, auth: route.auth };
        results.push(await measure(served.url, second, `${result.label} → page 2`, headersOf(second), options.requests));
      }
    }
  } finally {
    await served.close();
  }
  printResults(results, options.requests);
  // Latencies on a busy machine are not those of a quiet one: say which this was.
  const load = `load average ${loadBefore.toFixed(1)} when the measuring began, ${os.loadavg()[0]!.toFixed(1)} when it ended, on ${os.cpus().length} CPUs`;
  console.log(load);
  for (const r of results.filter((result) => result.state === 'ok' && !result.label.endsWith('→ page 2'))) {
    const sorted = [...r.samples].sort((x, y) => x - y);
    const second = results.find((other) => other.label === `${r.label} → page 2` && other.state === 'ok');
    const secondP95 = second
      ? percentile(
          [...second.samples].sort((x, y) => x - y),
          95,
        )
      : undefined;
    figure({
      name: `reads.p95_ms ${who} ${r.label}`,
      // A list's second page counts too: the worse of the two.
      value: Math.max(percentile(sorted, 95), secondP95 ?? 0),
      unit: 'ms',
      goal: underGoal(GOAL_MS),
      detail: `p50 ${percentile(sorted, 50).toFixed(1)} ms, n ${r.samples.length}${secondP95 !== undefined ? `, page 2 p95 ${secondP95.toFixed(1)} ms` : ''}; load ${loadBefore.toFixed(1)}-${os.loadavg()[0]!.toFixed(1)}`,
    });
  }

  console.log(`\nplans of the same requests as ${who}, once each under auto_explain (ANALYZE, BUFFERS):`);
  const planFile = path.join(dataDir, `bench-dashboard-plans-pg${version.split('.')[0]}-${who}.txt`);
  await explainRoutes(url, results, headersOf, planFile);

  if (who === 'support') {
    console.log(`\nCSV exports of run ${targets.bigRun.id} (${thousands(targets.bigRun.records)} records), the app in a child process:`);
    for (const route of [
      { path: `/api/v1/records?run=${targets.bigRun.id}&format=csv`, auth: 'token' as const },
      { path: `/runs/${targets.bigRun.id}?format=csv`, auth: 'session' as const },
    ]) {
      console.log(`${route.path}: ${await measureCsv(url, route, headersOf(route))}`);
    }
  }
  return results;
}

export async function benchDashboard(options: DashboardOptions = parseDashboardOptions(process.argv.slice(2))): Promise<void> {
  const server = await benchServer();
  const { dataDir } = config();
  let knex: Knex | undefined;
  try {
    const [{ server_version: version }] = (await adminQuery<{ server_version: string }>(server.adminUrl, 'SHOW server_version')) as [
      { server_version: string },
    ];
    console.log(`PostgreSQL ${version} (${server.where})`);
    const seeded = await ensureSeededDatabase(server.adminUrl, options);
    knex = seeded.knex;
    const year = await ensureYearOfRollups(knex);
    if (year.created) console.log(`added ${YEAR_ORG_SLUG}: 12 integrations with a year of synthetic hourly rollups, for the trends' reads`);
    const targets = { ...(await findTargets(knex)), year: { orgId: year.orgId, integrationId: year.integrationId } };
    console.log(
      `run ${targets.bigRun.id} has ${thousands(targets.bigRun.records)} records, record ${targets.failedIndex} is ${targets.externalId}'s, ` +
        `group ${targets.group.id} (${JSON.stringify(targets.group.value)}) has the most occurrences`,
    );
    // The benchmarks before this one wrote and dropped gigabytes on the same server: flushed now, not during the
    // timed reads (a full run once saw one route's p95 at 108 ms against 8.6 ms measured alone).
    await knex.raw('CHECKPOINT').catch((error: Error) => console.log(`(no CHECKPOINT before the reads: ${error.message})`));
    const results: Result[] = [];
    for (const who of options.as) results.push(...(await measureAs(knex, seeded.url, dataDir, version, who, targets, options)));

    const [size] = await knex.raw<{ rows: { bytes: string }[] }>('SELECT pg_database_size(current_database()) AS bytes').then((r) => r.rows);
    const tables = await knex.raw<{ rows: { name: string; bytes: string; rows: string }[] }>(
      // A partitioned table holds nothing itself: its partitions are counted under its name.
      `SELECT coalesce(pg_partition_root(c.oid), c.oid)::regclass::text AS name, sum(pg_total_relation_size(c.oid)) AS bytes,
         sum(greatest(c.reltuples, 0))::bigint AS rows
       FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
       GROUP BY 1 ORDER BY 2 DESC LIMIT 6`,
    );
    console.log(
      `\ndatabase ${SEED_DATABASE}: ${(Number(size!.bytes) / MB / 1024).toFixed(2)} GB on disk; largest tables with their indexes: ` +
        tables.rows.map((t) => `${t.name} ${(Number(t.bytes) / MB).toFixed(0)} MB (${thousands(Number(t.rows))} rows)`).join(', '),
    );

    const failed = results.filter((r) => r.state === 'FAILED');
    const slow = results.filter(
      (r) =>
        r.state === 'ok' &&
        percentile(
          [...r.samples].sort((a, b) => a - b),
          95,
        ) >= GOAL_MS,
    );
    const unbuilt = results.filter((r) => r.state === 'not built yet');
    console.log(
      `dashboard: ${results.length - unbuilt.length} of ${results.length} reads answer; ${slow.length} with p95 >= ${GOAL_MS} ms` +
        (slow.length ? ` (${slow.map((r) => r.label).join(', ')})` : '') +
        `; ${unbuilt.length} not built yet`,
    );
    if (failed.length > 0) throw new Error(`dashboard bench: ${failed.length} read(s) failed: ${failed.map((r) => `${r.label} (${r.note})`).join('; ')}`);
  } finally {
    await knex?.destroy();
    if (options.drop) {
      await adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS ${SEED_DATABASE} WITH (FORCE)`);
      console.log(`dropped ${SEED_DATABASE}`);
    }
    await server.release();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  useConfigWithDefaults({ LOG_LEVEL: 'warn' }); // as bench/run.ts
  logToStderr();
  await benchDashboard();
  process.exit(0);
}
