/**
 * A bounded load run (issue 9) with autocannon against the real server on
 * loopback: 10 s at 20 connections for each mix — ingest (new runs over four
 * integrations), API reads (bearer token), pages (session cookie), and all
 * three at once. Goal: no 5xx, no connection error. The figures (throughput,
 * latency, status counts) are printed for the README; no timing is asserted
 * (the machine is shared).
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, test } from 'node:test';
import autocannon from 'autocannon';
import { findUserByEmail } from '../../src/auth/auth.queries.js';
import { SESSION_COOKIE, startSession } from '../../src/auth/sessions.js';
import { createIntegration } from '../../src/integrations/integrations.service.js';
import { createFixtureUsers, emailOf } from '../helpers/accounts.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { makeRun } from '../helpers/fixtures.js';
import { makeLargeRun } from '../helpers/large-run.js';
import { postOverHttp, type ServerProcess, startServer } from '../helpers/server-process.js';

const DURATION_SECONDS = 10;
const CONNECTIONS = 20;

let db: TestDatabase;
let server: ServerProcess;
let apiToken: string;
let cookie: string;
const ingestTokens: string[] = [];

before(async () => {
  db = await createTestDatabase();
  const fixtures = await createFixtureUsers(db.knex);
  apiToken = fixtures.apiTokens.owner;
  ingestTokens.push(fixtures.orgA.token);
  for (let i = 1; i < 4; i++) ingestTokens.push((await createIntegration(db.knex, { orgSlug: 'org-a', name: `load ${i}`, schedule: '15m' })).token);
  const { cookieValue } = await startSession(db.knex, (await findUserByEmail(db.knex, emailOf('owner')))!.id, {});
  cookie = `${SESSION_COOKIE}=${cookieValue}`;
  server = await startServer(db.url, { INGEST_RATE_LIMIT_PER_MINUTE: '1000000' });
  // Something to read: 20 runs of 500 records (10% failed, so error groups).
  for (let i = 0; i < 20; i++) {
    const run = {
      ...makeLargeRun(500, `seed-${i}`),
      started_at: `2026-11-20T${String(i).padStart(2, '0')}:00:00Z`,
      finished_at: `2026-11-20T${String(i).padStart(2, '0')}:09:00Z`,
    };
    const res = await postOverHttp(server.url, ingestTokens[i % 4]!, JSON.stringify(run));
    assert.equal(res.status, 201, res.text);
  }
});
after(async () => {
  await server?.kill();
  await db?.drop();
});

let runNumber = 0;
const ingestRequest: autocannon.Request = {
  method: 'POST',
  path: '/api/v1/sync-runs',
  setupRequest: (req) => {
    const n = runNumber++;
    const minute = String(n % 60).padStart(2, '0');
    const run = makeRun({
      run_id: `load-${n}`,
      started_at: `2026-11-22T${String(Math.floor(n / 60) % 24).padStart(2, '0')}:${minute}:00Z`,
      finished_at: '2026-11-23T00:00:00Z',
    });
    return {
      ...req,
      headers: { ...req.headers, Authorization: `Bearer ${ingestTokens[n % ingestTokens.length]}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(run),
    };
  },
};
const apiRead = (path: string): autocannon.Request => ({ method: 'GET', path, headers: { Authorization: `Bearer ${apiToken}` } });
const pageLoad = (path: string): autocannon.Request => ({ method: 'GET', path, headers: { Cookie: cookie, Accept: 'text/html' } });

/** Built when the tests run: the token and cookie exist only after `before`. */
const MIXES: Record<string, () => autocannon.Request[]> = {
  ingest: () => [ingestRequest],
  'API reads': () => [apiRead('/api/v1/error-groups'), apiRead('/api/v1/records?limit=50'), apiRead('/api/v1/sync-runs?limit=20')],
  pages: () => [pageLoad('/'), pageLoad('/error-groups'), pageLoad('/integrations')],
  'all at once': () => [ingestRequest, apiRead('/api/v1/error-groups'), pageLoad('/'), apiRead('/api/v1/records?limit=50'), pageLoad('/error-groups')],
};

const figures: string[] = [];

for (const [mix, requests] of Object.entries(MIXES)) {
  test(`load: ${mix}, ${DURATION_SECONDS} s at ${CONNECTIONS} connections: no 5xx, no connection error`, { timeout: 120_000 }, async () => {
    const statuses: Record<number, number> = {};
    const result = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: DURATION_SECONDS,
      requests: requests().map((r) => ({
        ...r,
        onResponse: (status: number) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
        },
      })),
    });
    const total = result.requests.total;
    const line = `| ${mix} | ${total} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${Object.entries(statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ')} | ${result.errors} |`;
    figures.push(line);
    process.stderr.write(`${line}\n`);
    assert.equal(result['5xx'], 0, `${mix}: ${result['5xx']} answers were 5xx (${JSON.stringify(statuses)})\n${server.output().slice(-2000)}`);
    assert.equal(result.errors, 0, `${mix}: ${result.errors} connection errors (${result.timeouts} timeouts)`);
    assert.equal(result.non2xx, 0, `${mix}: every answer is a 2xx (${JSON.stringify(statuses)})`);
    assert.ok(total > 0, `${mix}: requests were answered`);
  });
}

test('the figures', () => {
  assert.equal(figures.length, Object.keys(MIXES).length, 'every mix ran');
  process.stderr.write(
    `\nload, ${DURATION_SECONDS} s at ${CONNECTIONS} connections per mix (loopback, one server process; load average ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(
        ' ',
      )} on ${os.cpus().length} cores):\n| mix | requests | req/s | p50 ms | p99 ms | statuses | errors |\n| --- | --- | --- | --- | --- | --- | --- |\n${figures.join('\n')}\n`,
  );
});
